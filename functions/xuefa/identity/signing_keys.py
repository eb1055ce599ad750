"""The token-signing keys in KMS: asymmetric RSA keys whose private half never leaves KMS.

The first key signs; every listed key verifies (that is how a key is rotated without
signing anyone out: add a new key first in the list, drop the old one after a token's
lifetime). Public keys are read once per warm container.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from xuefa.core.aws import LazyClient, aws_client
from xuefa.core.errors import Throttled

KMS = aws_client("kms")
RS256 = "RSASSA_PKCS1_V1_5_SHA_256"


def key_id_of(key: str) -> str:
    """The `kid` tokens carry: the key's id, whether given as an id or an ARN."""
    return key.rsplit("/", 1)[-1]


class KmsSigningKeys(LazyClient):
    def __init__(self, keys: Sequence[str], client_factory: Callable[[], Any] = KMS):
        super().__init__(client_factory)
        if not keys:
            raise ValueError("at least one signing key is needed")
        self.keys = list(keys)
        self._public: dict[str, bytes] | None = None

    def _call(self, operation: str, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError

        try:
            return getattr(self.client, operation)(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("ThrottlingException", "LimitExceededException"):
                raise Throttled() from exc
            raise

    def key_id(self) -> str:
        return key_id_of(self.keys[0])

    def sign(self, message: bytes) -> bytes:
        answer = self._call(
            "sign", KeyId=self.keys[0], Message=message, MessageType="RAW", SigningAlgorithm=RS256
        )
        return bytes(answer["Signature"])

    def public_keys(self) -> Mapping[str, bytes]:
        if self._public is None:
            self._public = {
                key_id_of(key): bytes(self._call("get_public_key", KeyId=key)["PublicKey"])
                for key in self.keys
            }
        return self._public
