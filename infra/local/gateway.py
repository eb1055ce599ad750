"""API Gateway, locally: base-path mappings, the authorizer, body limits, and a
small pool of instances per app, as Lambda would run several containers.

A Chalice app keeps the current request on the app object, so one instance must never
serve two requests at once; each request borrows an instance from its app's pool.
"""

from __future__ import annotations

import json
import queue
import time
import uuid
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, unquote

from chalice import Chalice
from chalice.local import LambdaContext, LambdaEventConverter, RouteMatcher
from werkzeug.wrappers import Request, Response

from infra.local.timing import AwsCallTiming, server_timing
from infra.local.tokens import Authorize
from xuefa.core.errors import (
    Internal,
    NotFound,
    PayloadTooLarge,
    XuefaError,
)

MAX_BODY_BYTES = 1024 * 1024


def _error(error: XuefaError, request_id: str | None = None) -> Response:
    return Response(
        json.dumps(error.body(request_id), ensure_ascii=False),
        status=error.status,
        content_type="application/json; charset=utf-8",
    )


class AppPool:
    def __init__(self, name: str, factory: Callable[[], Chalice], size: int):
        self.name = name
        self._free: queue.Queue[Chalice] = queue.Queue()
        first = factory()
        self.routes = first.routes
        self.matcher = RouteMatcher(list(first.routes))
        self.converter = LambdaEventConverter(self.matcher, first.api.binary_types)
        self._free.put(first)
        for _ in range(size - 1):
            self._free.put(factory())

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        app = self._free.get()
        try:
            context = LambdaContext(function_name=f"xuefa-{self.name}", memory_size=1024)
            result: dict[str, Any] = app(event, context)
            return result
        finally:
            self._free.put(app)


class Gateway:
    def __init__(
        self,
        pools: dict[str, AppPool],
        authorize: Authorize,
        timing: AwsCallTiming,
        extra_routes: dict[str, Callable[[Request], Response]] | None = None,
        access_log: Callable[[str], None] = print,
        pages: Callable[[Request], Response] | None = None,
    ):
        self.pools = pools
        self.authorize = authorize
        self.extra_routes = extra_routes or {}
        # The web apps: any GET outside the APIs (files, or the app's client-side routes).
        self.pages = pages
        self.access_log = access_log
        self.timing = timing

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        started = time.perf_counter()
        request_id = str(uuid.uuid4())
        self.timing.begin()
        try:
            response = self.dispatch(request, request_id)
        except XuefaError as error:
            response = _error(error, request_id)
        except Exception:  # the last line of defence: never a dropped connection
            import traceback

            traceback.print_exc()
            response = _error(Internal(), request_id)
        response.headers["x-amzn-RequestId"] = request_id
        elapsed = (time.perf_counter() - started) * 1000
        spent = self.timing.spent()
        response.headers["Server-Timing"] = server_timing(elapsed, spent)
        path = request.full_path.rstrip("?")
        self.access_log(
            f"{request.method} {path} {response.status_code} {elapsed:.1f}ms"
            f" (aws {spent.seconds * 1000:.1f}ms, {spent.calls} calls)"
        )
        return response(environ, start_response)

    def dispatch(self, request: Request, request_id: str) -> Response:
        path = request.path
        if path in self.extra_routes:
            return self.extra_routes[path](request)
        prefix, _, rest = path.lstrip("/").partition("/")
        pool = self.pools.get(prefix)
        if pool is None and self.pages is not None and request.method in ("GET", "HEAD"):
            return self.pages(request)
        if pool is None:
            raise NotFound(f"no such path: {path}")
        sub_path = "/" + rest
        # API Gateway matches the path as sent, its segments still percent-encoded, and
        # decodes each parameter: a `%23` is part of `{year}`, never the start of a
        # fragment that cuts the path short.
        raw_path = quote(sub_path, safe="/")
        try:
            match = pool.matcher.match_route(raw_path)
        except ValueError as exc:
            raise NotFound(f"no such path: {path}") from exc
        body = self._body(request)
        entry = pool.routes[match.route].get(request.method)
        authorizer = None
        if entry is not None and entry.authorizer is not None:
            authorizer = self.authorize(request.headers.get("Authorization"))
        query = request.query_string.decode("latin-1")
        headers = {k: v for k, v in request.headers.items()}
        event = pool.converter.create_lambda_event(
            method=request.method,
            path=raw_path + (f"?{query}" if query else ""),
            headers=headers,
            body=body,
        )
        event["requestContext"].update(
            {
                "requestId": request_id,
                "stage": "api",
                "path": path,
                "authorizer": authorizer,
            }
        )
        event["path"] = sub_path
        if event.get("pathParameters"):
            event["pathParameters"] = {k: unquote(v) for k, v in event["pathParameters"].items()}
        if isinstance(event.get("body"), bytes):
            try:
                event["body"] = event["body"].decode("utf-8")
            except UnicodeDecodeError:
                # API Gateway would pass non-UTF-8 bytes through as base64.
                import base64

                event["body"] = base64.b64encode(body or b"").decode("ascii")
                event["isBase64Encoded"] = True
        result = pool.invoke(event)
        return _to_response(result)

    def _body(self, request: Request) -> bytes | None:
        length = request.content_length
        if length is not None and length > MAX_BODY_BYTES:
            raise PayloadTooLarge()
        data = request.stream.read(MAX_BODY_BYTES + 1)
        if len(data) > MAX_BODY_BYTES:
            raise PayloadTooLarge()
        return data or None


def _to_response(result: dict[str, Any]) -> Response:
    body = result.get("body") or b""
    if result.get("isBase64Encoded"):
        import base64

        body = base64.b64decode(body)
    response = Response(body, status=int(result.get("statusCode", 200)))
    response.headers.clear()
    for name, value in (result.get("headers") or {}).items():
        response.headers[name] = value
    for name, values in (result.get("multiValueHeaders") or {}).items():
        for value in values:
            response.headers.add(name, value)
    if "Content-Type" not in response.headers:
        response.headers["Content-Type"] = "application/json"
    return response


def serve_json(body: bytes) -> Callable[[Request], Response]:
    def serve(_: Request) -> Response:
        return Response(body, content_type="application/json; charset=utf-8")

    return serve


health = serve_json(b'{"status":"ok"}')
