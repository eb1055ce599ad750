"""The attempts repository: an attempt is two items. The paper (what was drawn: each
question's bank id, version and option order, ~1 KB; #28) is written once at the start
and only read again to show or grade it, rebuilt from the bank's versions. The answer
sheet (state, deadline, saved answers, how many saves, and each question's shape) is
small, so a save is one conditional UpdateItem of ~1-2 KB with no read at all: DynamoDB
checks that the attempt is open, the deadline not passed and each answer fits its
question.

The year's config item also carries `override_closes_max`: the latest close any override
of the year ever granted, raised only if greater before each grant and checked by the
grant's own transaction, so "no one can sit any more" (when an attempt's review may show
the key) is known from one item, without looking at any learner.

Papers drawn before versions hold their questions whole (~17 KB) and are read as they
are. Attempts started before the split are one item (paper, state and answers together).
They are read as they are; the first save or submit of one still open copies its state
into a sheet (written only if none exists) and goes on from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.clock import iso
from xuefa.core.errors import Duplicate
from xuefa.exams.bank_repository import BankReader
from xuefa.exams.corrected import Correction
from xuefa.exams.papers import Drawn, PaperQuestion, fits, rebuilt
from xuefa.store.audit import audit_put
from xuefa.store.keys import Keys
from xuefa.store.store import ConditionFailed, Store, TransactionCancelled
from xuefa.years.repository import year_open_check
from xuefa.years.result_repository import (
    Change,
    Condition,
    best_attr,
    finished_attr,
    year_result_of,
    year_result_update,
)
from xuefa.years.results import YearResult

SAVES = "answer_saves"  # on a sheet: how many times answers were saved
SHEET_FIELDS = (
    "student_no",
    "year",
    "attempt_no",
    "state",
    "started_at",
    "deadline",
    "hard_close",
    "answers",
    SAVES,
    "shapes",
    "score",
    "submitted_at",
    "finished_at",
    "late",
)


@dataclass
class Attempt:
    """An attempt as the service sees it: its sheet and its paper."""

    sheet: dict[str, Any]
    paper: list[PaperQuestion]
    legacy: bool = False  # one item from before the split, with no sheet of its own yet

    @property
    def number(self) -> int:
        return int(self.sheet["attempt_no"])

    @property
    def is_open(self) -> bool:
        return self.sheet["state"] == "open"

    @property
    def answers(self) -> dict[str, list[str]]:
        return {k: list(v) for k, v in self.sheet.get("answers", {}).items()}

    @property
    def state(self) -> str:
        return str(self.sheet["state"])

    @property
    def started_at(self) -> str:
        return str(self.sheet["started_at"])

    @property
    def deadline(self) -> str:
        return str(self.sheet["deadline"])

    @property
    def hard_close_epoch(self) -> int:
        """The deadline plus grace, epoch seconds: no answer is taken from then on."""
        return int(self.sheet["hard_close"])

    @property
    def submitted_at(self) -> str | None:
        return self.sheet.get("submitted_at")

    @property
    def score(self) -> Any:
        return self.sheet.get("score")

    @property
    def late(self) -> bool:
        return bool(self.sheet.get("late", False))

    @property
    def saves_seen(self) -> int | None:
        """How many times answers were saved (None on a sheet from before counting)."""
        saves = self.sheet.get(SAVES)
        return int(saves) if saves is not None else None

    @property
    def shapes(self) -> dict[str, str]:
        return dict(self.sheet.get("shapes", {}))

    def closed_as(self, score: Any, late: bool) -> Attempt:
        """The same attempt once graded and closed."""
        return Attempt({**self.sheet, "score": score, "late": late}, self.paper, self.legacy)


@dataclass(frozen=True)
class ForReview:
    """What a closed attempt's review reads, in one request."""

    result: YearResult
    attempt: Attempt | None
    latest_granted_close: int | None
    corrections: list[Correction]


@dataclass(frozen=True)
class Refusal:
    """A save refused: the sheet as it was, or None when the attempt has none."""

    sheet: Attempt | None


@dataclass(frozen=True)
class NewAttempt:
    student_no: str
    unit_id: str
    year: int
    attempt_no: int
    allowed: int  # the attempts this learner may use (the year's plus overrides)
    started_at: str
    deadline: str
    hard_close: int
    salt: str
    paper: list[PaperQuestion]
    shapes: dict[str, str]
    now: datetime
    close_override: bool  # a later close granted: the year's close bounds it, not the window


