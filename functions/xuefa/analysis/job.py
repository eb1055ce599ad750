"""The item analysis job (#28.1): after the exam, every learner's first graded attempt
folded into the statistics, written to the reports bucket as CSV, XLSX and JSON under
`analysis/<year>/<run>/`, and `analysis/<year>/manifest.json` last, so a result is seen
whole or not at all.

It runs as the nightly report does, on the report queue and its runs' items: one shard a
county or city department (and one for the city's own staff). A shard reads its learners
(the unit-year index, then each one's sheets and first graded paper) and spools their
papers to S3, gzip JSON lines without names; the shard that completes the run folds the
parts into one `Fold` (compact arrays, ~4 bytes a question on a paper) and writes the
files. No invocation holds more than one shard's reads or the fold's arrays.

Which attempt: each learner's first graded attempt, as Moodle's statistics report does
by default. Later attempts are not independent of the first (learners retake for a better
best), and one paper a learner keeps a learner who sat eight times from counting eight.

When: only once no one can sit the year's exam any more (the exam's close, or the latest
close an override granted, plus a paper's time and grace: `review_opens`), so the figures
are final and shown questions are no longer live; earlier is a 409 TOO_EARLY.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from xuefa.analysis import views
from xuefa.analysis.files import spool, unspool, write_result
from xuefa.analysis.repository import GradedPaper
from xuefa.analysis.statistics import Fold, PoolQuestion, Response
from xuefa.core.auth import Actor
from xuefa.core.clock import Clock, iso
from xuefa.core.errors import NotFound, TooEarly
from xuefa.exams.bank_repository import BankReader
from xuefa.exams.questions import Question
from xuefa.exams.rules import review_opens
from xuefa.reports.repository import ReportRuns
from xuefa.reports.run_repository import Superseded
from xuefa.roster.directory import Directory
from xuefa.store.objects import ReportBucket
from xuefa.years.repository import YearBook

LEASE = timedelta(minutes=30)
URL_SECONDS = 15 * 60
Dispatch = Callable[[list[dict[str, Any]]], None]


class AnalysisReads(Protocol):
    def latest_granted_close(self, year: int) -> int | None: ...

    def graded_learners(self, unit_id: str, year: int) -> Iterator[tuple[str, int]]: ...

    def first_graded(self, student_no: str, year: int, started: int) -> GradedPaper | None: ...


def run_key(year: int) -> str:
    """The run's key among the report runs (`RUN#analysis-<year>`)."""
    return f"analysis-{year}"


def prefix(year: int) -> str:
    return f"analysis/{year}"


def manifest_key(year: int) -> str:
    return f"{prefix(year)}/manifest.json"


@dataclass(frozen=True)
class Sources:
    """Where the job reads: the attempts, the bank, the years and the unit tree."""

    reads: AnalysisReads
    bank: BankReader
    years: YearBook
    directory: Directory


