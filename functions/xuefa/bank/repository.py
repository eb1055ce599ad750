"""The bank's questions as the city edits them: the one module of this package that
speaks to the table.

- A question: `BANK#<y>` or `PRACTICE#<y>` / `Q#<id>` (its pool's partition), with its
  `version` (1 when imported; an item without one is version 1) and, once retired,
  `retired` and `retired_at`.
- A version it had before an edit: `BANKLOG#<y>` / `Q#<id>#v<nnnn>`, the item as it was
  (papers keep their own copy of what they were given; this is the city's history).

Each edit is one transaction: the new version on the condition that the version read is
still the stored one, the old version kept, the audit entry, and the year's checks (open;
for the exam's pool, its window not yet opened)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.clock import iso
from xuefa.exams.bank_repository import question_item, question_key
from xuefa.exams.questions import Pool, Question
from xuefa.store.audit import audit_put
from xuefa.store.keys import Keys
from xuefa.store.store import Filter, Paging, Store, TransactionCancelled

# A page of the admin's listing reads this many items before its filter (DynamoDB's
# Limit counts items read, not kept): a filtered page may hold fewer.
PAGE_READ = 200


@dataclass(frozen=True)
class Listing:
    """Which questions of a pool: the filters of the admin's search."""

    pool: Pool
    topic: str | None = None
    type: str | None = None
    text: str | None = None  # a part of the stem
    retired: bool | None = None  # None: both


@dataclass(frozen=True)
class Revision:
    """One question's next version: the item as stored now and the item it becomes."""

    before: dict[str, Any]
    after: dict[str, Any]


def version_of(item: Mapping[str, Any]) -> int:
    return int(item.get("version") or 1)


def next_version(
    year: int, question: Question, before: Mapping[str, Any], actor: Actor, at: datetime
) -> dict[str, Any]:
    """The item a question becomes: its new text, the next version, still retired if it
    was (an edit brings no question back)."""
    kept = {k: before[k] for k in ("retired", "retired_at") if k in before}
    return {
        **question_item(year, question),
        **kept,
        "version": version_of(before) + 1,
        "edited_at": iso(at),
        "edited_by": actor.username,
    }


class Refused(Exception):
    """A revision's transaction was cancelled: `what` says which check refused it."""

    def __init__(self, what: str):
        self.what = what  # "changed" (edited meanwhile), "year" (closed, or window opened)
        super().__init__(what)


class BankRevisions:
    def __init__(self, store: Store):
        self.store = store

    def find(self, year: int, question_id: str) -> dict[str, Any] | None:
        """The question, in whichever pool holds it (an id lives in one pool)."""
        keys = [question_key(year, pool, question_id) for pool in ("exam", "practice")]
        found = self.store.batch_get(keys, consistent=True)
        return found[0] if found else None

    def stored(self, year: int, pooled: list[tuple[Pool, str]]) -> dict[str, dict[str, Any]]:
        """The stored items of these questions (pool, id), by id; new ones are absent."""
        keys = [question_key(year, pool, question_id) for pool, question_id in pooled]
        return {str(i["question_id"]): i for i in self.store.batch_get(keys, consistent=True)}

    def page(
        self, year: int, listing: Listing, start: dict[str, Any] | None
    ) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
        partition = Keys.practice_pool(year) if listing.pool == "practice" else Keys.bank(year)
        where = _filter(listing)
        page = self.store.query(
            partition, "Q#", paging=Paging(limit=PAGE_READ, start=start), where=where
        )
        return page.items, page.last_key

    def all(self, year: int, pool: Pool) -> list[dict[str, Any]]:
        partition = Keys.practice_pool(year) if pool == "practice" else Keys.bank(year)
        return list(self.store.query_all(partition, "Q#"))

    def revise(
        self, actor: Actor, year: int, revision: Revision, at: datetime, reason: str | None
    ) -> None:
        """The next version, the one before kept, audited; `Refused` if a check fails."""
        before, after = revision.before, revision.after
        question_id, version = str(before["question_id"]), version_of(before)
        kept = {
            **before,
            **Keys.question_version(year, question_id, version),
            "version": version,
            "replaced_at": iso(at),
            "replaced_by": actor.username,
        }
        entry = AuditEntry(
            "bank.edit",
            f"{year}/{question_id}",
            at,
            before=_content(before),
            after=_content(after),
            reason=reason,
        )
        operations = [
            {"Put": {"Item": after, **_unchanged_since(before)}},
            {"Put": {"Item": kept, "ConditionExpression": "attribute_not_exists(pk)"}},
            audit_put(actor, entry),
            _year_check(year, at, exam=before.get("pool", "exam") == "exam"),
        ]
        self._transact(operations)

    def retire(
        self, actor: Actor, year: int, item: dict[str, Any], at: datetime, reason: str | None
    ) -> None:
        question_id = str(item["question_id"])
        entry = AuditEntry(
            "bank.retire",
            f"{year}/{question_id}",
            at,
            before={"retired": False, "version": version_of(item)},
            after={"retired": True, "version": version_of(item)},
            reason=reason,
        )
        update = {
            "Update": {
                "Key": question_key(year, item.get("pool", "exam"), question_id),
                "UpdateExpression": "SET retired = :yes, retired_at = :at",
                "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(retired)",
                "ExpressionAttributeValues": {":yes": True, ":at": iso(at)},
            }
        }
        # Retiring is no edit of the text: the exam's open window does not stop it.
        self._transact([update, audit_put(actor, entry), _year_check(year, at, exam=False)])

    def _transact(self, operations: list[dict[str, Any]]) -> None:
        try:
            self.store.transact(operations)
        except TransactionCancelled as cancelled:
            raise Refused("changed" if cancelled.failed(0) else "year") from None


def _content(item: Mapping[str, Any]) -> dict[str, Any]:
    """What an audit entry keeps of a version: the question, without its keys."""
    return {k: v for k, v in item.items() if k not in ("pk", "sk", "year")}


def _unchanged_since(before: Mapping[str, Any]) -> dict[str, Any]:
    if "version" in before:
        return {
            "ConditionExpression": "version = :read",
            "ExpressionAttributeValues": {":read": before["version"]},
        }
    return {"ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(version)"}


def _year_check(year: int, at: datetime, *, exam: bool) -> dict[str, Any]:
    """The year is open; an exam question also waits for a window not yet opened (the
    config's `exam_opens`, so a window moved mid-request still holds). One check: a
    transaction names an item once."""
    condition = "credit_closes > :at" + (" AND exam_opens > :at" if exam else "")
    return {
        "ConditionCheck": {
            "Key": Keys.year_config(year),
            "ConditionExpression": condition,
            "ExpressionAttributeValues": {":at": int(at.timestamp())},
        }
    }


def _filter(listing: Listing) -> Filter | None:
    parts: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}
    if listing.topic:
        parts.append("#topic = :topic")
        names["#topic"], values[":topic"] = "topic", listing.topic
    if listing.type:
        parts.append("#type = :type")
        names["#type"], values[":type"] = "type", listing.type
    if listing.text:
        parts.append("contains(#stem, :text)")
        names["#stem"], values[":text"] = "stem", listing.text
    if listing.retired is True:
        parts.append("attribute_exists(#retired)")
        names["#retired"] = "retired"
    elif listing.retired is False:
        parts.append("attribute_not_exists(#retired)")
        names["#retired"] = "retired"
    return Filter(" AND ".join(parts), names, values) if parts else None
