"""Exams: attempts with hard limits, server-side grading, the best score that only rises.

Start is ONE TransactWriteItems: the year result's attempt counter moves from n to n+1
under `attempts_used = n AND attempts_used < allowed AND no open attempt`, the attempt
appears with its drawn paper, and the window is a ConditionCheck on the year's config.
Submit is ONE TransactWriteItems too: the attempt closes under `state = open`, the year
result forgets the open attempt, and the best score rises only under `best < score`.
An attempt left open past its deadline plus grace is graded on its saved answers the
next time anyone looks (or by the nightly job), so nobody is stuck and nothing is lost.
Both writes also check that the learner's profile is still active.

A closed attempt's review shows the score and the learner's own answers only, until no
attempt of the year can be started or be open for anyone (`review_opens`): only then
does it show, per question, whether it was right, the key and the explanation.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from xuefa.core.audit import Reason
from xuefa.core.auth import Actor, require_learner
from xuefa.core.clock import SHANGHAI, Clock, iso, local_date, parse_iso
from xuefa.core.errors import (
    AttemptClosed,
    AttemptLimit,
    AttemptOpen,
    BadRequest,
    Conflict,
    Duplicate,
    Forbidden,
    NotFound,
    OutsideWindow,
    OverrideLimit,
    TooEarly,
    YearClosed,
)
from xuefa.exams import views
from xuefa.exams.bank_repository import BankReader, question_item
from xuefa.exams.papers import (
    attempt_rng,
    check_answers,
    grade,
    make_paper,
    shapes_of,
    well_formed,
)
from xuefa.exams.questions import validate_import
from xuefa.exams.repository import (
    SAVES,
    Attempt,
    AttemptRepository,
    Closing,
    Grant,
    LearnerInactive,
    NewAttempt,
    YearHasClosed,
)
from xuefa.roster.directory import Directory
from xuefa.years.repository import YearBook
from xuefa.years.rules import YearConfig, exact_score, shown_score

RETRIES = 8
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
MAX_ATTEMPT_NO = 999
BANK_CHUNK = 99


class OverrideTerms(BaseModel):
    """What an override grants, for one learner or a whole unit, and why."""

    # At least one of the two, as the validator below insists: said in the schema too.
    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {"required": ["extra_attempts"], "properties": {"extra_attempts": {"minimum": 1}}},
                {"required": ["closes_at"], "properties": {"closes_at": {"type": "string"}}},
            ]
        }
    )

    override_id: str = Field(pattern=ID_PATTERN)
    extra_attempts: int = Field(0, ge=0, le=20)
    closes_at: datetime | None = None
    reason: Reason

    @model_validator(mode="after")
    def _grants_something(self) -> OverrideTerms:
        if self.extra_attempts == 0 and self.closes_at is None:
            raise ValueError("give extra_attempts or closes_at")
        if self.closes_at is not None and self.closes_at.tzinfo is None:
            self.closes_at = self.closes_at.replace(tzinfo=SHANGHAI)
        return self


class Override(OverrideTerms):
    student_no: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9]+$")


class BulkOverride(OverrideTerms):
    unit_id: str = Field(min_length=1, max_length=64)


def parse_attempt_no(text: str) -> int:
    if not re.fullmatch(r"[0-9]{1,3}", text or "") or not 1 <= int(text) <= MAX_ATTEMPT_NO:
        raise BadRequest("attempt numbers are whole numbers from 1", {"attempt_no": text})
    return int(text)


def _epoch(at: datetime) -> int:
    return int(at.timestamp())


def _closes(config: YearConfig, result: Mapping[str, Any]) -> datetime:
    """The learner's own close: the year's, or later by an override."""
    closes = config.exam_window.closes_at
    override = result.get("close_override")
    if override is not None:
        closes = max(closes, datetime.fromtimestamp(int(override), SHANGHAI))
    return closes


def review_margin(config: YearConfig) -> timedelta:
    """How long after a close an attempt can still be open: a paper's time and grace
    (a deadline never passes the learner's close; the paper's time covers an edit)."""
    return timedelta(minutes=config.paper.duration_minutes, seconds=config.paper.grace_seconds)


def review_opens(config: YearConfig, latest_granted: int | None) -> datetime:
    """The moment no attempt of the year can be started or be open for anyone: the
    exam's close, or the latest close any override of the year granted, plus a paper's
    time and grace. Known from the year alone, without looking at any learner."""
    closes = config.exam_window.closes_at
    if latest_granted is not None:
        closes = max(closes, datetime.fromtimestamp(int(latest_granted), SHANGHAI))
    return closes + review_margin(config)


def inactive(status: object) -> Forbidden:
    return Forbidden(
        "only active learners can sit the exam", {"reason": "inactive", "status": str(status)}
    )


def _allowed(config: YearConfig, result: Mapping[str, Any]) -> int:
    return config.max_attempts + int(result.get("extra_attempts", 0))


# Who may grant overrides, by the depth of their unit: the city is the root (depth 0),
# counties and city departments its children (1), units below them (2 and more).
GRANTOR_DEPTH = {"city": 0, "county": 1, "unit": 99}


def may_grant(config: YearConfig, unit_path: str) -> bool:
    return unit_path.count("/") <= GRANTOR_DEPTH[config.overrides.granted_by]


def override_limit(
    config: YearConfig, extra_before: int, override: OverrideTerms
) -> OverrideLimit | None:
    """Why an override goes beyond the year's policy, or None when it stays inside."""
    policy = config.overrides
    if extra_before + override.extra_attempts > policy.max_extra_attempts:
        return OverrideLimit(
            f"at most {policy.max_extra_attempts} extra attempts a learner this year; "
            f"{extra_before} already granted",
            {
                "limit": "max_extra_attempts",
                "max_extra_attempts": policy.max_extra_attempts,
                "granted": extra_before,
            },
        )
    latest = config.latest_override_close
    if override.closes_at is not None and override.closes_at > latest:
        return OverrideLimit(
            f"no close later than {iso(latest)}",
            {"limit": "latest_close", "latest_close": iso(latest)},
        )
    return None