class ItemAnalysisJob:
    def __init__(
        self,
        sources: Sources,
        runs: ReportRuns,
        bucket: ReportBucket,
        clock: Clock,
        root_unit_id: str,
        dispatch: Dispatch | None = None,
    ):
        self.reads, self.bank = sources.reads, sources.bank
        self.years, self.directory = sources.years, sources.directory
        self.runs = runs
        self.bucket = bucket
        self.clock = clock
        self.root_unit_id = root_unit_id
        # Without a queue (locally, in tests) the shards run here, one after another.
        self.dispatch = dispatch or self._run_here

    def _run_here(self, messages: list[dict[str, Any]]) -> None:
        for message in messages:
            self.run_shard(**message["analysis"])

    # --- the API's two calls ----------------------------------------------------------

    def start(self, actor: Actor, year: int) -> views.AnalysisRun:
        """A city administrator starts a run once no one can sit the exam; a run under
        way (its lease not over) is answered as it is."""
        self.directory.city_admin(actor)
        config = self.years.get(year)
        now = self.clock.now()
        opens = review_opens(config, self.reads.latest_granted_close(year))
        if now < opens:
            raise TooEarly(
                "the item analysis opens once no one can sit the exam",
                {"opens_at": iso(opens)},
            )
        existing = self.runs.run(run_key(year))
        if existing and existing["status"] != "complete" and not lease_over(existing, now):
            return _run_view(year, existing, duplicate=True)
        return self._begin(year, existing, now)

    def _begin(
        self, year: int, existing: dict[str, Any] | None, now: datetime
    ) -> views.AnalysisRun:
        shards = [
            self.root_unit_id,
            *(u.unit_id for u in self.directory.children(self.root_unit_id)),
        ]
        run_id = secrets.token_hex(8)
        run = {
            "run_id": run_id,
            "status": "running",
            "shards": shards,
            "started_at": iso(now),
            "lease_until": int((now + LEASE).timestamp()),
        }
        if not self.runs.claim(run_key(year), run, existing["run_id"] if existing else None):
            found = self.runs.run(run_key(year)) or run
            return _run_view(year, found, duplicate=True)
        self.dispatch(
            [{"analysis": {"year": year, "shard_id": s, "run_id": run_id}} for s in shards]
        )
        self.runs.dispatched(run_key(year), run_id)
        return _run_view(year, self.runs.run(run_key(year)) or run)

    def state(self, actor: Actor, year: int) -> views.ItemAnalysis:
        """The latest run's state, and the latest complete result with links."""
        self.directory.city_admin(actor)
        self.years.get(year)
        run = self.runs.run(run_key(year))
        if run is None:
            raise NotFound(f"no item analysis of {year} has been run")
        answer: dict[str, Any] = {"year": year, "run": _run_view(year, run)}
        try:
            manifest = self.bucket.get_json(manifest_key(year))
        except NotFound:
            return views.ItemAnalysis.model_validate(answer)
        result = self.bucket.get_json(manifest["result"])
        expires = iso(self.clock.now() + timedelta(seconds=URL_SECONDS))
        files = [
            {
                **{k: f[k] for k in ("format", "rows", "bytes", "sha256")},
                "expires_at": expires,
                "url": self.bucket.presign(f["key"], URL_SECONDS),
            }
            for f in manifest["files"]
        ]
        answer.update(generated_at=manifest["generated_at"], files=files, **result)
        return views.ItemAnalysis.model_validate(answer)

    # --- a shard, and the final step --------------------------------------------------

    def run_shard(self, year: int, shard_id: str, run_id: str) -> None:
        """One county's (or the city's own) papers, spooled to S3; the shard that completes
        the run folds them all. A message of a run that is over is dropped."""
        key = run_key(year)
        if not wanted(self.runs.run(key), shard_id, run_id):
            return
        # Parts lie apart from the results: a lifecycle rule drops them after a week.
        part = f"analysis/parts/{year}/{run_id}/{shard_id}.jsonl.gz"
        with tempfile.TemporaryDirectory(prefix="xuefa-analysis-") as work:
            path = Path(work) / "part.jsonl.gz"
            papers = spool(self._papers(year, shard_id), path)
            self.bucket.upload(part, path)
        try:
            self.runs.shard_written(key, shard_id, run_id, {"part": part, "papers": papers})
        except Superseded:
            return
        if self.runs.shard_done(key, shard_id, run_id):
            self._finalize(year, run_id, shard_id)

    def _units(self, shard_id: str) -> Iterator[str]:
        """The shard's units: the city's own staff alone, or a county's whole subtree."""
        yield shard_id
        if shard_id == self.root_unit_id:
            return
        for child in self.directory.children(shard_id):
            yield from self._units(child.unit_id)

    def _papers(self, year: int, shard_id: str) -> Iterator[list[Response]]:
        questions = {q.question_id: q for q in self.bank.questions(year)}
        for unit_id in self._units(shard_id):
            for student_no, started in self.reads.graded_learners(unit_id, year):
                graded = self.reads.first_graded(student_no, year, started)
                if graded is not None:
                    yield responses_of(graded, questions)

    def _finalize(self, year: int, run_id: str, shard_id: str) -> None:
        key = run_key(year)
        if not self.runs.take_final(key, run_id, shard_id):
            return
        fold = Fold(pool_of(self.bank.questions(year)))
        for shard in self.runs.shards(key, run_id):
            for responses in unspool(self.bucket.get_bytes(shard["part"])):
                fold.add(responses)
        result = fold.result()
        folder = f"{prefix(year)}/{run_id}"
        files = []
        with tempfile.TemporaryDirectory(prefix="xuefa-analysis-") as work:
            written = write_result(result, Path(work), f"{year}年度试题分析")
            for fmt, file in written.items():
                name = f"{year}年度试题分析.{fmt}"
                self.bucket.upload(f"{folder}/items.{fmt}", file.path, name)
                files.append(
                    {
                        "format": fmt,
                        "key": f"{folder}/items.{fmt}",
                        "rows": file.rows,
                        "bytes": file.bytes,
                        "sha256": file.sha256,
                    }
                )
        now = iso(self.clock.now())
        manifest = {
            "year": year,
            "run_id": run_id,
            "generated_at": now,
            "files": files,
            "result": f"{folder}/items.json",
            "papers": result.paper.papers,
        }
        self.bucket.put_json(manifest_key(year), manifest)  # last: the result is whole
        self.runs.complete(key, now)


def pool_of(bank: list[Question]) -> list[PoolQuestion]:
    return [
        PoolQuestion(
            q.question_id, q.type, tuple(o.key for o in q.options), tuple(q.answer), q.category
        )
        for q in bank
    ]


def responses_of(graded: GradedPaper, bank: dict[str, Question]) -> list[Response]:
    """A paper's questions under their bank ids, the options chosen under the bank's keys
    (the paper relabels them in the order shown: matched back by their text; an option the
    bank no longer has is counted under its shown label in lower case, which no bank key
    is), right as the grade had it: the exact key."""
    responses = []
    for question in graded.paper:
        known = bank.get(question.bank_id)
        by_text = {o.text: o.key for o in known.options} if known else {}
        bank_key = {o["key"]: by_text.get(o["text"], o["key"].lower()) for o in question.options}
        chosen = sorted(set(graded.answers.get(question.question_id, [])))
        responses.append(
            Response(
                question_id=question.bank_id,
                chosen=tuple(sorted(bank_key.get(label, label.lower()) for label in chosen)),
                right=chosen == question.answer,
                points=question.points,
            )
        )
    return responses


def lease_over(run: dict[str, Any], now: datetime) -> bool:
    return int(run.get("lease_until", 0)) <= int(now.timestamp())


def wanted(run: dict[str, Any] | None, shard_id: str, run_id: str) -> bool:
    """As the report's shards: the run is this one's and running, or this shard took the
    final step and died in it."""
    if run is None or run.get("run_id") != run_id:
        return False
    status = run.get("status")
    return status == "running" or (status == "finalizing" and run.get("final_by") == shard_id)


def _run_view(year: int, run: dict[str, Any], duplicate: bool = False) -> views.AnalysisRun:
    return views.AnalysisRun(
        year=year,
        run_id=str(run["run_id"]),
        status=str(run["status"]),
        started_at=str(run["started_at"]),
        completed_at=run.get("completed_at"),
        shards=len(run.get("shards", [])),
        shards_done=len(run.get("done", set())),
        duplicate=duplicate,
    )