# The learner's profile is active (a resigned or retired learner's token is still valid
# until it expires): checked inside the writes that start and submit, never read apart.
ACTIVE = "attribute_exists(pk) AND (attribute_not_exists(#status) OR #status = :active)"


def active_check(student_no: str) -> dict[str, Any]:
    return {
        "ConditionCheck": {
            "Key": Keys.learner(student_no),
            "ConditionExpression": ACTIVE,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":active": "active"},
        }
    }


@dataclass(frozen=True)
class Closing:
    """A graded attempt, to be closed with the year result's counters in one write."""

    student_no: str
    unit_id: str
    year: int
    attempt_no: int
    saves_seen: int | None
    score: Any
    answers: dict[str, list[str]]
    submitted_at: str
    submitted_epoch: int
    finished_at: str
    finished_day: Any
    late: bool
    raises_best: bool
    year_check: datetime | None  # a learner's submit: the year must still be open then
    grace_seconds: int = 0


@dataclass(frozen=True)
class Grant:
    """An override as recorded: more attempts and/or a later close, with its audit."""

    override_id: str
    student_no: str
    unit_id: str
    year: int
    request: dict[str, Any]
    extra_attempts: int
    extra_room: int  # the year's extra attempts a learner may still be given, less these
    close_override: int | None  # the learner's new close (epoch), if one is asked
    asked_close: datetime | None
    reason: str
    extra_before: int  # the extra attempts granted before this one
    close_before: int | None  # the learner's own close before this one (epoch)
    at: datetime
    # A paper's time and grace: no override is granted once the year's latest close plus
    # this has passed (the key may be out by then).
    review_margin: int = 0


LATEST_CLOSE = "override_closes_max"  # on the year's config item, epoch seconds


class AttemptRepository(Protocol):
    """What the exams service needs of its storage (DynamoAttempts; tests/fakes)."""

    def result_and_profile(
        self, student_no: str, year: int
    ) -> tuple[YearResult, dict[str, Any] | None]: ...

    def result_and_attempt(
        self, student_no: str, year: int, attempt_no: int
    ) -> tuple[YearResult, Attempt | None]: ...

    def attempt_for_review(self, student_no: str, year: int, attempt_no: int) -> ForReview: ...

    def shown_paper(self, whole: Mapping[str, Any]) -> list[dict[str, Any]]: ...

    def sheets(self, student_no: str, year: int, started: int) -> list[Attempt]: ...

    def raise_latest_close(self, year: int, close: datetime, at: datetime, margin: int) -> None: ...

    def open(self, new: NewAttempt) -> bool: ...

    def save(
        self,
        student_no: str,
        year: int,
        attempt_no: int,
        answers: Mapping[str, list[str]],
        now: int,
    ) -> Refusal | None: ...

    def copy_to_sheet(self, attempt: Attempt, shapes: dict[str, str]) -> None: ...

    def close(self, closing: Closing) -> bool: ...

    def override_request(self, override_id: str) -> dict[str, Any] | None: ...

    def grant(self, actor: Actor, grant: Grant) -> frozenset[str]: ...

    def add_questions(self, year: int, items: list[dict[str, Any]], at: datetime) -> bool: ...


