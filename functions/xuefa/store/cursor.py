"""Paging cursors: opaque to clients, signed so that they cannot be forged or edited."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from typing import Any

from xuefa.core.errors import BadRequest

CURSOR_PATTERN = r"^[A-Za-z0-9_-]+\.[0-9a-f]{32}$"  # base64url payload, truncated HMAC
CURSOR = re.compile(CURSOR_PATTERN)


def encode_cursor(last_key: Mapping[str, Any] | None, scope: str, secret: str) -> str | None:
    if not last_key:
        return None
    payload = json.dumps({"k": dict(last_key), "s": scope}, separators=(",", ":"), default=str)
    body = base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{body}.{mac}"


def decode_cursor(cursor: str | None, scope: str, secret: str) -> dict[str, Any] | None:
    """The key to resume from; a cursor edited, forged or from another listing is a 400."""
    if not cursor:
        return None
    if not CURSOR.fullmatch(cursor):  # not even the shape of one (any text can arrive)
        raise BadRequest("the paging cursor is not valid", {"cursor": "malformed"})
    body, _, mac = cursor.partition(".")
    expected = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:32]
    if not hmac.compare_digest(mac, expected):
        raise BadRequest("the paging cursor is not valid", {"cursor": "tampered or foreign"})
    try:
        payload = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError as exc:
        raise BadRequest("the paging cursor is not valid") from exc
    if payload.get("s") != scope:
        raise BadRequest("the paging cursor belongs to another listing", {"cursor": "foreign"})
    key = payload.get("k")
    if not isinstance(key, dict):
        raise BadRequest("the paging cursor is not valid")
    return key
