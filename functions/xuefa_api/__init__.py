"""The thin glue every Chalice app shares: who is asking, what they sent, and how a
failure looks on the wire.

Domain errors become the contract's `{"error": {...}}` JSON here and nowhere else; no
response ever carries Chalice's own error shape or a stack trace.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, TypedDict, TypeVar, Unpack

from chalice import Chalice, ConvertToMiddleware, Response
from chalice.app import Request
from pydantic import BaseModel, Field, ValidationError

from xuefa.bootstrap import services
from xuefa.core.auth import Actor, actor_from_claims, claims_of
from xuefa.core.aws import backend_error
from xuefa.core.errors import BadRequest, Internal, PayloadTooLarge, XuefaError
from xuefa.core.observability import logger as make_logger
from xuefa.core.observability import metrics as make_metrics
from xuefa.core.settings import responses_checked
from xuefa.store.cursor import CURSOR_PATTERN
from xuefa_api.authorizer import authorizer

MAX_BODY_BYTES = 1024 * 1024

Model = TypeVar("Model", bound=BaseModel)

# Chalice answers some failures itself (unknown method, media type); map them.
_CHALICE_CODES = {
    400: "BAD_REQUEST",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "BAD_REQUEST",
    413: "PAYLOAD_TOO_LARGE",
    415: "BAD_REQUEST",
    429: "THROTTLED",
}


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        return value.model_dump(exclude_unset=True)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot serialize {type(value).__name__}")


def json_response(
    body: Any, status: int = 200, headers: Mapping[str, str | list[str]] | None = None
) -> Response:
    if isinstance(body, BaseModel):
        # What the service said, no more: an optional field it did not set is left out
        # (an open attempt has no score yet; a learner has no admin login).
        body = body.model_dump(exclude_unset=True)
    text = json.dumps(body, ensure_ascii=False, default=_json_default, separators=(",", ":"))
    all_headers: dict[str, str | list[str]] = {
        "Content-Type": "application/json; charset=utf-8",
        **(headers or {}),
    }
    return Response(body=text, status_code=status, headers=all_headers)


def error_response(error: XuefaError, request_id: str | None = None) -> Response:
    """The contract's error JSON; a retryable one (429, 503) says when to try again."""
    wait = error.retry_seconds()
    headers = {"Retry-After": str(wait)} if wait is not None else None
    return json_response(error.body(request_id), status=error.status, headers=headers)


@dataclass(frozen=True)
class Operation:
    """A route as declared: what the OpenAPI document is generated from."""

    path: str
    methods: tuple[str, ...]
    view: Callable[..., Any]
    public: bool
    checks_credentials: bool  # public, yet 401 for a wrong password or a spent token
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    raw_body: list[str] | None
    status: int
    response: str | None  # a model's name in xuefa_api.responses
    accepted: str | None = None  # the 202 answer's model, for a route that may start a job
    also: int | None = None  # a second success status with the same answer

    def response_model(self) -> type[BaseModel] | None:
        return answer_model(self.response) if self.response else None


@dataclass(frozen=True)
class Accepted:
    """A view's answer when it started a job instead of answering now: sent as 202."""

    body: Any


class RouteOptions(TypedDict, total=False):
    public: bool  # no token needed (the health check, signing in)
    checks_credentials: bool  # public, but answers 401 for wrong credentials (signing in)
    body: type[BaseModel]  # the JSON body's model
    query: type[BaseModel]  # the query string's model
    raw_body: list[str]  # accepted media types of a body passed through as bytes
    status: int  # on success
    also: int  # another success with the same answer (200 when a create found it made)
    response: str  # the answer's model, by name in xuefa_api.responses
    accepted: str  # the model of a 202 answer (`Accepted`), if the route may start a job


def answer_model(name: str) -> type[BaseModel]:
    """A response model by name: the module is imported only to check answers or write
    the OpenAPI document, never on a Lambda cold start."""
    from xuefa_api import responses

    model: type[BaseModel] = getattr(responses, name)
    return model


