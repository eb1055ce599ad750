"""Corrections after the window and the regrade they start (#28.2).

Between the moment no one can sit the exam any more (`review_opens`, as the item analysis)
and the year's close, a city administrator voids a question of the year's exam pool or
accepts one more answer to it, with a reason. The correction is kept (numbered, audited)
and a regrade run starts, fanned out like the nightly report: one shard a county or city
department (and one for the city's own staff), on the report queue, run by the reports
function. A newer correction supersedes a run under way: its own run applies them all.

A shard regrades each graded attempt of its learners under all the year's corrections
(`exams.corrected.regraded`): the score from the graded answers can only rise, and where
it rises the sheet, the best score and that day's best move in one transaction
(`DynamoCorrections.raise_score`). A closed year never changes: its check is in the same
transaction, and a shard that meets it stops. A shard goes unit by unit; one that has
worked for `SHARD_BUDGET_S` hands its remaining units, with its counts so far, to a
message of its own, so a county of any size finishes inside the function's 15 minutes
(a regrade is about three requests an attempt: some 20,000 attempts would fill them).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from xuefa.analysis.job import wanted
from xuefa.core.auth import Actor
from xuefa.core.clock import Clock, iso, local_date, parse_iso
from xuefa.core.errors import Conflict, NotFound, TooEarly, YearClosed
from xuefa.corrections import views
from xuefa.corrections.repository import DynamoCorrections, ScoreRise, YearHasClosed
from xuefa.exams.corrected import Correction, checked, regraded
from xuefa.exams.repository import Attempt
from xuefa.exams.rules import RETRIES, review_opens
from xuefa.reports.repository import ReportRuns
from xuefa.reports.run_repository import Superseded
from xuefa.roster.directory import Directory
from xuefa.years.repository import YearBook
from xuefa.years.results import YearResult
from xuefa.years.rules import YearConfig

LEASE = timedelta(minutes=30)
SHARD_BUDGET_S = 600.0  # of the reports function's 900 s, leaving a unit's worth spare
Dispatch = Callable[[list[dict[str, Any]]], None]
LatestClose = Callable[[int], "int | None"]


def run_key(year: int) -> str:
    """The run's key among the report runs (`RUN#corrections-<year>`)."""
    return f"corrections-{year}"


@dataclass(frozen=True)
class Sources:
    """What the job reads and changes: the corrections and attempts, the latest close an
    override granted, the years and the unit tree."""

    records: DynamoCorrections
    latest_granted_close: LatestClose
    years: YearBook
    directory: Directory


@dataclass(frozen=True)
class ShardBudget:
    """How long a shard works before it hands its remaining units on."""

    seconds: float = SHARD_BUDGET_S
    monotonic: Callable[[], float] = time.monotonic

    def spent(self, started: float) -> bool:
        return self.monotonic() - started > self.seconds


