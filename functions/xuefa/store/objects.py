"""The report bucket: the only module that talks to S3."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xuefa.core.aws import LazyClient, aws_client
from xuefa.core.errors import NotFound

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json; charset=utf-8",
    ".pdf": "application/pdf",
}


def _s3() -> Any:
    from botocore.config import Config

    # SigV4 presigned URLs work in every region, the China regions included.
    return aws_client("s3", config=Config(signature_version="s3v4"))()


class ReportBucket(LazyClient):
    def __init__(self, bucket: str, client_factory: Callable[[], Any] = _s3):
        super().__init__(client_factory)
        self.bucket = bucket

    def upload(self, key: str, path: Path, download_name: str | None = None) -> None:
        extra: dict[str, Any] = {
            "ContentType": CONTENT_TYPES.get(path.suffix, "application/octet-stream")
        }
        if download_name:
            extra["ContentDisposition"] = _attachment(download_name)
        # One PUT per file (reports are far below the 5 GB single-PUT limit); upload_file's
        # thread pool buys nothing here and costs a pool per call.
        with path.open("rb") as body:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, **extra)

    def put_json(self, key: str, payload: Any) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=_json(payload), ContentType=CONTENT_TYPES[".json"]
        )

    def put_json_once(self, key: str, payload: Any) -> bool:
        """Write unless the key exists (S3's `If-None-Match: *`, so of two writers one
        loses); False when it existed."""
        return self.put_once(key, _json(payload), CONTENT_TYPES[".json"])

    def put_once(self, key: str, body: bytes, content_type: str, download_name: str = "") -> bool:
        from botocore.exceptions import ClientError

        extra: dict[str, Any] = {"ContentType": content_type}
        if download_name:
            extra["ContentDisposition"] = _attachment(download_name)
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, IfNoneMatch="*", **extra)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
                return False
            raise
        return True

    def get_json(self, key: str) -> Any:
        from botocore.exceptions import ClientError

        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise NotFound("no such report") from exc
            raise
        return json.loads(response["Body"].read())

    def get_bytes(self, key: str) -> bytes:
        response = self.client.get_object(Bucket=self.bucket, Key=key)
        return bytes(response["Body"].read())

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def presign(self, key: str, seconds: int) -> str:
        return str(
            self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=seconds
            )
        )


def _json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False, indent=1, default=_number).encode("utf-8")


def _attachment(download_name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename*=UTF-8''{quote(download_name)}"


def _number(value: Any) -> Any:
    """DynamoDB hands numbers back as Decimal."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")
