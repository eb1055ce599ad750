"""Settings as a deployed function reads them: the cursor key from Secrets Manager."""

from __future__ import annotations

import boto3
import pytest

from xuefa.core.settings import get_settings


def test_the_cursor_key_comes_from_secrets_manager_when_named_by_arn(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = "k" * 64
    arn = boto3.client("secretsmanager").create_secret(Name="cursor", SecretString=key)["ARN"]
    monkeypatch.delenv("XUEFA_CURSOR_SECRET")
    monkeypatch.setenv("XUEFA_CURSOR_SECRET_ARN", arn)
    get_settings.cache_clear()
    try:
        assert get_settings().cursor_secret == key
    finally:
        get_settings.cache_clear()


def test_without_any_cursor_key_the_settings_are_refused(
    aws: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pydantic import ValidationError

    monkeypatch.delenv("XUEFA_CURSOR_SECRET")
    monkeypatch.delenv("XUEFA_CURSOR_SECRET_ARN", raising=False)
    get_settings.cache_clear()
    try:
        with pytest.raises(ValidationError, match="cursor_secret"):
            get_settings()
    finally:
        get_settings.cache_clear()