class CorrectionJob:
    def __init__(
        self,
        sources: Sources,
        runs: ReportRuns,
        clock: Clock,
        root_unit_id: str,
        dispatch: Dispatch | None = None,
        budget: ShardBudget | None = None,
    ):
        self.records = sources.records
        self.latest_granted_close = sources.latest_granted_close
        self.years, self.directory = sources.years, sources.directory
        self.runs = runs
        self.clock = clock
        self.root_unit_id = root_unit_id
        # Without a queue (locally, in tests) the shards run here, one after another.
        self.dispatch = dispatch or self._run_here
        self.budget = budget or ShardBudget()

    def _run_here(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self.run_shard(**message["corrections"])

    # --- the API's two calls ------------------------------------------------------------

    def correct(self, actor: Actor, year: int, request: views.CorrectionRequest) -> views.Corrected:
        """Keep a city administrator's correction and start the regrade: once no one can
        sit the exam (else 409 TOO_EARLY) and before the year's close (else YEAR_CLOSED)."""
        self.directory.city_admin(actor)
        config = self.years.get(year)
        now = self.clock.now()
        self._in_time(config, now)
        question = self.records.exam_question(year, request.question_id)
        if question is None:
            raise NotFound(
                f"the exam pool of {year} has no question {request.question_id}",
                {"question_id": request.question_id},
            )
        for _ in range(RETRIES):
            earlier = self.records.corrections(year)
            accepted, keys = checked(question, request.action, request.answer, earlier)
            correction = Correction(
                number=len(earlier) + 1,
                question_id=question.question_id,
                action=request.action,
                accepted=accepted,
                answer=keys,
                reason=request.reason,
                by=actor.username,
                at=iso(now),
            )
            try:
                if self.records.add(actor, year, correction, now):
                    break
            except YearHasClosed as exc:
                raise YearClosed(f"study year {year} has closed") from exc
        else:
            raise Conflict("another correction was being made; try again")
        run = self._begin(year, correction.number, now)
        return views.Corrected(correction=_view(correction), run=run)

    def _in_time(self, config: YearConfig, now: datetime) -> None:
        if config.closed(now):
            raise YearClosed(f"study year {config.year} has closed: it never changes")
        opens = review_opens(config, self.latest_granted_close(config.year))
        if now < opens:
            raise TooEarly(
                "corrections open once no one can sit the exam", {"opens_at": iso(opens)}
            )

    def _begin(self, year: int, count: int, now: datetime) -> views.RegradeRun:
        """A new run for all the year's corrections; it supersedes one under way."""
        shards = [
            self.root_unit_id,
            *(u.unit_id for u in self.directory.children(self.root_unit_id)),
        ]
        run_id = secrets.token_hex(8)
        run = {
            "run_id": run_id,
            "status": "running",
            "shards": shards,
            "corrections": count,
            "started_at": iso(now),
            "lease_until": int((now + LEASE).timestamp()),
        }
        for _ in range(RETRIES):
            existing = self.runs.run(run_key(year))
            if existing and int(existing.get("corrections", 0)) >= count:
                return self._run_view(year, existing, duplicate=True)  # a later one runs
            previous = str(existing["run_id"]) if existing else None
            if self.runs.claim(run_key(year), run, previous):
                break
        else:
            raise Conflict("another regrade was being started; try again")
        self.dispatch(
            [{"corrections": {"year": year, "shard_id": s, "run_id": run_id}} for s in shards]
        )
        self.runs.dispatched(run_key(year), run_id)
        return self._run_view(year, self.runs.run(run_key(year)) or run)

    def state(self, actor: Actor, year: int) -> views.Corrections:
        """The year's corrections and the latest regrade's progress (city administrators)."""
        self.directory.city_admin(actor)
        self.years.get(year)
        run = self.runs.run(run_key(year))
        return views.Corrections(
            year=year,
            items=[_view(c) for c in self.records.corrections(year)],
            run=self._run_view(year, run) if run else None,
        )

    def _run_view(
        self, year: int, run: dict[str, Any], duplicate: bool = False
    ) -> views.RegradeRun:
        done = self.runs.shards(run_key(year), str(run["run_id"])) if run.get("done") else []
        return views.RegradeRun(
            run_id=str(run["run_id"]),
            status=str(run["status"]),
            corrections=int(run.get("corrections", 0)),
            started_at=str(run["started_at"]),
            completed_at=run.get("completed_at"),
            shards=len(run.get("shards", [])),
            shards_done=len(run.get("done", set())),
            attempts_seen=sum(int(s.get("attempts", 0)) for s in done),
            attempts_regraded=sum(int(s.get("regraded", 0)) for s in done),
            duplicate=duplicate,
        )

    # --- a shard ------------------------------------------------------------------------

    def run_shard(
        self,
        year: int,
        shard_id: str,
        run_id: str,
        from_unit: int = 0,
        seen: int = 0,
        raised: int = 0,
    ) -> None:
        """Regrade one county's (or the city's own staff's) attempts, from its unit
        `from_unit` on (a continuation's, with its counts so far); a message of a run
        that is over is dropped, and one delivered again regrades nothing twice."""
        key = run_key(year)
        run = self.runs.run(key)
        if run is None or not wanted(run, shard_id, run_id):
            return
        config = self.years.get(year)
        corrections = self.records.corrections(year)[: int(run["corrections"])]
        started = self.budget.monotonic()
        try:
            for index, unit_id in enumerate(self._units(shard_id)):
                if index < from_unit:
                    continue
                if index > from_unit and self.budget.spent(started):
                    rest = {"from_unit": index, "seen": seen, "raised": raised}
                    shard = {"year": year, "shard_id": shard_id, "run_id": run_id, **rest}
                    self.dispatch([{"corrections": shard}])
                    return
                for result in self.records.graded(unit_id, year):
                    counted = self._regrade_learner(config, result, corrections)
                    seen, raised = seen + counted[0], raised + counted[1]
        except YearHasClosed:
            return  # the year closed meanwhile: nothing more changes, the run stays open
        try:
            self.runs.shard_written(key, shard_id, run_id, {"attempts": seen, "regraded": raised})
        except Superseded:
            return
        if self.runs.shard_done(key, shard_id, run_id) and self.runs.take_final(
            key, run_id, shard_id
        ):
            self.runs.complete(key, iso(self.clock.now()))

    def _regrade_learner(
        self, config: YearConfig, result: YearResult, corrections: list[Correction]
    ) -> tuple[int, int]:
        """Each graded attempt of one learner regraded: (attempts seen, scores raised)."""
        seen = raised = 0
        for sheet in self.records.sheets(result.student_no, config.year, result.attempts_taken):
            if _graded(sheet):
                seen += 1
                after = self._regrade(config, result, sheet, corrections)
                raised += after is not None
                result = after or result
        return seen, raised

    def _units(self, shard_id: str) -> Iterator[str]:
        """The shard's units: the city's own staff alone, or a county's whole subtree."""
        yield shard_id
        if shard_id == self.root_unit_id:
            return
        for child in self.directory.children(shard_id):
            yield from self._units(child.unit_id)

    def _regrade(
        self,
        config: YearConfig,
        result: YearResult,
        sheet: Attempt,
        corrections: list[Correction],
    ) -> YearResult | None:
        """The year result as it is after the attempt's score rose, or None if it did not.
        What moved since it was read (another run, a late grading) is read again and
        decided again."""
        count = len(corrections)
        paper: list[Any] | None = None
        for _ in range(RETRIES):
            if int(sheet.sheet.get("regraded", 0)) >= count or not _graded(sheet):
                return None
            if paper is None:
                paper = self.records.paper(result.student_no, config.year, sheet.number)
                if not any(q.bank_id in {c.question_id for c in corrections} for q in paper):
                    return None  # none of the corrected questions is on this paper
            rise = regraded(paper, sheet.answers, corrections, config.exam_full_marks)
            old = sheet.score
            if rise.score <= old:
                return None
            finished = sheet.sheet.get("finished_at") or sheet.submitted_at or sheet.started_at
            day = local_date(parse_iso(str(finished)))
            outcome = self.records.raise_score(
                ScoreRise(
                    result=result,
                    attempt_no=sheet.number,
                    finished_day=day,
                    old=old,
                    new=rise.score,
                    count=count,
                    notes=rise.notes,
                    now=self.clock.now(),
                )
            )
            if outcome == "raised":
                return _risen(result, day, rise.score)
            result = self.records.result(result.student_no, config.year)
            fresh = self.records.sheet(result.student_no, config.year, sheet.number)
            if fresh is None:
                return None
            sheet = fresh
        return None


def _risen(result: YearResult, day: date, score: Decimal) -> YearResult:
    """The year result as the rise left it: its best, and that day's, no lower than it."""
    best = score if result.best is None else max(result.best, score)
    on_day = result.best_on.get(day)
    best_on = {**result.best_on, day: score if on_day is None else max(on_day, score)}
    return replace(result, best=best, best_on=best_on)


def _graded(sheet: Attempt) -> bool:
    return not sheet.is_open and sheet.score is not None


def _view(correction: Correction) -> views.CorrectionView:
    return views.CorrectionView(
        number=correction.number,
        question_id=correction.question_id,
        action=correction.action,
        answer=list(correction.answer),
        accepted=list(correction.accepted),
        reason=correction.reason,
        by=correction.by,
        at=correction.at,
    )
