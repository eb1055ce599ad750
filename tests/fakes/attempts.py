"""The attempts repository in memory, with DynamoDB's all-or-nothing outcomes, and a
question bank to draw papers from."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from tests.fakes.directory import FakeDirectory, FakeYearBook
from xuefa.core.auth import Actor
from xuefa.exams.corrected import Correction
from xuefa.exams.papers import fits
from xuefa.exams.questions import Question
from xuefa.exams.repository import (
    Attempt,
    Closing,
    ForReview,
    Grant,
    LearnerInactive,
    NewAttempt,
    Refusal,
    YearHasClosed,
)
from xuefa.years.result_repository import best_attr, finished_attr, year_result_of
from xuefa.years.results import YearResult

Key = tuple[str, int, int]


class FakeBank:
    """A year's questions: single-choice, four options, the first one right."""

    def __init__(self, count: int = 60) -> None:
        self.bank = [
            Question(
                question_id=f"q{i:03d}",
                type="single",
                stem=f"第{i}题",
                options=[{"key": k, "text": f"选项{k}"} for k in "ABCD"],
                answer=["A"],
            )
            for i in range(count)
        ]

    def questions(self, year: int) -> list[Question]:
        return self.bank

    def versions(self, year: int) -> dict[str, int]:
        return dict.fromkeys((q.question_id for q in self.bank), 1)

    def version(self, year: int, question_id: str, version: int) -> Question | None:
        return next((q for q in self.bank if q.question_id == question_id), None)

    def taken(self, year: int, pool: str, question_ids: list[str]) -> set[str]:
        return set()

    def forget(self, year: int) -> None:
        pass


