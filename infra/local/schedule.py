"""The local stack's clock and the nightly schedule run by it, as EventBridge would.

`make run TODAY=2027-06-15T10:00` starts the stack's clock at that moment; it then runs at
the wall clock's pace. Every app reads it (`xuefa.core.clock.process_clock`), the gateway's
`Date` header says it, and tests move it with `POST /_local/clock {"at": …}` (a route of
the local stack only: nothing on AWS can move a clock). The nightly function runs at
01:00 Asia/Shanghai by this clock, and once at start for the last 01:00 that passed, so a
newcomer finds yesterday's report without `make report` (a complete night is left alone).
"""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any

from werkzeug.http import http_date
from werkzeug.wrappers import Request, Response

from xuefa.core.clock import SHANGHAI, RunningClock, local_date, parse_iso

CLOCK_PATH = "/_local/clock"
NIGHTLY_AT = time(1, 0)  # the stack's cron: 01:00 Asia/Shanghai (17:00 UTC)


def starting_moment(text: str | None) -> datetime | None:
    """`2027-06-15T10:00` (Asia/Shanghai unless an offset is given) or `2027-06-15`
    (09:00 of it, a working morning); None for now."""
    if not text:
        return None
    text = text.strip()
    if "T" not in text and " " not in text:
        text += "T09:00"
    try:
        return parse_iso(text)
    except ValueError as exc:
        raise SystemExit(f"TODAY must look like 2027-06-15T10:00, not {text!r}") from exc


def last_nightly_before(now: datetime) -> datetime:
    """The latest 01:00 (Asia/Shanghai) at or before `now`."""
    day = local_date(now)
    due = datetime.combine(day, NIGHTLY_AT, SHANGHAI)
    return due if due <= now else due - timedelta(days=1)


def scheduled_event(due: datetime) -> dict[str, Any]:
    """What EventBridge delivers for the `nightly-report` rule at `due`."""
    at = due.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "version": "0",
        "id": f"local-nightly-{at}",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "000000000000",
        "time": at,
        "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:000000000000:rule/xuefa-nightly-report"],
        "detail": {},
    }


class Nightly:
    """Fires the nightly handler whenever the latest 01:00 by the stack's clock changes:
    once at start, then each night (and again if a test moves the clock past a night)."""

    def __init__(
        self,
        clock: RunningClock,
        handler: Callable[[dict[str, Any], Any], Any],
        say: Callable[[str], None] = print,
        poll_seconds: float = 1.0,
    ):
        self._clock = clock
        self._handler = handler
        self._say = say
        self._poll = poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="nightly", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        fired: datetime | None = None
        while not self._stop.is_set():
            due = last_nightly_before(self._clock.now())
            if due != fired:
                fired = due
                self.fire(due)
            self._stop.wait(self._poll)

    def fire(self, due: datetime) -> None:
        from chalice.local import LambdaContext

        context = LambdaContext(function_name="xuefa-nightly-report", memory_size=1024)
        try:
            result = self._handler(scheduled_event(due), context)
        except Exception:  # the stack carries on, as EventBridge's next night would
            self._say(f"nightly run of {due.isoformat()} failed:\n{traceback.format_exc()}")
            return
        self._say(f"nightly run of {due.isoformat(timespec='minutes')}: {json.dumps(result)}")


def clock_route(clock: RunningClock) -> Callable[[Request], Response]:
    """GET: the stack's time; POST {"at": ISO 8601}: the stack's time from then on."""

    def route(request: Request) -> Response:
        if request.method == "POST":
            try:
                body = json.loads(request.get_data(as_text=True) or "{}")
                clock.set(parse_iso(str(body["at"])))
            except (ValueError, KeyError, TypeError):
                return _json({"error": {"code": "BAD_REQUEST", "message": "need {at}"}}, 400)
        return _json({"now": clock.now().isoformat(timespec="seconds")}, 200)

    return route


def dated(app: Any, clock: RunningClock) -> Any:
    """A WSGI app whose answers carry the stack's time in `Date`: API Gateway's `Date` is
    the clock its functions run on, and the apps' countdowns correct the phone's clock by
    it."""

    def wrapped(environ: dict[str, Any], start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], *exc_info: Any) -> Any:
            kept = [(name, value) for name, value in headers if name.lower() != "date"]
            return start_response(status, [*kept, ("Date", http_date(clock.now()))], *exc_info)

        return app(environ, start)

    return wrapped


def _json(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")