class Api:
    """One per app: registers the middleware and gives views their inputs."""

    def __init__(self, app: Chalice, service: str):
        self.app = app
        self.authorizer = authorizer()
        self.log = make_logger(service)
        self.metrics = make_metrics(service)
        self.service = service
        self.operations: list[Operation] = []
        app.register_middleware(ConvertToMiddleware(self.log.inject_lambda_context), "http")
        app.register_middleware(self._forget_metrics, "http")
        app.register_middleware(
            ConvertToMiddleware(
                functools.partial(self.metrics.log_metrics, capture_cold_start_metric=True)
            ),
            "http",
        )
        app.register_middleware(self._contract_errors, "http")
        self.route("/health", methods=["GET"], public=True, response="Health")(_health)

    # --- routing -------------------------------------------------------------------

    def route(
        self, path: str, methods: list[str], **declared: Unpack[RouteOptions]
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """`app.route` behind the authorizer (unless public). The view receives
        `actor`, and the validated `body` and `query` when the route declares their
        models; `response` is what it answers (the OpenAPI document is generated from all
        three); domain errors become the contract's JSON here and nowhere else."""

        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            operation = Operation(
                path,
                tuple(methods),
                view,
                public=declared.get("public", False),
                checks_credentials=declared.get("checks_credentials", False),
                body=declared.get("body"),
                query=declared.get("query"),
                raw_body=declared.get("raw_body"),
                status=declared.get("status", 200),
                response=declared.get("response"),
                accepted=declared.get("accepted"),
                also=declared.get("also"),
            )

            @functools.wraps(view)
            def guarded(**kwargs: Any) -> Any:
                return self._serve(operation, kwargs)

            options: dict[str, Any] = {} if operation.public else {"authorizer": self.authorizer}
            if operation.raw_body:
                options["content_types"] = operation.raw_body
            self.app.route(path, methods=methods, **options)(guarded)
            self.operations.append(operation)
            return guarded

        return decorate

    def _serve(self, operation: Operation, kwargs: dict[str, Any]) -> Any:
        try:
            result = operation.view(**self._inputs(operation, kwargs))
        except XuefaError as error:
            return error_response(error, self._request_id())
        except Exception as exc:
            passing = backend_error(exc)  # outlasted botocore's own retries
            if passing is not None:
                self.log.warning(
                    "backend unavailable", extra={"path": self._path(), "error": repr(exc)}
                )
                return error_response(passing, self._request_id())
            self.log.exception("unhandled error", extra={"path": self._path()})
            return error_response(Internal(), self._request_id())
        if isinstance(result, Response):
            return result
        if isinstance(result, Accepted) and operation.accepted is not None:
            answer = json_response(result.body, status=202)
            if responses_checked():
                return self._conform(answer_model(operation.accepted), answer)
            return answer
        answer = json_response(result, status=operation.status)
        if operation.response is not None and responses_checked():
            return self._conform(answer_model(operation.response), answer)
        return answer

    def _inputs(self, operation: Operation, kwargs: dict[str, Any]) -> dict[str, Any]:
        """The view's arguments: who asks (401 before anything is parsed), then the
        validated body and query."""
        if not operation.public:
            kwargs["actor"] = self.actor()
        if operation.body is not None:
            kwargs["body"] = self.body(operation.body)
        if operation.raw_body:
            kwargs["body"] = self.raw_body()
        if operation.query is not None:
            kwargs["query"] = self.query(operation.query)
        return kwargs

    def _forget_metrics(self, event: Any, get_response: Callable[[Any], Response]) -> Response:
        # With metrics disabled (locally, in tests) Powertools' flush keeps the values, and
        # add_metric prints them anyway once one metric holds 100: forget them per request.
        # Enabled, log_metrics (inside this) has flushed and cleared them already.
        try:
            return get_response(event)
        finally:
            self.metrics.clear_metrics()

    def _conform(self, model: type[BaseModel], answer: Response) -> Response:
        """The body as sent must be what the document promises; a drift is a 500 in tests
        and on the local stack (where this check is on), never silent."""
        try:
            model.model_validate_json(answer.body)
        except ValidationError as exc:
            self.log.error(
                "response does not match its documented model",
                extra={"path": self._path(), "model": model.__name__, "errors": exc.errors()},
            )
            drift = Internal(f"the response does not match {model.__name__}")
            return error_response(drift, self._request_id())
        return answer

    def _contract_errors(self, event: Any, get_response: Callable[[Any], Response]) -> Response:
        response = get_response(event)
        body = response.body
        if response.status_code >= 400 and isinstance(body, dict) and "Code" in body:
            code = _CHALICE_CODES.get(response.status_code, "INTERNAL")
            status = response.status_code if code != "INTERNAL" else 500
            payload: dict[str, Any] = {"code": code, "message": str(body.get("Message", code))}
            if code == "INTERNAL":
                payload = {"code": code, "message": "internal error"}
                payload["request_id"] = self._request_id()
            return json_response({"error": payload}, status=status, headers=response.headers)
        return response

    def count(self, name: str, value: float = 1) -> None:
        """A business metric (CloudWatch EMF), flushed when the request ends."""
        from aws_lambda_powertools.metrics import MetricUnit

        self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)

    # --- inputs --------------------------------------------------------------------

    def request(self) -> Request:
        request = self.app.current_request
        if request is None:
            raise Internal("no current request")
        return request

    def actor(self) -> Actor:
        """Who asks: the token's claims, an admin's unit taken from our own record."""
        context = self.request().context or {}
        claimed = actor_from_claims(claims_of(context.get("authorizer")))
        if not claimed.is_admin:
            return claimed
        s = services()
        return s.admin_units.scoped(claimed, s.clock.now())

    def body(self, model: type[Model]) -> Model:
        raw = self.request().raw_body or b""
        if len(raw) > MAX_BODY_BYTES:
            raise PayloadTooLarge()
        if not raw.strip():
            raw = b"{}"
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest("the body is not valid JSON") from exc
        return validate(model, data, json_text=json.dumps(_whole(data)))

    def raw_body(self, max_bytes: int = MAX_BODY_BYTES) -> bytes:
        raw = self.request().raw_body or b""
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        if len(raw) > max_bytes:
            raise PayloadTooLarge()
        return raw

    def query(self, model: type[Model]) -> Model:
        params: dict[str, str] = dict(self.request().query_params or {})
        return validate(model, dict(params))

    def _request_id(self) -> str:
        context = getattr(self.app, "lambda_context", None)
        request_id = getattr(context, "aws_request_id", None)
        if request_id:
            return str(request_id)
        request = getattr(self.app, "current_request", None)
        from_event = ((request.context or {}) if request else {}).get("requestId")
        return str(from_event or uuid.uuid4())

    def _path(self) -> str:
        request = getattr(self.app, "current_request", None)
        return str(getattr(request, "path", "?"))