class FakeAttempts:
    def __init__(self, years: FakeYearBook, directory: FakeDirectory) -> None:
        self.years = years
        self.directory = directory
        self.results: dict[tuple[str, int], dict[str, Any]] = {}
        self.papers: dict[Key, Attempt] = {}
        self.sheet: dict[Key, dict[str, Any]] = {}
        self.overrides: dict[str, dict[str, Any]] = {}
        self.imported: list[dict[str, Any]] = []
        self.latest_close: dict[int, int] = {}  # the year's latest granted close (epoch)
        self.corrections: dict[int, list[Correction]] = {}  # the year's corrections
        self.calls: list[str] = []
        self._lock = threading.Lock()

    def shown_paper(self, whole: Mapping[str, Any]) -> list[dict[str, Any]]:
        """A paper item as shown (the fake keeps papers whole, as stored before #28)."""
        return [{k: v for k, v in q.items() if k != "answer"} for q in whole.get("paper", [])]

    # reading ------------------------------------------------------------------------

    def result_and_profile(
        self, student_no: str, year: int
    ) -> tuple[YearResult, dict[str, Any] | None]:
        self.calls.append("result_and_profile")
        profile = self.directory.profiles.get(student_no)
        return year_result_of(self.results.get((student_no, year)), student_no, year), profile

    def result_and_attempt(
        self, student_no: str, year: int, attempt_no: int
    ) -> tuple[YearResult, Attempt | None]:
        self.calls.append("result_and_attempt")
        result = year_result_of(self.results.get((student_no, year)), student_no, year)
        key = (student_no, year, attempt_no)
        if key not in self.sheet:
            return result, None
        questions = self.papers[key].paper
        return result, Attempt(dict(self.sheet[key]), questions)

    def attempt_for_review(self, student_no: str, year: int, attempt_no: int) -> ForReview:
        result, attempt = self.result_and_attempt(student_no, year, attempt_no)
        fixes = list(self.corrections.get(year, []))
        return ForReview(result, attempt, self.latest_close.get(year), fixes)

    def _active(self, student_no: str) -> bool:
        profile = self.directory.profiles.get(student_no)
        return profile is not None and profile.get("status", "active") == "active"

    def _review_open(self, year: int, at: float, margin: int) -> bool:
        config = self.years.get(year)
        closes = max(config.exam_window.closes_at.timestamp(), self.latest_close.get(year, 0))
        return closes + margin <= at

    def sheets(self, student_no: str, year: int, started: int) -> list[Attempt]:
        return [
            Attempt(dict(s), [])
            for (no, y, _), s in sorted(self.sheet.items())
            if (no, y) == (student_no, year)
        ]

    # writing ------------------------------------------------------------------------

    def raise_latest_close(self, year: int, close: datetime, at: datetime, margin: int) -> None:
        self.calls.append("raise_latest_close")
        with self._lock:
            config = self.years.get(year)
            if (
                config.credit_window.closes_at > at
                and close <= config.latest_override_close
                and not self._review_open(year, at.timestamp(), margin)
                and self.latest_close.get(year, 0) < close.timestamp()
            ):
                self.latest_close[year] = int(close.timestamp())

    def open(self, new: NewAttempt) -> bool:
        self.calls.append("open")
        with self._lock:
            result = self.results.get((new.student_no, new.year), {})
            config = self.years.get(new.year)
            used = int(result.get("attempts_used", 0))
            if used != new.attempt_no - 1 or used >= new.allowed or "open_attempt" in result:
                return False
            if not self._active(new.student_no):
                return False
            if new.close_override:
                if not (int(result.get("close_override", 0)) > new.now.timestamp()):
                    return False
            elif not config.exam_window.opens_at <= new.now < config.exam_window.closes_at:
                return False
            key = (new.student_no, new.year, new.attempt_no)
            self.papers[key] = Attempt({}, list(new.paper))
            self.sheet[key] = {
                "student_no": new.student_no,
                "year": new.year,
                "attempt_no": new.attempt_no,
                "started_at": new.started_at,
                "deadline": new.deadline,
                "hard_close": new.hard_close,
                "state": "open",
                "answers": {},
                "shapes": dict(new.shapes),
            }
            result = self.results.setdefault((new.student_no, new.year), {})
            result.setdefault("unit_id", new.unit_id)
            result.update(
                attempts_used=new.attempt_no,
                open_attempt=new.attempt_no,
                open_hard_close=new.hard_close,
            )
            return True

    def save(
        self,
        student_no: str,
        year: int,
        attempt_no: int,
        answers: Mapping[str, list[str]],
        now: int,
    ) -> Refusal | None:
        self.calls.append("save")
        with self._lock:
            sheet = self.sheet.get((student_no, year, attempt_no))
            if sheet is None:
                return Refusal(None)
            shapes = sheet["shapes"]
            fitting = all(
                q in shapes and (not keys or any(lo <= shapes[q] <= hi for lo, hi in fits(keys)))
                for q, keys in answers.items()
            )
            if sheet["state"] != "open" or int(sheet["hard_close"]) <= now or not fitting:
                return Refusal(Attempt(dict(sheet), []))
            sheet["answers"] = {**sheet["answers"], **answers}
            sheet["answer_saves"] = int(sheet.get("answer_saves", 0)) + 1
            return None

    def copy_to_sheet(self, attempt: Attempt, shapes: dict[str, str]) -> None:
        raise AssertionError("the fake holds no attempts from before the split")

    def close(self, closing: Closing) -> bool:
        self.calls.append("close")
        with self._lock:
            # As the transaction answers: the year's and the profile's checks are named
            # whatever else failed with them.
            if closing.year_check is not None:
                closes = self.years.get(closing.year).credit_window.closes_at.timestamp()
                if not closes > closing.year_check.timestamp() - closing.grace_seconds:
                    raise YearHasClosed()
                if not self._active(closing.student_no):
                    raise LearnerInactive()
            key = (closing.student_no, closing.year, closing.attempt_no)
            sheet = self.sheet.get(key)
            result = self.results.get((closing.student_no, closing.year), {})
            best = result.get("best_score")
            if (
                sheet is None
                or sheet["state"] != "open"
                or sheet.get("answer_saves") != closing.saves_seen
                or result.get("open_attempt") != closing.attempt_no
                or (closing.raises_best and best is not None and not best < closing.score)
            ):
                return False
            sheet.update(
                state="submitted",
                score=closing.score,
                answers=closing.answers,
                submitted_at=closing.submitted_at,
                finished_at=closing.finished_at,
                late=closing.late,
            )
            result["last_submitted"] = closing.submitted_epoch
            if closing.raises_best:
                result["best_score"] = closing.score
                result[best_attr(closing.finished_day)] = closing.score
            finished = finished_attr(closing.finished_day)
            result[finished] = result.get(finished, 0) + 1
            result.pop("open_attempt", None)
            result.pop("open_hard_close", None)
            return True

    # overrides and the bank ---------------------------------------------------------

    def override_request(self, override_id: str) -> dict[str, Any] | None:
        return self.overrides.get(override_id)

    def grant(self, actor: Actor, grant: Grant) -> frozenset[str]:
        with self._lock:
            refused = set()
            result = self.results.get((grant.student_no, grant.year), {})
            config = self.years.get(grant.year)
            if grant.override_id in self.overrides:
                refused.add("once")
            # As the year result's conditions: an attribute not written yet leaves room.
            if grant.close_override is not None and (
                result.get("close_override", grant.close_override) > grant.close_override
            ):
                refused.add("room")
            if grant.extra_attempts and (
                result.get("extra_attempts", grant.extra_room) > grant.extra_room
            ):
                refused.add("room")
            if config.credit_window.closes_at <= grant.at or (
                grant.asked_close is not None and grant.asked_close > config.latest_override_close
            ):
                refused.add("year")
            elif self._review_open(grant.year, grant.at.timestamp(), grant.review_margin):
                refused.add("review")
            elif grant.asked_close is not None and (
                self.latest_close.get(grant.year, 0) < grant.asked_close.timestamp()
            ):
                refused.add("cover")
            if refused:
                return frozenset(refused)
            self.overrides[grant.override_id] = grant.request
            result = self.results.setdefault((grant.student_no, grant.year), {})
            result.setdefault("unit_id", grant.unit_id)
            if grant.close_override is not None:
                result["close_override"] = grant.close_override
            if grant.extra_attempts:
                result["extra_attempts"] = (
                    int(result.get("extra_attempts", 0)) + grant.extra_attempts
                )
            return frozenset()

    def add_questions(self, year: int, items: list[dict[str, Any]], at: datetime) -> bool:
        if self.years.get(year).credit_window.closes_at <= at:
            return False
        self.imported.extend(items)
        return True
