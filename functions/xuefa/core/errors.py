"""One error type per client-visible failure, carrying the contract's code and status.

The Chalice apps turn these into `{"error": {"code", "message", "details"?}}` in exactly
one place (xuefa_api); the domain only raises them.
"""

from __future__ import annotations

from typing import Any, ClassVar


class XuefaError(Exception):
    code: ClassVar[str] = "INTERNAL"
    status: ClassVar[int] = 500
    default_message: ClassVar[str] = "internal error"
    # Seconds a client should wait before trying again (`Retry-After`); None: not retryable.
    retry_after: ClassVar[int | None] = None

    def __init__(self, message: str | None = None, details: dict[str, Any] | None = None):
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)

    def body(self, request_id: str | None = None) -> dict[str, Any]:
        """The contract's JSON; an internal error also names the request, for the logs."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details:
            error["details"] = self.details
        if request_id and self.status >= 500:
            error["request_id"] = request_id
        return {"error": error}

    def retry_seconds(self) -> int | None:
        """The `Retry-After` to send: what the details name (a lockout's own wait), else
        the kind's default."""
        named = (self.details or {}).get("retry_after_seconds")
        if isinstance(named, int) and named > 0 and self.retry_after is not None:
            return named
        return self.retry_after


class BadRequest(XuefaError):
    code = "BAD_REQUEST"
    status = 400
    default_message = "the request is malformed"


class Unauthorized(XuefaError):
    code = "UNAUTHORIZED"
    status = 401
    default_message = "sign in first: a valid token is required"


class Forbidden(XuefaError):
    code = "FORBIDDEN"
    status = 403
    default_message = "you may not do this"


class NotFound(XuefaError):
    code = "NOT_FOUND"
    status = 404
    default_message = "not found"


class OutsideWindow(XuefaError):
    code = "OUTSIDE_WINDOW"
    status = 409
    default_message = "this is only possible inside the year's window"


class AttemptLimit(XuefaError):
    code = "ATTEMPT_LIMIT"
    status = 409
    default_message = "no exam attempts are left"


class AttemptOpen(XuefaError):
    code = "ATTEMPT_OPEN"
    status = 409
    default_message = "an attempt is already open"


class AttemptClosed(XuefaError):
    code = "ATTEMPT_CLOSED"
    status = 409
    default_message = "this attempt is closed"


class TooEarly(XuefaError):
    code = "TOO_EARLY"
    status = 409
    default_message = "not yet: the minimum study time has not passed"


class Duplicate(XuefaError):
    code = "DUPLICATE"
    status = 409
    default_message = "this already exists"


class Conflict(XuefaError):
    code = "CONFLICT"
    status = 409
    default_message = "the request conflicts with the current state; try again"


class OverrideLimit(XuefaError):
    code = "OVERRIDE_LIMIT"
    status = 409
    default_message = "the override goes beyond the year's override policy"


class YearClosed(XuefaError):
    code = "YEAR_CLOSED"
    status = 409
    default_message = "this study year has closed: its records can no longer change"


class PayloadTooLarge(XuefaError):
    code = "PAYLOAD_TOO_LARGE"
    status = 413
    default_message = "the request body is larger than 1 MB"


class Throttled(XuefaError):
    code = "THROTTLED"
    status = 429
    default_message = "too many requests; try again shortly"
    retry_after = 1


class Unavailable(XuefaError):
    """The backend failed in a way that passes (a throttled or failing table, bucket or
    key, a timeout, a transaction that kept colliding): nothing was decided, so the same
    request is safe to send again after `Retry-After`."""

    code = "UNAVAILABLE"
    status = 503
    default_message = "the service is briefly unavailable; try again shortly"
    retry_after = 2


class Internal(XuefaError):
    code = "INTERNAL"
    status = 500
    default_message = "internal error"


ALL_ERRORS: tuple[type[XuefaError], ...] = (
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    OutsideWindow,
    AttemptLimit,
    AttemptOpen,
    AttemptClosed,
    TooEarly,
    Duplicate,
    Conflict,
    OverrideLimit,
    YearClosed,
    PayloadTooLarge,
    Throttled,
    Unavailable,
    Internal,
)
