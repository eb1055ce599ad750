"""Signing in against the local stack as a client would: our own identity service
(`POST /identity/sign-in`) or the Cognito user pool (USER_PASSWORD_AUTH), whichever the
stack runs (`identity` in local.json). Answers are Cognito-shaped either way."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import boto3


def local_client(local: Mapping[str, Any], service: str) -> Any:
    """A boto3 client for the local stack's moto (which accepts any credentials)."""
    return boto3.client(
        service,
        endpoint_url=local.get("moto_endpoint") or local["cognito_endpoint"],
        region_name=local["region"],
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def tokens(local: Mapping[str, Any], username: str, password: str | None = None) -> dict[str, Any]:
    """The AuthenticationResult (IdToken, AccessToken…) for a user in `local.json`."""
    if password is None:
        password = next(u["password"] for u in local["users"] if u["username"] == username)
    if local.get("identity") == "own":
        return own_tokens(local, username, password)
    result = local_client(local, "cognito-idp").initiate_auth(
        ClientId=local["client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": password},
    )
    return dict(result["AuthenticationResult"])


def id_token(local: Mapping[str, Any], username: str, password: str | None = None) -> str:
    return str(tokens(local, username, password)["IdToken"])


def own_tokens(local: Mapping[str, Any], username: str, password: str) -> dict[str, Any]:
    import requests

    answer = requests.post(
        f"{local['api_url']}/identity/sign-in",
        json={"username": username, "password": password},
        timeout=30,
    )
    answer.raise_for_status()
    body = answer.json()
    return {
        "IdToken": body["id_token"],
        "AccessToken": body["access_token"],
        "RefreshToken": body["refresh_token"],
        "ExpiresIn": body["expires_in"],
    }