def _health() -> dict[str, str]:
    """Whether the service answers; needs no token."""
    return {"status": "ok"}


def _whole(data: Any) -> Any:
    """JSON's 3.0 is the integer 3 (as JSON Schema says): strict validation takes it so."""
    if isinstance(data, float) and data.is_integer():
        return int(data)
    if isinstance(data, dict):
        return {key: _whole(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_whole(value) for value in data]
    return data


def validate(model: type[Model], data: Any, json_text: str | bytes | None = None) -> Model:
    """The model from a body or a query. A JSON body is read strictly: `false` is no
    number and `"3"` no integer, as the document says (a query's values are all text)."""
    if not isinstance(data, dict):
        raise BadRequest("the body must be a JSON object")
    try:
        if json_text is not None:
            return model.model_validate_json(json_text, strict=True)
        return model.model_validate(data)
    except ValidationError as exc:
        details = {
            ".".join(str(part) for part in err["loc"]) or "body": err["msg"] for err in exc.errors()
        }
        raise BadRequest("some fields are missing or invalid", details) from exc


# The paging cursor of a listing's query: what the previous page answered, or nothing.
Cursor = Annotated[
    str | None,
    Field(
        max_length=2000,
        pattern=CURSOR_PATTERN,
        description="the previous page's `cursor`, signed by the server: any other is a 400",
    ),
]


def parse_year(text: str) -> int:
    """A study year from a path: four digits from 2000."""
    if not re.fullmatch(r"20[0-9]{2}", text or ""):
        raise BadRequest("the year is four digits, e.g. 2017", {"year": text})
    return int(text)