class OnTheTable:
    """A part of the attempts repository: each speaks to the table alone. The bank's
    reader (a warm container's, shared with the service) rebuilds papers from versions."""

    def __init__(self, store: Store, bank: BankReader | None = None):
        self.store = store
        self.bank = bank or BankReader(store)

    def paper_of(self, whole: Mapping[str, Any]) -> list[PaperQuestion]:
        """An attempt's paper from its stored item: rebuilt from what was drawn, or, for a
        paper drawn before versions, as it was stored."""
        if "drawn" not in whole:
            return [PaperQuestion.model_validate(q) for q in whole.get("paper", [])]
        year = int(whole["year"])
        return rebuilt(
            [Drawn.of(str(ref)) for ref in whole["drawn"]],
            str(whole["salt"]),
            lambda question_id, version: self.bank.version(year, question_id, version),
        )

    def shown_paper(self, whole: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The paper as its learner saw it: questions and options, never the key."""
        return [question.public() for question in self.paper_of(whole)]

    def _attempt_of(
        self, found: Mapping[str, dict[str, Any]], keys: list[dict[str, str]]
    ) -> Attempt | None:
        """The attempt from its sheet and paper (keys[1], keys[2])."""
        sheet, whole = found.get(keys[1]["sk"]), found.get(keys[2]["sk"])
        if whole is None:
            return None
        questions = self.paper_of(whole)
        if sheet is not None:
            return Attempt(sheet, questions)
        return Attempt(_sheet_of(whole), questions, legacy=True)


class AttemptReads(OnTheTable):
    """What the service reads of a learner's year and attempts: each one request."""

    def result_and_profile(
        self, student_no: str, year: int
    ) -> tuple[YearResult, dict[str, Any] | None]:
        """Year result and profile, in one strongly consistent request."""
        result_key, profile_key = Keys.year_result(student_no, year), Keys.learner(student_no)
        found = self.store.batch_get([result_key, profile_key], consistent=True)
        result = next((i for i in found if i["sk"] == result_key["sk"]), None)
        profile = next((i for i in found if i["sk"] == profile_key["sk"]), None)
        return year_result_of(result, student_no, year), profile

    def result_and_attempt(
        self, student_no: str, year: int, attempt_no: int
    ) -> tuple[YearResult, Attempt | None]:
        """Year result and the attempt with its paper, in one request."""
        keys = [Keys.year_result(student_no, year), Keys.sheet(student_no, year, attempt_no)]
        keys.append(Keys.attempt(student_no, year, attempt_no))
        found = {i["sk"]: i for i in self.store.batch_get(keys, consistent=True)}
        result = year_result_of(found.get(keys[0]["sk"]), student_no, year)
        return result, self._attempt_of(found, keys)

    def attempt_for_review(self, student_no: str, year: int, attempt_no: int) -> ForReview:
        """Year result, the attempt, the latest close any override of the year granted
        (the config item) and the year's corrections, in one request."""
        keys = [Keys.year_result(student_no, year), Keys.sheet(student_no, year, attempt_no)]
        keys += [Keys.attempt(student_no, year, attempt_no), Keys.year_config(year)]
        keys.append(Keys.corrections(year))
        found = {(i["pk"], i["sk"]): i for i in self.store.batch_get(keys, consistent=True)}
        by_sk = {sk: item for (pk, sk), item in found.items() if pk != keys[3]["pk"]}
        config = found.get((keys[3]["pk"], keys[3]["sk"])) or {}
        latest = config.get(LATEST_CLOSE)
        fixes = found.get((keys[4]["pk"], keys[4]["sk"])) or {}
        return ForReview(
            year_result_of(by_sk.get(keys[0]["sk"]), student_no, year),
            self._attempt_of(by_sk, keys),
            int(latest) if latest is not None else None,
            [Correction.of(c) for c in fixes.get("corrections", [])],
        )

    def sheets(self, student_no: str, year: int, started: int) -> list[Attempt]:
        """Every attempt's sheet (without its paper), in order; attempts from before the
        split read whole."""
        learner = Keys.learner(student_no)["pk"]
        found = list(self.store.query_all(learner, Keys.sheet_prefix(year)))
        if len(found) < started:
            split = {int(s["attempt_no"]) for s in found}
            whole = self.store.query_all(learner, Keys.attempt_prefix(year))
            found += [_sheet_of(i) for i in whole if int(i["attempt_no"]) not in split]
        return [Attempt(s, []) for s in sorted(found, key=lambda s: int(s["attempt_no"]))]


class AttemptLife(OnTheTable):
    """An attempt's life: started (counted under its limit), its answers saved, closed
    with its grade and the year result's counters."""

    def open(self, new: NewAttempt) -> bool:
        """The attempt counter moves from n to n+1 under its limit with none open, and the
        paper and sheet appear; False if anything moved first."""
        used = new.attempt_no - 1
        counter = "(#s0 = :used AND #s0 < :allowed)"
        if used == 0:
            counter = f"(attribute_not_exists(#s0) OR {counter})"
        condition = f"{counter} AND attribute_not_exists(#s1)"
        values: dict[str, Any] = {":used": used, ":allowed": new.allowed}
        if new.close_override:
            condition += " AND close_override > :now"
            values[":now"] = int(new.now.timestamp())
        paper, sheet = _paper_and_sheet(new)
        operations = [
            year_result_update(
                new.student_no,
                new.year,
                new.unit_id,
                Change(
                    sets={
                        "attempts_used": new.attempt_no,
                        "open_attempt": new.attempt_no,
                        "open_hard_close": new.hard_close,
                    }
                ),
                Condition(condition, values=values),
            ),
            _put_new(paper),
            _put_new(sheet),
            self._window_check(new),
            active_check(new.student_no),
        ]
        try:
            self.store.transact(operations)
        except TransactionCancelled:
            return False
        return True

    @staticmethod
    def _window_check(new: NewAttempt) -> dict[str, Any]:
        if new.close_override:  # a learner's later close never reaches past the year
            return year_open_check(new.year, new.now)
        return {
            "ConditionCheck": {
                "Key": Keys.year_config(new.year),
                "ConditionExpression": "exam_opens <= :now AND exam_closes > :now",
                "ExpressionAttributeValues": {":now": int(new.now.timestamp())},
            }
        }

    def save(
        self,
        student_no: str,
        year: int,
        attempt_no: int,
        answers: Mapping[str, list[str]],
        now: int,
    ) -> Refusal | None:
        """Save answers onto the sheet if it is open, before its hard close, and each
        answer fits its question; None when saved, else the sheet as it was.
        The save count lets a submit in flight see that it graded stale answers."""
        names = {"#state": "state"}
        if answers:
            names.update({"#answers": "answers", "#shapes": "shapes"})
        values: dict[str, Any] = {":open": "open", ":now": now, ":one": 1}
        sets, fit = [], []
        for i, (question_id, keys) in enumerate(answers.items()):
            names[f"#q{i}"] = question_id
            values[f":a{i}"] = keys
            sets.append(f"#answers.#q{i} = :a{i}")
            ranges = []
            for j, (low, high) in enumerate(fits(keys)):
                values[f":l{i}{j}"], values[f":h{i}{j}"] = low, high
                ranges.append(f"#shapes.#q{i} BETWEEN :l{i}{j} AND :h{i}{j}")
            fit.append(f"({' OR '.join(ranges)})" if ranges else f"attribute_exists(#shapes.#q{i})")
        try:
            self.store.update(
                Keys.sheet(student_no, year, attempt_no),
                # An empty save still says whether the attempt takes answers.
                ("SET " + ", ".join(sets) + " " if sets else "") + "ADD " + SAVES + " :one",
                condition=" AND ".join(["#state = :open AND hard_close > :now", *fit]),
                names=names,
                values=values,
                new_item=False,
            )
        except ConditionFailed as refused:
            return Refusal(Attempt(refused.item, []) if refused.item else None)
        return None

    def copy_to_sheet(self, attempt: Attempt, shapes: dict[str, str]) -> None:
        """Give an attempt from before the split its own sheet (once: a racing copy loses)."""
        sheet = {**attempt.sheet, "shapes": shapes}
        key = Keys.sheet(str(sheet["student_no"]), int(sheet["year"]), attempt.number)
        with suppress(ConditionFailed):
            self.store.put({**key, **sheet}, condition="attribute_not_exists(pk)")

    def close(self, closing: Closing) -> bool:
        """Close the sheet (still open, no save since it was read), forget the open attempt
        and raise the best score only if higher, in one transaction; False if anything
        moved first, `YearHasClosed` if a learner's submit came after the year's close,
        `LearnerInactive` if the learner who submits is no longer active."""
        operations = [self._close_sheet(closing), self._count_attempt(closing)]
        if closing.year_check is not None:
            operations.append(
                year_open_check(
                    closing.year, closing.year_check, grace_seconds=closing.grace_seconds
                )
            )
            operations.append(active_check(closing.student_no))
        try:
            self.store.transact(operations)
        except TransactionCancelled as exc:
            if closing.year_check is not None and exc.failed(2):
                raise YearHasClosed() from exc
            if closing.year_check is not None and exc.failed(3):
                raise LearnerInactive() from exc
            return False
        return True

    @staticmethod
    def _close_sheet(closing: Closing) -> dict[str, Any]:
        saves = closing.saves_seen
        unchanged = f"{SAVES} = :saves" if saves is not None else f"attribute_not_exists({SAVES})"
        return {
            "Update": {
                "Key": Keys.sheet(closing.student_no, closing.year, closing.attempt_no),
                "UpdateExpression": "SET #state = :submitted, score = :score, "
                "answers = :answers, submitted_at = :at, finished_at = :finished, late = :late",
                # Still open, and no answer saved since it was read: else the grade would
                # drop an answer the learner was told was saved.
                "ConditionExpression": "#state = :open AND " + unchanged,
                "ExpressionAttributeNames": {"#state": "state"},
                "ExpressionAttributeValues": {
                    **({":saves": saves} if saves is not None else {}),
                    ":submitted": "submitted",
                    ":open": "open",
                    ":score": closing.score,
                    ":answers": closing.answers,
                    ":at": closing.submitted_at,
                    ":finished": closing.finished_at,
                    ":late": closing.late,
                },
            }
        }

    @staticmethod
    def _count_attempt(closing: Closing) -> dict[str, Any]:
        sets: dict[str, Any] = {"last_submitted": closing.submitted_epoch}
        condition = "#open = :n"
        if closing.raises_best:
            sets["best_score"] = closing.score
            sets[best_attr(closing.finished_day)] = closing.score
            condition += " AND (attribute_not_exists(#s1) OR #s1 < :s1)"
        return year_result_update(
            closing.student_no,
            closing.year,
            closing.unit_id,
            Change(
                sets=sets,
                adds={finished_attr(closing.finished_day): 1},
                removes=("open_attempt", "open_hard_close"),
            ),
            Condition(condition, {"#open": "open_attempt"}, {":n": closing.attempt_no}),
        )


class OverrideRecords(OnTheTable):
    """An admin's overrides: more attempts or a later close for one learner, each
    recorded once, and the year's latest granted close they raise."""

    def raise_latest_close(self, year: int, close: datetime, at: datetime, margin: int) -> None:
        """The year's latest granted close becomes `close` if that is greater (and within
        the policy, the year open, no key out yet). Written before the grant, whose
        transaction then checks that it covers the grant: a grant that fails after this
        leaves the key closed a little longer, never open too early."""
        with suppress(ConditionFailed):
            self.store.update(
                Keys.year_config(year),
                f"SET {LATEST_CLOSE} = :close",
                condition=f"credit_closes > :at AND override_latest_close >= :close AND "
                f"{REVIEW_NOT_OPEN} AND "
                f"(attribute_not_exists({LATEST_CLOSE}) OR {LATEST_CLOSE} < :close)",
                values={
                    ":close": int(close.timestamp()),
                    ":at": int(at.timestamp()),
                    ":edge": int(at.timestamp()) - margin,
                },
                new_item=False,
            )

    def override_request(self, override_id: str) -> dict[str, Any] | None:
        earlier = self.store.get(Keys.idempotency("override", override_id))
        return earlier.get("request") if earlier else None

    def grant(self, actor: Actor, grant: Grant) -> frozenset[str]:
        """Record an override once, its extra attempts under the year's total (held over
        every override), its close within the policy and the year; what refused it:
        "once" (the id was used), "room" (no extra attempts left), "year" (closed, or a
        close beyond the latest allowed)."""
        before = {"extra_attempts": grant.extra_before, "close_override": grant.close_before}
        after = {
            "extra_attempts": grant.extra_before + grant.extra_attempts,
            "close_override": grant.close_override or grant.close_before,
        }
        once = Keys.idempotency("override", grant.override_id)
        checks: list[tuple[str, dict[str, Any]]] = [
            (
                "once",
                _put_new(
                    {**once, "request": grant.request, "actor": actor.username, "at": iso(grant.at)}
                ),
            ),
            (
                "room",
                self._grant_room(grant),
            ),
            (
                "audit",
                audit_put(
                    actor,
                    AuditEntry(
                        "exams.override",
                        f"{grant.student_no}/{grant.year}",
                        grant.at,
                        before=before,
                        after=after,
                        reason=grant.reason,
                    ),
                ),
            ),
            ("year", _grant_year_check(grant)),
        ]
        try:
            self.store.transact([operation for _, operation in checks])
        except TransactionCancelled as exc:
            refused = {label for i, (label, _) in enumerate(checks) if exc.failed(i)}
            if "year" in refused:
                refused = (refused - {"year"}) | {_year_refusal(grant, exc.items[3] or {})}
            return frozenset(refused)
        return frozenset()

    @staticmethod
    def _grant_room(grant: Grant) -> dict[str, Any]:
        """The year result's later close (never earlier than one already granted) and its
        extra attempts, within the year's total over every override."""
        sets: dict[str, Any] = {}
        conditions = []
        values: dict[str, Any] = {}
        if grant.close_override is not None:
            sets["close_override"] = grant.close_override
            conditions.append("(attribute_not_exists(#s0) OR #s0 <= :s0)")
        adds = {"extra_attempts": grant.extra_attempts} if grant.extra_attempts else {}
        if adds:
            conditions.append("(attribute_not_exists(#c0) OR #c0 <= :extra_room)")
            values[":extra_room"] = grant.extra_room
        return year_result_update(
            grant.student_no,
            grant.year,
            grant.unit_id,
            Change(sets=sets, adds=adds),
            Condition(" AND ".join(conditions), values=values) if conditions else None,
        )


class BankRecords(OnTheTable):
    """The year's question bank, written only while the year is open."""

    def add_questions(self, year: int, items: list[dict[str, Any]], at: datetime) -> bool:
        """Up to 49 questions, each with the check that the other pool does not hold its
        id (#27), and the year's open check, in one transaction (a closed year's bank
        stays as it was); False if the year has closed."""
        puts = [{"Put": {"Item": item}} for item in items]
        elsewhere = [_not_in_the_other_pool(year, item) for item in items]
        try:
            self.store.transact([*puts, *elsewhere, year_open_check(year, at)])
        except TransactionCancelled as cancelled:
            taken = [
                str(items[i]["question_id"])
                for i in range(len(items))
                if cancelled.failed(len(items) + i)
            ]
            if taken:
                raise Duplicate(f"question ids {taken} are already in the other pool") from None
            return False
        return True


def _not_in_the_other_pool(year: int, item: Mapping[str, Any]) -> dict[str, Any]:
    question_id = str(item["question_id"])
    if item.get("pool") == "practice":
        key = Keys.question(year, question_id)
    else:
        key = Keys.practice_question(year, question_id)
    return {"ConditionCheck": {"Key": key, "ConditionExpression": "attribute_not_exists(pk)"}}


class DynamoAttempts(AttemptReads, AttemptLife, OverrideRecords, BankRecords):
    """The attempts repository whole (AttemptRepository) on one store: its parts, each
    with one job, and nothing of its own."""


# The key is not out yet: the year's exam close or its latest granted close, plus a
# paper's time and grace (:edge is now less than that), still lies ahead.
REVIEW_NOT_OPEN = f"(exam_closes > :edge OR {LATEST_CLOSE} > :edge)"


def _grant_year_check(grant: Grant) -> dict[str, Any]:
    """The year open, the close within the policy, no key out yet, and the year's latest
    granted close covering this grant's: one ConditionCheck on the config item."""
    check = year_open_check(grant.year, grant.at, override_close=grant.asked_close)
    body = dict(check["ConditionCheck"])
    condition = f"{body['ConditionExpression']} AND {REVIEW_NOT_OPEN}"
    values = {
        **body["ExpressionAttributeValues"],
        ":edge": int(grant.at.timestamp()) - grant.review_margin,
    }
    if grant.asked_close is not None:
        condition += f" AND {LATEST_CLOSE} >= :granted"
        values[":granted"] = int(grant.asked_close.timestamp())
    body.update(ConditionExpression=condition, ExpressionAttributeValues=values)
    return {"ConditionCheck": body}


def _year_refusal(grant: Grant, config: Mapping[str, Any]) -> str:
    """Which of the config item's conditions refused a grant, from the item as it was."""
    at = int(grant.at.timestamp())
    asked = int(grant.asked_close.timestamp()) if grant.asked_close is not None else None
    latest_allowed = int(config.get("override_latest_close", 0))
    if int(config.get("credit_closes", 0)) <= at or (asked is not None and asked > latest_allowed):
        return "year"
    closes = max(int(config.get("exam_closes", 0)), int(config.get(LATEST_CLOSE, 0)))
    if closes + grant.review_margin <= at:
        return "review"
    return "cover"


def _paper_and_sheet(new: NewAttempt) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two items of a new attempt: the paper, written once, and its open sheet."""
    common = {
        "student_no": new.student_no,
        "year": new.year,
        "attempt_no": new.attempt_no,
        "started_at": new.started_at,
        "deadline": new.deadline,
        "hard_close": new.hard_close,
    }
    paper = {
        **Keys.attempt(new.student_no, new.year, new.attempt_no),
        **common,
        "salt": new.salt,
        # What was drawn, not the questions' text: the paper is billed by size (#28).
        "drawn": [Drawn.given(question).ref() for question in new.paper],
    }
    sheet = {
        **Keys.sheet(new.student_no, new.year, new.attempt_no),
        **common,
        "state": "open",
        "answers": {},
        "shapes": new.shapes,
    }
    return paper, sheet


class YearHasClosed(Exception):
    """A learner's submit found the study year closed, by the year's own check."""


class LearnerInactive(Exception):
    """A learner's submit found them resigned or retired, by their profile's own check."""


def _sheet_of(whole: Mapping[str, Any]) -> dict[str, Any]:
    return {name: whole[name] for name in SHEET_FIELDS if name in whole}


def _put_new(item: dict[str, Any]) -> dict[str, Any]:
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
