"""The exams' rules that every part of it shares: a learner's own close and allowance,
when the key may be shown, what an attempt number is."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from xuefa.core.clock import SHANGHAI
from xuefa.core.errors import BadRequest, Forbidden
from xuefa.years.results import YearResult
from xuefa.years.rules import ExamDays, YearConfig

RETRIES = 8
MAX_ATTEMPT_NO = 999


def parse_attempt_no(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,3}", text or "") or not 1 <= int(text) <= MAX_ATTEMPT_NO:
        raise BadRequest("attempt numbers are whole numbers from 1", {"attempt_no": text})
    return int(text)


def epoch(at: datetime) -> int:
    return int(at.timestamp())


def closes(config: YearConfig, result: YearResult) -> datetime:
    """The learner's own close: the year's, or later by an override."""
    close = config.exam_window.closes_at
    if result.own_close is not None:
        close = max(close, datetime.fromtimestamp(result.own_close, SHANGHAI))
    return close


def learner_window(
    config: YearConfig, result: YearResult, unit_path: str
) -> tuple[datetime, datetime, ExamDays | None]:
    """When this learner may start: their unit's exam days if the year gives it some
    (分批次), else the year's window; an override's later close reaches past either."""
    days = config.days_of(unit_path)
    opens = days.opens_at if days else config.exam_window.opens_at
    close = days.closes_at if days else config.exam_window.closes_at
    if result.own_close is not None:
        close = max(close, datetime.fromtimestamp(result.own_close, SHANGHAI))
    return opens, close, days


def allowed(config: YearConfig, result: YearResult) -> int:
    """The attempts this learner may use: the year's and those granted."""
    return config.max_attempts + result.extra_granted


def review_margin(config: YearConfig) -> timedelta:
    """How long after a close an attempt can still be open: a paper's time and grace
    (a deadline never passes the learner's close; the paper's time covers an edit)."""
    return timedelta(minutes=config.paper.duration_minutes, seconds=config.paper.grace_seconds)


def review_opens(config: YearConfig, latest_granted: int | None) -> datetime:
    """The moment no attempt of the year can be started or be open for anyone: the
    exam's close, or the latest close any override of the year granted, plus a paper's
    time and grace. Known from the year alone, without looking at any learner."""
    close = config.exam_window.closes_at
    if latest_granted is not None:
        close = max(close, datetime.fromtimestamp(int(latest_granted), SHANGHAI))
    return close + review_margin(config)


def inactive(status: object) -> Forbidden:
    return Forbidden(
        "only active learners can sit the exam", {"reason": "inactive", "status": str(status)}
    )
