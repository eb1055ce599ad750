"""The city's work on its bank (#27, #28): the template and the export as workbooks, an
import from one (checked whole, then the JSON import's own path), the listing with keys,
edits and retirements. City administrators only; a learner never reaches any of it.

What a paper was given stays on the paper (papers copy their questions), so an edit is a
new version for papers drawn from now on, and a retired question is never drawn nor
served in practice again. The pools' readers keep what they read for a few minutes per
warm container (BANK_CACHE_SECONDS): an edit is seen within those."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any, Protocol

from xuefa.bank import xlsx
from xuefa.bank.importing import QuestionBank
from xuefa.bank.repository import BankRevisions, Listing, Refused, Revision, next_version
from xuefa.bank.views import BankFile, BankPage, BankQuestion, QuestionEdit, Retirement
from xuefa.core.auth import Actor
from xuefa.core.clock import Clock, iso
from xuefa.core.errors import BadRequest, Conflict, NotFound, YearClosed
from xuefa.exams.bank_repository import BankReader
from xuefa.exams.questions import Pool, Question
from xuefa.exams.views import Imported
from xuefa.roster.directory import Directory
from xuefa.store.cursor import decode_cursor, encode_cursor
from xuefa.years.repository import YearBook

FILE_SECONDS = 15 * 60  # how long a workbook's link holds
MAX_XLSX_BYTES = 1024 * 1024  # the API's body limit (API Gateway allows 10 MB, Lambda 6)


class Files(Protocol):
    """Where a workbook waits for its download (the content bucket's `exports/`)."""

    def put(self, key: str, body: bytes, content_type: str, *, cache: bool = True) -> None: ...
    def presign_get(self, key: str, seconds: int) -> str: ...


class BankEditing:
    def __init__(
        self,
        questions: QuestionBank,
        years: YearBook,
        directory: Directory,
        clock: Clock,
        files: Files,
        cursor_secret: str,
    ):
        self.questions = questions
        self.revisions: BankRevisions = questions.revisions
        # This container's reader of the exam's pool (practice is served by the credits
        # function: its reader renews within minutes).
        self.readers: list[BankReader] = [questions.bank]
        self.years = years
        self.directory = directory
        self.clock = clock
        self.files = files
        self.cursor_secret = cursor_secret

    # --- workbooks ------------------------------------------------------------------

    def template(self, actor: Actor, year: int) -> BankFile:
        self.directory.city_admin(actor)
        self.years.get(year)
        return self._file(year, "template", xlsx.template(), 0)

    def export(self, actor: Actor, year: int, pool: Pool | None) -> BankFile:
        self.directory.city_admin(actor)
        self.years.get(year)
        pools: list[Pool] = [pool] if pool else ["exam", "practice"]
        items = [item for p in pools for item in self.revisions.all(year, p)]
        live = [item for item in items if not item.get("retired")]
        return self._file(year, "export", xlsx.workbook(live), len(live))

    def import_questions(self, actor: Actor, year: int, raw: list[dict[str, Any]]) -> Imported:
        """The JSON import: all or nothing, its errors by index."""
        return self.questions.import_questions(actor, year, raw)

    def import_xlsx(self, actor: Actor, year: int, data: bytes) -> Imported:
        """Every row checked first: one wrong row and nothing is written (400, the errors
        by row and column); then the rows are the JSON import's questions."""
        self.directory.city_admin(actor)
        if len(data) > MAX_XLSX_BYTES:
            raise BadRequest(
                "the workbook is larger than 1 MB: split it into several files",
                {"rows": [{"row": 1, "column": "", "error": "文件超过 1 MB：请分成几个文件"}]},
            )
        sheet = xlsx.read(data)
        if sheet.errors:
            raise _refused(sheet.errors, len(sheet.rows) + len(sheet.errors))
        numbered = [(q["pool"], q["question_id"]) for q in sheet.questions if "question_id" in q]
        stored = self.revisions.stored(year, numbered) if numbered else {}
        for question in sheet.questions:
            xlsx.keep_judge_keys(question, stored.get(question.get("question_id", ""), {}))
        try:
            return self.questions.import_questions(actor, year, sheet.questions)
        except BadRequest as refused:
            errors = (refused.details or {}).get("errors") or []
            if not errors:
                raise
            rows = [
                {"row": _row_of(sheet.rows, e["index"]), "column": "题号", "error": e["message"]}
                for e in errors
            ]
            raise _refused(rows, len(sheet.rows)) from None

    def _file(self, year: int, kind: str, body: bytes, rows: int) -> BankFile:
        key = f"exports/bank/{year}/{kind}-{secrets.token_hex(8)}.xlsx"
        self.files.put(key, body, xlsx.XLSX, cache=False)
        expires = self.clock.now() + timedelta(seconds=FILE_SECONDS)
        url = self.files.presign_get(key, FILE_SECONDS)
        return BankFile(rows=rows, url=url, expires_at=iso(expires))

    # --- the listing ----------------------------------------------------------------

    def list(self, actor: Actor, year: int, listing: Listing, cursor: str | None) -> BankPage:
        self.directory.city_admin(actor)
        scope = f"bank/{year}/{listing.pool}"
        start = decode_cursor(cursor, scope, self.cursor_secret)
        items, last = self.revisions.page(year, listing, start)
        return BankPage(
            questions=[shown(item) for item in items],
            cursor=encode_cursor(last, scope, self.cursor_secret),
        )

    # --- edits and retirements ------------------------------------------------------

    def edit(self, actor: Actor, year: int, question_id: str, edit: QuestionEdit) -> BankQuestion:
        """The question's next version (its id and pool stay); audited. An exam question
        only before the exam window opens; a practice question at any time."""
        self.directory.city_admin(actor)
        before, now = self._open(year, question_id)
        pool = str(before.get("pool") or "exam")
        if pool == "exam" and self.years.get(year).exam_window.opens_at <= now:
            raise Conflict(
                "the exam window has opened: a question of the exam's pool can no longer "
                "be edited (retire it instead, or edit it in next year's bank)",
                {"question_id": question_id, "pool": pool},
            )
        question = _question(question_id, pool, edit)
        if question == Question.model_validate(before):
            return shown(before)
        after = next_version(year, question, before, actor, now)
        try:
            self.revisions.revise(actor, year, Revision(before, after), now, edit.reason)
        except Refused as refused:
            raise _conflict(refused, question_id) from None
        self._forget(year)
        return shown(after)

    def retire(
        self, actor: Actor, year: int, question_id: str, retirement: Retirement
    ) -> BankQuestion:
        """Never drawn into a paper nor served in practice again; papers already given
        keep it. Retiring twice is retiring once."""
        self.directory.city_admin(actor)
        item, now = self._open(year, question_id)
        if item.get("retired"):
            return shown(item)
        try:
            self.revisions.retire(actor, year, item, now, retirement.reason)
        except Refused as refused:
            raise _conflict(refused, question_id) from None
        self._forget(year)
        return shown({**item, "retired": True, "retired_at": iso(now)})

    def _open(self, year: int, question_id: str) -> tuple[dict[str, Any], Any]:
        now = self.clock.now()
        if self.years.get(year).closed(now):
            raise YearClosed(f"study year {year} has closed: its question bank is final")
        item = self.revisions.find(year, question_id)
        if item is None:
            raise NotFound(f"no question {question_id} in {year}'s bank")
        return item, now

    def _forget(self, year: int) -> None:
        """This container's readers read afresh; other containers within minutes."""
        for reader in self.readers:
            reader.forget(year)


def shown(item: dict[str, Any]) -> BankQuestion:
    fields = set(BankQuestion.model_fields)
    data = {k: v for k, v in item.items() if k in fields and v is not None}
    data |= {"version": int(item.get("version") or 1), "retired": bool(item.get("retired"))}
    data.setdefault("pool", "exam")
    whole = {**Question.model_validate(item).model_dump(), **data}
    return BankQuestion.model_validate(whole)


def _question(question_id: str, pool: str, edit: QuestionEdit) -> Question:
    from pydantic import ValidationError

    data = edit.model_dump(exclude={"reason"}, exclude_none=True)
    try:
        return Question.model_validate({**data, "question_id": question_id, "pool": pool})
    except ValidationError as exc:
        details = {
            ".".join(str(p) for p in err["loc"]) or "question": err["msg"] for err in exc.errors()
        }
        raise BadRequest("the question is not valid", details) from None


def _conflict(refused: Refused, question_id: str) -> Conflict:
    if refused.what == "changed":
        return Conflict(
            f"question {question_id} was changed meanwhile: read it again, then edit",
            {"question_id": question_id},
        )
    return Conflict(
        "the year has closed or the exam window has opened meanwhile: nothing was changed",
        {"question_id": question_id},
    )


def _refused(rows: list[dict[str, Any]], total: int) -> BadRequest:
    wrong = len({row["row"] for row in rows})
    return BadRequest(
        f"{wrong} rows of the workbook are wrong; nothing was imported",
        {"rows": rows, "checked": total},
    )


def _row_of(rows: list[int], index: int) -> int:
    return rows[index] if 0 <= index < len(rows) else 1
