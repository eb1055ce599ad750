"""The report bucket: the only module that talks to S3."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from xuefa.aws import LazyClient, aws_client
from xuefa.errors import NotFound

CONTENT_TYPES = {
    ".csv": "text/csv; charset=utf-8",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".json": "application/json; charset=utf-8",
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
            from urllib.parse import quote

            extra["ContentDisposition"] = f"attachment; filename*=UTF-8''{quote(download_name)}"
        # One PUT per file (reports are far below the 5 GB single-PUT limit); upload_file's
        # thread pool buys nothing here and costs a pool per call.
        with path.open("rb") as body:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body, **extra)

    def put_json(self, key: str, payload: Any) -> None:
        body = json.dumps(payload, ensure_ascii=False, indent=1, default=_number).encode("utf-8")
        self.client.put_object(
            Bucket=self.bucket, Key=key, Body=body, ContentType=CONTENT_TYPES[".json"]
        )

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

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def presign(self, key: str, seconds: int) -> str:
        return str(
            self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=seconds
            )
        )


def _number(value: Any) -> Any:
    """DynamoDB hands numbers back as Decimal."""
    from decimal import Decimal

    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")