class Exams:
    def __init__(
        self,
        attempts: AttemptRepository,
        years: YearBook,
        bank: BankReader,
        directory: Directory,
        clock: Clock,
    ):
        self.attempts = attempts
        self.years = years
        self.bank = bank
        self.directory = directory
        self.clock = clock

    # --- reading ---------------------------------------------------------------------

    def _read(self, student_no: str, year: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """Year result and profile, in one strongly consistent request."""
        return self.attempts.result_and_profile(student_no, year)

    def _settle(
        self, student_no: str, config: YearConfig, result: dict[str, Any]
    ) -> dict[str, Any]:
        """Grade an attempt left open past its deadline plus grace; the fresh year result."""
        open_no = result.get("open_attempt")
        if open_no is None or int(result.get("open_hard_close", 0)) > _epoch(self.clock.now()):
            return result
        self.finish(student_no, config.year, int(open_no), None)
        fresh, _ = self._read(student_no, config.year)
        return fresh

    def summary(self, actor: Actor, year: int) -> views.ExamSummary:
        require_learner(actor)
        config = self.years.get(year)
        result, _ = self._read(actor.username, year)
        result = self._settle(actor.username, config, result)
        now = self.clock.now()
        closes = _closes(config, result)
        used = int(result.get("attempts_used", 0))
        allowed = _allowed(config, result)
        annual = config.annual(int(result.get("credits", 0)), result.get("best_score"))
        return views.ExamSummary.model_validate(
            {
                "year": year,
                "window": {"opens_at": iso(config.exam_window.opens_at), "closes_at": iso(closes)},
                "open_now": config.exam_window.opens_at <= now < closes,
                "max_attempts": allowed,
                "attempts_used": used,
                "attempts_left": max(0, allowed - used),
                "best_score": shown_score(result.get("best_score")),
                "open_attempt_no": int(result["open_attempt"])
                if "open_attempt" in result
                else None,
                "duration_minutes": config.paper.duration_minutes,
                "questions_per_paper": config.paper.questions_per_paper,
                "full_marks": config.exam_full_marks,
                "pass_mark": config.pass_mark,
                # the annual score so far: the credits now and the best score now
                "annual": annual.view(),
            }
        )

    # --- start -----------------------------------------------------------------------

    def start(self, actor: Actor, year: int) -> views.StartedAttempt:
        require_learner(actor)
        config = self.years.get(year)
        for _ in range(RETRIES):
            # Read again after a refused write: someone moved first, or the learner left
            # (the write checks the profile too, so a resignation in between counts).
            result, profile = self._read(actor.username, year)
            if profile is None:
                raise inactive("unknown")
            if profile.get("status", "active") != "active":
                raise inactive(profile["status"])
            unit_id = str(result.get("unit_id") or profile["unit_id"])
            result = self._settle(actor.username, config, result)
            now = self.clock.now()
            closes = self._check_may_start(config, result, now)
            started = self._create(actor.username, unit_id, config, result, now, closes)
            if started is not None:
                return started
        raise Conflict("too many simultaneous starts; try again")

    def _check_may_start(
        self, config: YearConfig, result: Mapping[str, Any], now: datetime
    ) -> datetime:
        """The learner's close, if an attempt may start now; else why not."""
        if config.closed(now):
            raise YearClosed(f"study year {config.year} has closed")
        closes = _closes(config, result)
        if not config.exam_window.opens_at <= now < closes:
            raise OutsideWindow("the exam window is not open")
        if "open_attempt" in result:
            number = int(result["open_attempt"])
            raise AttemptOpen(f"attempt {number} is still open", {"open_attempt_no": number})
        used = int(result.get("attempts_used", 0))
        allowed = _allowed(config, result)
        if used >= allowed:
            raise AttemptLimit(f"all {allowed} attempts have been used")
        self._check_wait(config, result, now)
        return closes

    def _check_wait(self, config: YearConfig, result: Mapping[str, Any], now: datetime) -> None:
        wait = config.paper.min_wait_minutes
        last = result.get("last_submitted")
        if wait and last is not None:
            ready = datetime.fromtimestamp(int(last), SHANGHAI) + timedelta(minutes=wait)
            if now < ready:
                raise TooEarly(
                    f"the next attempt can start at {iso(ready)}", {"next_start_at": iso(ready)}
                )

    def _create(
        self,
        student_no: str,
        unit_id: str,
        config: YearConfig,
        result: Mapping[str, Any],
        now: datetime,
        closes: datetime,
    ) -> views.StartedAttempt | None:
        attempt_no = int(result.get("attempts_used", 0)) + 1
        salt = secrets.token_hex(8)
        paper = make_paper(
            self.bank.questions(config.year),
            config.paper,
            attempt_rng(student_no, config.year, attempt_no, salt),
            salt,
        )
        deadline = min(now + timedelta(minutes=config.paper.duration_minutes), closes)
        hard_close = deadline + timedelta(seconds=config.paper.grace_seconds)
        opened = self.attempts.open(
            NewAttempt(
                student_no=student_no,
                unit_id=unit_id,
                year=config.year,
                attempt_no=attempt_no,
                allowed=_allowed(config, result),
                started_at=iso(now),
                deadline=iso(deadline),
                hard_close=_epoch(hard_close),
                salt=salt,
                paper=paper,
                shapes=shapes_of(paper),
                now=now,
                close_override="close_override" in result,
            )
        )
        if not opened:
            return None
        return views.StartedAttempt.model_validate(
            {
                "attempt_no": attempt_no,
                "started_at": iso(now),
                "deadline": iso(deadline),
                "duration_minutes": config.paper.duration_minutes,
                "questions": [question.public() for question in paper],
            }
        )

    # --- answering and submitting ----------------------------------------------------

    def save_answers(
        self, actor: Actor, year: int, attempt_no: int, answers: dict[str, Any]
    ) -> views.SavedAnswers:
        """One conditional write, no read: DynamoDB checks that the attempt is open and
        each answer fits its question; only a refused save is read and explained."""
        require_learner(actor)
        self.years.get(year)
        clean = well_formed(answers)
        for _ in range(2):  # a second time only after giving an old attempt its sheet
            now = _epoch(self.clock.now())
            refused = self.attempts.save(actor.username, year, attempt_no, clean, now)
            if refused is None:
                return views.SavedAnswers(attempt_no=attempt_no, saved=len(clean))
            if refused:
                if refused["state"] != "open" or int(refused["hard_close"]) <= now:
                    raise AttemptClosed("this attempt no longer takes answers")
                check_answers(dict(refused.get("shapes", {})), clean)  # says which, as a 400
                raise Conflict()  # fitted after all: the sheet changed meanwhile
            self._give_sheet(actor.username, year, attempt_no)
        raise Conflict()

    def _give_sheet(self, student_no: str, year: int, attempt_no: int) -> None:
        """A save found no sheet: the attempt is missing, or from before the split."""
        _, attempt = self.attempts.result_and_attempt(student_no, year, attempt_no)
        if attempt is None:
            raise NotFound(f"there is no attempt {attempt_no}")
        if attempt.legacy:
            self.attempts.copy_to_sheet(attempt, shapes_of(attempt.paper))

    def submit(
        self, actor: Actor, year: int, attempt_no: int, answers: dict[str, Any] | None
    ) -> views.Outcome:
        require_learner(actor)
        return self.finish(actor.username, year, attempt_no, answers, by_learner=True)

    def finish(
        self,
        student_no: str,
        year: int,
        attempt_no: int,
        answers: dict[str, Any] | None,
        by_learner: bool = False,
    ) -> views.Outcome:
        """Grade and close an attempt (a submit, or the late grading of a forgotten one).
        Closing twice returns the first result. A learner's submit after the year has
        closed (and the grace with it) is refused; the late grading of what was saved
        before the deadline still happens, by the nightly job or the next look."""
        config = self.years.get(year)
        grace = config.paper.grace_seconds
        for _ in range(RETRIES):
            result, attempt = self.attempts.result_and_attempt(student_no, year, attempt_no)
            if attempt is None:
                raise NotFound(f"there is no attempt {attempt_no}")
            if not attempt.is_open:
                return self._outcome(config, attempt.sheet, result)
            if by_learner and config.closed(self.clock.now() - timedelta(seconds=grace)):
                raise YearClosed(f"study year {year} has closed")
            if attempt.legacy:
                self.attempts.copy_to_sheet(attempt, shapes_of(attempt.paper))
                continue
            closing = self._grade(student_no, config, result, attempt, answers, by_learner)
            try:
                if not self.attempts.close(closing):
                    continue  # closed meanwhile, or an answer saved: read again
            except YearHasClosed as exc:
                raise YearClosed(f"study year {year} has closed") from exc
            except LearnerInactive as exc:
                raise inactive("not active") from exc
            if closing.raises_best:
                result = {**result, "best_score": closing.score}
            closed = {**attempt.sheet, "score": closing.score, "late": closing.late}
            return self._outcome(config, closed, result)
        raise Conflict("too many simultaneous submissions; try again")

    def _grade(
        self,
        student_no: str,
        config: YearConfig,
        result: Mapping[str, Any],
        attempt: Attempt,
        answers: dict[str, Any] | None,
        by_learner: bool,
    ) -> Closing:
        paper = attempt.paper
        given = check_answers(shapes_of(paper), answers) if answers else {}
        now = self.clock.now()
        late = _epoch(now) >= int(attempt.sheet["hard_close"])
        final = attempt.answers if late else {**attempt.answers, **given}
        # A forgotten attempt finished at its deadline, whenever it is graded: the
        # nightly report counts it on that day.
        finished = parse_iso(str(attempt.sheet["deadline"])) if late else now
        score = grade(paper, final, config.exam_full_marks)
        best = result.get("best_score")
        saves = attempt.sheet.get(SAVES)
        return Closing(
            student_no=student_no,
            unit_id=str(result.get("unit_id") or self.directory.learner(student_no)["unit_id"]),
            year=config.year,
            attempt_no=attempt.number,
            saves_seen=int(saves) if saves is not None else None,
            score=score,
            answers=final,
            submitted_at=iso(now),
            submitted_epoch=_epoch(now),
            finished_at=iso(finished),
            finished_day=local_date(finished),
            late=late,
            raises_best=best is None or Decimal(best) < score,
            year_check=now if by_learner else None,
            grace_seconds=config.paper.grace_seconds,
        )

    def _outcome(
        self, config: YearConfig, attempt: Mapping[str, Any], result: Mapping[str, Any]
    ) -> views.Outcome:
        score = Decimal(attempt["score"])
        best = Decimal(result.get("best_score", score))
        annual = config.annual(int(result.get("credits", 0)), best)
        exact = exact_score(score)
        return views.Outcome.model_validate(
            {
                "attempt_no": int(attempt["attempt_no"]),
                "score": shown_score(score),
                "best_score": shown_score(best),
                "passed_exam_part": exact * 100 >= config.pass_mark * config.exam_full_marks,
                "late": bool(attempt.get("late", False)),
                "annual": annual.view(),
            }
        )

    # --- history ---------------------------------------------------------------------

    def history(self, actor: Actor, year: int) -> views.Attempts:
        require_learner(actor)
        return self._history(actor.username, year)

    def learner_history(self, actor: Actor, year: int, student_no: str) -> views.Attempts:
        """A learner's attempts, for administrators in scope (scores, never papers)."""
        self.directory.learner_in_scope(actor, student_no)
        return self._history(student_no, year)

    def _history(self, student_no: str, year: int) -> views.Attempts:
        config = self.years.get(year)
        result, _ = self._read(student_no, year)
        result = self._settle(student_no, config, result)
        sheets = self.attempts.sheets(student_no, year, int(result.get("attempts_used", 0)))
        return views.Attempts.model_validate(
            {
                "items": [
                    {
                        "attempt_no": int(sheet["attempt_no"]),
                        "state": sheet["state"],
                        "started_at": sheet["started_at"],
                        "deadline": sheet["deadline"],
                        "submitted_at": sheet.get("submitted_at"),
                        "score": shown_score(sheet.get("score")),
                    }
                    for sheet in sheets
                ]
            }
        )

    def attempt(self, actor: Actor, year: int, attempt_no: int) -> views.Attempt:
        require_learner(actor)
        config = self.years.get(year)
        read = self.attempts.attempt_for_review
        result, found, latest = read(actor.username, year, attempt_no)
        # Left open past its deadline and grace: graded now, then read again.
        forgotten = int(result.get("open_hard_close", 0)) <= _epoch(self.clock.now())
        if found is not None and result.get("open_attempt") == attempt_no and forgotten:
            self._settle(actor.username, config, result)
            result, found, latest = read(actor.username, year, attempt_no)
        if found is None:
            raise NotFound(f"there is no attempt {attempt_no}")
        sheet, paper, answers = found.sheet, found.paper, found.answers
        body: dict[str, Any] = {
            "attempt_no": attempt_no,
            "state": sheet["state"],
            "started_at": sheet["started_at"],
            "deadline": sheet["deadline"],
            "questions": [question.public() for question in paper],
            "answers": answers,
        }
        if not found.is_open:
            body["submitted_at"] = sheet.get("submitted_at")
            body["score"] = shown_score(sheet.get("score"))
            opens = review_opens(config, latest)
            body["review_open"] = self.clock.now() >= opens
            body["review_opens_at"] = iso(opens)
            if body["review_open"]:  # nobody can sit any more: the key, at last
                review = {q.question_id: views.review_of(q, answers) for q in paper}
                body["review"] = review
                body["correct"] = {question_id: r.correct for question_id, r in review.items()}
        return views.Attempt.model_validate(body)

    # --- admin: the bank and overrides -----------------------------------------------

    def import_questions(
        self, actor: Actor, year: int, raw: list[dict[str, Any]]
    ) -> views.Imported:
        self.directory.city_admin(actor)
        config = self.years.get(year)
        now = self.clock.now()
        if config.closed(now):
            raise YearClosed(f"study year {year} has closed: its question bank is final")
        valid, errors = validate_import(raw)
        if errors:
            raise BadRequest(
                f"{len(errors)} of {len(raw)} questions are invalid; nothing was imported",
                {"errors": errors},
            )
        items = [question_item(year, question) for question in valid]
        # In transactions with the year's open check, so a closed year's bank stays as
        # it was; 99 puts and the check fill one transaction.
        for first in range(0, len(items), BANK_CHUNK):
            if not self.attempts.add_questions(year, items[first : first + BANK_CHUNK], now):
                raise YearClosed(f"study year {year} has closed")
        self.bank.forget(year)
        return views.Imported.model_validate({"imported": len(valid), "errors": []})

    def override(self, actor: Actor, year: int, override: Override) -> views.OverrideView:
        profile = self.directory.learner_in_scope(actor, override.student_no)
        config = self._override_policy(actor, year, override)
        self._cover_close(config, override)
        return self._apply_override(actor, config, profile, override)

    def _cover_close(self, config: YearConfig, terms: OverrideTerms) -> None:
        """Before granting a later close, the year's latest granted close is raised to it
        (only if greater): the key stays closed until that close has passed for everyone.
        A bulk override does it once for all its learners."""
        if terms.closes_at is not None:
            margin = int(review_margin(config).total_seconds())
            self.attempts.raise_latest_close(config.year, terms.closes_at, self.clock.now(), margin)

    def _override_policy(self, actor: Actor, year: int, terms: OverrideTerms) -> YearConfig:
        """The year, if this admin may grant overrides in it and the terms make sense."""
        config = self.years.get(year)
        if not may_grant(config, self.directory.unit(actor.unit_id).path):
            raise Forbidden(
                f"in {year} only {config.overrides.granted_by} administrators grant overrides"
            )
        if config.closed(self.clock.now()):
            raise YearClosed(f"study year {year} has closed")
        if terms.closes_at is not None and terms.closes_at <= config.exam_window.closes_at:
            raise BadRequest(
                "closes_at must be later than the exam window's close",
                {"closes_at": iso(config.exam_window.closes_at)},
            )
        return config

    def _apply_override(
        self, actor: Actor, config: YearConfig, profile: Mapping[str, Any], override: Override
    ) -> views.OverrideView:
        now = self.clock.now()
        request = override.model_dump(mode="json")
        result, _ = self._read(override.student_no, config.year)
        extra_before = int(result.get("extra_attempts", 0))
        earlier = self.attempts.override_request(override.override_id)
        if earlier is None:  # a repeated request is answered below, as before
            refusal = override_limit(config, extra_before, override)
            if refusal is not None:
                raise refusal
        closes = _closes(config, result)
        if override.closes_at is not None:
            closes = max(closes, override.closes_at)
        grant = Grant(
            override_id=override.override_id,
            student_no=override.student_no,
            unit_id=str(result.get("unit_id") or profile["unit_id"]),
            year=config.year,
            request=request,
            extra_attempts=override.extra_attempts,
            extra_room=config.overrides.max_extra_attempts - override.extra_attempts,
            close_override=_epoch(closes) if override.closes_at is not None else None,
            asked_close=override.closes_at,
            reason=override.reason,
            before={"extra_attempts": extra_before, "close_override": result.get("close_override")},
            at=now,
            review_margin=int(review_margin(config).total_seconds()),
        )
        refused = self.attempts.grant(actor, grant)
        if refused:
            self._override_refused(refused, config, request, override)
        fresh, _ = self._read(override.student_no, config.year)
        return views.OverrideView.model_validate(
            {
                "override_id": override.override_id,
                "student_no": override.student_no,
                "year": config.year,
                "max_attempts": _allowed(config, fresh),
                "closes_at": iso(_closes(config, fresh)),
                "reason": override.reason,
            }
        )

    def _override_refused(
        self,
        refused: frozenset[str],
        config: YearConfig,
        request: dict[str, Any],
        override: Override,
    ) -> None:
        """Turn a refused override into its answer: a repeat (nothing to raise), a reused
        id, a limit reached meanwhile, or the year closing."""
        if "once" in refused:
            if self.attempts.override_request(override.override_id) != request:
                raise Duplicate(
                    f"override {override.override_id} was already used for another change"
                )
            return
        if "year" in refused:
            latest = config.latest_override_close
            if override.closes_at is None or override.closes_at <= latest:
                raise YearClosed(f"study year {config.year} has closed")
            raise OverrideLimit(
                f"no close later than {iso(latest)}",
                {"limit": "latest_close", "latest_close": iso(latest)},
            )
        if "review" in refused:
            raise Conflict(
                f"the review of study year {config.year}'s exam has opened (its key is out): "
                "no more attempts can be granted",
                {"reason": "review_open"},
            )
        if "room" in refused:
            result, _ = self._read(override.student_no, config.year)
            refusal = override_limit(config, int(result.get("extra_attempts", 0)), override)
            if refusal is not None:  # another override took the room meanwhile
                raise refusal
        raise Conflict()

    def bulk_override(self, actor: Actor, year: int, bulk: BulkOverride) -> views.BulkOverrideView:
        self.directory.unit_in_scope(actor, bulk.unit_id)
        config = self._override_policy(actor, year, bulk)
        self._cover_close(config, bulk)
        learners = self.directory.active_learners(bulk.unit_id)
        applied = []
        skipped = []
        for profile in learners:
            single = Override(
                override_id=f"{bulk.override_id}.{profile['student_no']}",
                student_no=str(profile["student_no"]),
                extra_attempts=bulk.extra_attempts,
                closes_at=bulk.closes_at,
                reason=bulk.reason,
            )
            try:
                applied.append(self._apply_override(actor, config, profile, single))
            except (OverrideLimit, Duplicate) as refusal:
                skipped.append(
                    {
                        "student_no": single.student_no,
                        "code": refusal.code,
                        "message": refusal.message,
                        "details": refusal.details or {},
                    }
                )
        return views.BulkOverrideView.model_validate(
            {
                "override_id": bulk.override_id,
                "unit_id": bulk.unit_id,
                "applied": applied,
                "skipped": skipped,
            }
        )
