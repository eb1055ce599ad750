"""Personal data never reaches the logs (#29.4): every log record any test makes, in
this process (the apps' Powertools loggers, boto, moto, waitress) or in a local stack's
output, is scanned for learners' names, phone numbers, tokens and the demo password; a
test whose records hold one fails in its teardown, naming what was found.

Records are caught at `logging.Logger.handle`, which every enabled record passes through
whatever its logger's handlers and propagation (Powertools' loggers do not propagate, so
pytest's caplog never sees them).
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest

# 11 digits starting 13-19: a mainland mobile number, not part of a longer number (a
# student number has 12 digits, an epoch in milliseconds 13).
PHONE = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
# A JWT's header and payload (base64url JSON starting '{"'), as ID and access tokens are.
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}")
# A refresh or device token: secrets.token_urlsafe(32), 43 base64url characters with
# upper and lower case and a digit (a sha256 in hex, which we log as ids, is 64 and lower).
_URLSAFE = re.compile(r"(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
PASSWORDS = ("Xuefa-Demo-2026",)
# Names the tests give the learners they create (beside the demo city's).
TEST_NAMES = ("李建国", "李 建国", "赵敏", "王五", "张三", "新来者", "邻居")

# Standard LogRecord attributes: anything else on a record is an `extra` a logger added.
_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


@cache
def learner_names() -> frozenset[str]:
    """The demo city's learners (whom every stack and most API tests hold) and the names
    the tests register."""
    from infra.local.demo_city import learners

    return frozenset({learner.name for learner in learners()} | set(TEST_NAMES))


@cache
def _names_pattern() -> re.Pattern[str]:
    names = sorted(learner_names(), key=len, reverse=True)
    return re.compile("|".join(re.escape(name) for name in names))


def _is_token(text: str) -> bool:
    return (
        any(c.isupper() for c in text)
        and any(c.islower() for c in text)
        and any(c.isdigit() for c in text)
    )


def findings(text: str) -> list[str]:
    """What in `text` is personal data or a secret, each as `kind: the match`."""
    found = [f"name: {m.group(0)}" for m in _names_pattern().finditer(text)]
    found += [f"phone: {m.group(0)}" for m in PHONE.finditer(text)]
    found += [f"jwt: {m.group(0)[:12]}…" for m in JWT.finditer(text)]
    found += [f"token: {m.group(0)[:6]}…" for m in _URLSAFE.finditer(text) if _is_token(m.group(0))]
    found += [f"password: {p}" for p in PASSWORDS if p in text]
    return found


def record_text(record: logging.LogRecord) -> str:
    """Everything a handler could write of the record: message, extras, the exception."""
    try:
        message = record.getMessage()
    except Exception:  # a record whose args do not fit its format: still scan both
        message = f"{record.msg} {record.args}"
    extras = {k: v for k, v in record.__dict__.items() if k not in _STANDARD}
    text = message + " " + json.dumps(extras, ensure_ascii=False, default=str)
    if record.exc_info and record.exc_info[1] is not None:
        text += " " + "".join(traceback.format_exception(record.exc_info[1]))
    return text


@dataclass
class LogScan:
    """The records seen since the last `take`, as text, with their logger's name."""

    seen: list[tuple[str, str]] = field(default_factory=list)

    def take(self) -> list[tuple[str, str]]:
        taken, self.seen = self.seen, []
        return taken

    def leaks(self, records: Iterable[tuple[str, str]]) -> list[str]:
        return [
            f"{logger}: {', '.join(found)}" for logger, text in records if (found := findings(text))
        ]


SCAN = LogScan()
_original_handle = logging.Logger.handle


def _handle(self: logging.Logger, record: logging.LogRecord) -> None:
    with contextlib.suppress(Exception):  # the scan must never break a test's logging
        SCAN.seen.append((self.name, record_text(record)))
    _original_handle(self, record)


def assert_clean_lines(lines: Iterable[str], where: str) -> None:
    """A local stack's output (access log and the apps' JSON logs) holds nothing personal.
    The banner it prints when ready (the demo logins with their names and the demo
    password, from "demo logins" to "ready in") is the developer's, not a log: skipped."""
    leaks, banner = [], False
    for line in lines:
        banner = banner or "demo logins" in line
        if banner:
            banner = not line.startswith("ready in")
            continue
        if found := findings(line):
            leaks.append(f"{line[:160]} → {', '.join(found)}")
    if leaks:
        raise AssertionError(f"personal data in {where}'s log:\n" + "\n".join(leaks[:20]))


def pytest_configure(config: pytest.Config) -> None:
    logging.Logger.handle = _handle  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    logging.Logger.handle = _original_handle  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _logs_hold_no_personal_data() -> Iterator[LogScan]:
    """Fails the test (at its teardown) whose log records hold personal data."""
    SCAN.take()
    yield SCAN
    leaks = SCAN.leaks(SCAN.take())
    if leaks:
        pytest.fail("personal data in the log:\n" + "\n".join(leaks[:20]), pytrace=False)


def scanned(records: list[tuple[str, str]]) -> list[str]:
    """For the scan's own test: what the scan would report of these records."""
    return SCAN.leaks(records)


__all__: list[Any] = ["SCAN", "assert_clean_lines", "findings", "scanned"]
