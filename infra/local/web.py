"""The web apps, locally: the built files of `web/dist`, their `config.json`, and a
same-origin path to Cognito (moto), so the browser signs in the real way (InitiateAuth)
without a cross-origin request. On AWS, CloudFront serves the files and the browser
calls Cognito's own endpoint, which answers CORS itself."""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests
from werkzeug.wrappers import Request, Response

COGNITO_PATH = "/cognito/"
# What a static file may do in the browser: its own origin only (the API and Cognito are
# both same-origin here); the same policy CloudFront sends on AWS.
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; font-src 'self' data:; "
        "style-src 'self' 'unsafe-inline'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def web_config(region: str, client_id: str | None) -> dict[str, Any]:
    """What the browser reads at start: where the APIs and the identity provider are
    (our own identity service without a user pool's client id)."""
    if client_id is None:
        return {"api_base": "", "identity": "own", "identity_endpoint": "/identity"}
    return {
        "api_base": "",
        "identity": "cognito",
        "cognito_endpoint": COGNITO_PATH,
        "region": region,
        "client_id": client_id,
    }


class WebApp:
    """Serves `dist/`: a file if it exists, else the app's page (client-side routes)."""

    def __init__(self, dist: Path, config: dict[str, Any], upload_origin: str = ""):
        self.dist = dist.resolve()
        self.config = json.dumps(config).encode()
        # Presigned uploads go from the console straight to the bucket (moto here).
        policy = SECURITY_HEADERS["Content-Security-Policy"]
        self.headers = {**SECURITY_HEADERS}
        if upload_origin:
            self.headers["Content-Security-Policy"] = policy.replace(
                "connect-src 'self'", f"connect-src 'self' {upload_origin}"
            )

    def available(self) -> bool:
        return (self.dist / "index.html").is_file()

    def __call__(self, request: Request) -> Response:
        path = request.path
        if path == "/config.json":
            response = Response(self.config, content_type="application/json")
            response.headers["Cache-Control"] = "no-cache"
            return self._secured(response)
        if not self.available():
            return Response(
                "the web app is not built: run `make web` (make run does it)",
                status=503,
                content_type="text/plain; charset=utf-8",
            )
        target = (self.dist / path.lstrip("/")).resolve()
        if target.is_file() and target.is_relative_to(self.dist):
            return self._file(target)
        page = "admin.html" if path.startswith("/admin") else "index.html"
        if (self.dist / page).is_file():
            return self._file(self.dist / page)
        return Response("not found", status=404, content_type="text/plain")

    def _file(self, target: Path) -> Response:
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript",):
            kind += "; charset=utf-8"
        response = Response(target.read_bytes(), content_type=kind)
        # Hashed assets never change; the pages and config must be fetched anew.
        immutable = "/assets/" in target.as_posix()
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if immutable else "no-cache"
        )
        return self._secured(response)

    def _secured(self, response: Response) -> Response:
        response.headers.update(self.headers)
        return response


CONTENT_PATH = "/content/"


def content_files(
    s3: Any, bucket: str, pages: Callable[[Request], Response]
) -> Callable[[Request], Response]:
    """`/content/*` from the content bucket in moto, as CloudFront's behaviour serves it
    from the private bucket on AWS (Range requests included: a video seeks); anything
    else is the web apps'."""

    def serve(request: Request) -> Response:
        if not request.path.startswith(CONTENT_PATH) or request.method not in ("GET", "HEAD"):
            return pages(request)
        from botocore.exceptions import ClientError

        extra = {"Range": request.headers["Range"]} if "Range" in request.headers else {}
        try:
            found = s3.get_object(Bucket=bucket, Key=request.path.lstrip("/"), **extra)
        except ClientError as exc:
            status = 416 if "Range" in str(exc) else 404
            return Response("not found", status=status, content_type="text/plain")
        response = Response(
            found["Body"].read(),
            status=206 if "ContentRange" in found else 200,
            content_type=found.get("ContentType", "application/octet-stream"),
        )
        response.headers["Accept-Ranges"] = "bytes"
        if "ContentRange" in found:
            response.headers["Content-Range"] = found["ContentRange"]
        response.headers["Cache-Control"] = found.get("CacheControl") or "no-cache"
        response.headers.update(SECURITY_HEADERS)
        return response

    return serve


def cognito_proxy(moto_endpoint: str) -> Callable[[Request], Response]:
    """Cognito's JSON protocol, passed through to moto on the same origin."""
    session = requests.Session()

    def proxy(request: Request) -> Response:
        if request.method != "POST":
            return Response(status=405)
        upstream = session.post(
            moto_endpoint + "/",
            data=request.get_data(),
            headers={
                "Content-Type": request.headers.get("Content-Type", "application/x-amz-json-1.1"),
                "X-Amz-Target": request.headers.get("X-Amz-Target", ""),
            },
            timeout=30,
        )
        return Response(
            upstream.content,
            status=upstream.status_code,
            content_type=upstream.headers.get("Content-Type", "application/x-amz-json-1.1"),
        )

    return proxy
