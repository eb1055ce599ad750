"""Study credits: the catalogue, server-measured sessions, and an exact ledger.

A completion is ONE TransactWriteItems: the session closes (only once, only by its
owner), the year result's totals and day counters grow (only under the caps, only
inside the window), and the ledger entry appears. Python only computes how much would
fit; DynamoDB decides whether it still does. Counters per day (`d_YYYYMMDD`) and per
day and activity (`a_YYYYMMDD_<activity>`), plus adjustments per day (`j_YYYYMMDD`),
let the nightly report know anyone's credits as of 24:00 of any day.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator

from xuefa.audit import Reason
from xuefa.auth import Actor, require_learner
from xuefa.clock import Clock, iso, local_date
from xuefa.dal.audit import audit_put
from xuefa.dal.table import (
    Keys,
    Store,
    TransactionCancelled,
    decode_cursor,
    encode_cursor,
)
from xuefa.dal.year_results import year_result_update
from xuefa.dal.years import YearBook, year_open_check
from xuefa.directory import Directory
from xuefa.errors import (
    BadRequest,
    Conflict,
    Duplicate,
    Forbidden,
    NotFound,
    OutsideWindow,
    TooEarly,
    YearClosed,
)
from xuefa.rules import YearConfig, study_year_of

ACTIVITY_PATTERN = r"^[a-z][a-z0-9_]{0,31}$"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
SESSION_ID = re.compile(r"^s(?P<year>\d{4})-(?P<student_no>[A-Za-z0-9]{1,32})-[0-9a-f]{12}$")
MAX_ADJUSTMENT = 100_000
AWARD_RETRIES = 40


# --- models -------------------------------------------------------------------------


class Resource(BaseModel):
    resource_id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1, max_length=200)
    activity: str = Field(pattern=ACTIVITY_PATTERN)
    credits: int = Field(ge=1, le=1000)
    min_seconds: int = Field(ge=0, le=24 * 3600)
    once_per_year: bool = False
    once_per_day: bool = False  # pays once a learner a Shanghai day (the daily sign-in)


class NewResource(Resource):
    """A resource as a city admin adds it: for a year, the id optional."""

    year: int = Field(ge=2000, le=2100)
    resource_id: str | None = Field(None, pattern=ID_PATTERN)  # type: ignore[assignment]


class Adjustment(BaseModel):
    adjustment_id: str = Field(pattern=ID_PATTERN)
    student_no: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9]+$")
    year: int = Field(ge=2000, le=2100)
    delta: int = Field(
        ge=-MAX_ADJUSTMENT, le=MAX_ADJUSTMENT, json_schema_extra={"not": {"const": 0}}
    )
    reason: Reason

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, delta: int) -> int:
        if delta == 0:
            raise ValueError("an adjustment must change the balance")
        return delta


class Today(BaseModel):
    credits: int
    cap: int


class CreditWindow(BaseModel):
    opens_at: str
    closes_at: str


class Balance(BaseModel):
    student_no: str
    year: int
    credits: int
    hours: float
    credit_score: float
    target: int
    today: Today
    # When the year's credits can be earned: clients count the days left and the credits
    # a day still needed.
    window: CreditWindow


class Completion(BaseModel):
    session_id: str
    awarded: int
    capped: bool
    # What cut the award, if anything: the day's total, the activity's daily cap, or a
    # once-a-day resource already paid today.
    limit: Literal["daily_total", "activity_daily", "once_per_day"] | None = None
    balance: Balance


# --- counters on the year result ---------------------------------------------------


def day_attr(day: date) -> str:
    return f"d_{day:%Y%m%d}"


def activity_attr(day: date, activity: str) -> str:
    return f"a_{day:%Y%m%d}_{activity}"


def adjustment_attr(day: date) -> str:
    return f"j_{day:%Y%m%d}"


def credits_as_of(year_result: Mapping[str, Any] | None, day: date) -> int:
    """Credits earned and adjusted up to 24:00 of `day`, from the per-day counters."""
    if not year_result:
        return 0
    cutoff = f"{day:%Y%m%d}"
    total = 0
    for name, value in year_result.items():
        if (name.startswith("d_") or name.startswith("j_")) and name[2:10] <= cutoff:
            total += int(value)
    return total


def balance_of(
    student_no: str, config: YearConfig, year_result: Mapping[str, Any] | None, today: date
) -> Balance:
    credits = int((year_result or {}).get("credits", 0))
    annual = config.annual(credits, None)
    return Balance(
        student_no=student_no,
        year=config.year,
        credits=credits,
        hours=float(config.hours(credits)),
        credit_score=float(annual.credit_score),
        target=config.credit_target,
        today=Today(
            credits=int((year_result or {}).get(day_attr(today), 0)),
            cap=config.caps.daily_total,
        ),
        window=CreditWindow(
            opens_at=iso(config.credit_window.opens_at),
            closes_at=iso(config.credit_window.closes_at),
        ),
    )


def award_and_limit(
    config: YearConfig,
    year_result: Mapping[str, Any] | None,
    day: date,
    activity: str,
    credits: int,
) -> tuple[int, str | None]:
    """How much of `credits` still fits under today's caps, and which cap cut it."""
    result = year_result or {}
    day_room = config.caps.daily_total - int(result.get(day_attr(day), 0))
    activity_room = day_room
    activity_cap = config.caps.per_activity_daily_caps.get(activity)
    if activity_cap is not None:
        activity_room = activity_cap - int(result.get(activity_attr(day, activity), 0))
    amount = max(0, min(credits, day_room, activity_room))
    if amount == credits:
        return amount, None
    return amount, "activity_daily" if activity_room < day_room else "daily_total"


# --- the service ---------------------------------------------------------------------


class Credits:
    def __init__(
        self, store: Store, years: YearBook, directory: Directory, clock: Clock, cursor_secret: str
    ):
        self.store = store
        self.years = years
        self.directory = directory
        self.clock = clock
        self.cursor_secret = cursor_secret

    # catalogue ----------------------------------------------------------------------

    def catalogue(self, year: int) -> list[Resource]:
        self.years.get(year)
        items = self.store.query_all(Keys.catalogue(year))
        return [Resource.model_validate(item) for item in items]

    def add_resource(self, actor: Actor, new: NewResource) -> Resource:
        self.directory.city_admin(actor)
        config = self.years.get(new.year)
        now = self.clock.now()
        if config.closed(now):
            raise YearClosed(f"study year {new.year} has closed: its catalogue is final")
        resource = Resource(
            resource_id=new.resource_id or f"r-{secrets.token_hex(4)}",
            **new.model_dump(exclude={"year", "resource_id"}),
        )
        item = {
            **Keys.resource(new.year, resource.resource_id),
            **resource.model_dump(),
            "year": new.year,
        }
        try:
            self.store.transact(
                [
                    {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}},
                    audit_put(
                        actor,
                        "catalogue.add",
                        f"{new.year}/{resource.resource_id}",
                        now,
                        after=resource.model_dump(),
                    ),
                    year_open_check(new.year, now),
                ]
            )
        except TransactionCancelled as exc:
            if exc.failed(0):
                raise Duplicate(f"resource {resource.resource_id} already exists") from exc
            if exc.failed(2):
                raise YearClosed(f"study year {new.year} has closed") from exc
            raise Conflict() from exc
        return resource

    # sessions -----------------------------------------------------------------------

    def start(self, actor: Actor, resource_id: str) -> dict[str, Any]:
        require_learner(actor)
        now = self.clock.now()
        year = study_year_of(local_date(now))
        try:
            config = self.years.get(year)
        except NotFound as exc:
            raise OutsideWindow(f"study year {year} has not opened") from exc
        if not config.credit_window.contains(now):
            raise OutsideWindow("credits can only be earned inside the credit window")
        if not re.match(ID_PATTERN, resource_id or ""):
            raise BadRequest("resource_id is malformed", {"resource_id": "malformed"})
        day = local_date(now)
        resource_item, profile, paid = self._resource_and_profile(
            year, resource_id, actor.username, day
        )
        if resource_item is None:
            raise NotFound(f"resource {resource_id} is not in the {year} catalogue")
        resource = Resource.model_validate(resource_item)
        if profile is None or profile.get("status", "active") != "active":
            raise Forbidden("only active learners can study")
        if resource.once_per_day and paid:
            # A friendly early answer; the award's transaction is what guarantees it.
            raise Duplicate(
                f"{resource.title} pays once a day: already done today", {"once_per_day": True}
            )
        session_id = f"s{year}-{actor.username}-{secrets.token_hex(6)}"
        session = {
            **Keys.session(actor.username, year, session_id),
            "session_id": session_id,
            "student_no": actor.username,
            "year": year,
            "resource_id": resource.resource_id,
            "activity": resource.activity,
            "credits": resource.credits,
            "min_seconds": resource.min_seconds,
            "once_per_year": resource.once_per_year,
            "once_per_day": resource.once_per_day,
            "started_at": iso(now),
            "started_epoch": int(now.timestamp()),
            "unit_id": profile["unit_id"],
            "state": "open",
        }
        self.store.transact(
            [
                {"Put": {"Item": session, "ConditionExpression": "attribute_not_exists(pk)"}},
                year_result_update(actor.username, year, str(profile["unit_id"])),
            ]
        )
        return {
            "session_id": session_id,
            "resource_id": resource.resource_id,
            "started_at": iso(now),
            "min_seconds": resource.min_seconds,
            "credits": resource.credits,
        }

    def _resource_and_profile(
        self, year: int, resource_id: str, student_no: str, day: date
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None, bool]:
        """The resource, the learner, and whether the resource was paid to them today."""
        resource_key = Keys.resource(year, resource_id)
        paid_key = Keys.paid_today(student_no, day, resource_id)
        found = self.store.batch_get([resource_key, Keys.learner(student_no), paid_key])
        resource = next((i for i in found if i["pk"] == resource_key["pk"]), None)
        profile = next((i for i in found if i["sk"] == "PROFILE"), None)
        paid = any(i["pk"] == paid_key["pk"] for i in found)
        return resource, profile, paid

    def complete(self, actor: Actor, session_id: str) -> Completion:
        require_learner(actor)
        match = SESSION_ID.match(session_id or "")
        if not match:
            raise BadRequest("session_id is malformed", {"session_id": "malformed"})
        if match["student_no"] != actor.username:
            raise Forbidden("that session belongs to another learner")
        year = int(match["year"])
        session_key = Keys.session(actor.username, year, session_id)
        result_key = Keys.year_result(actor.username, year)
        paid_today = False  # learnt from a cancelled award: a once-a-day resource was paid
        for _ in range(AWARD_RETRIES):
            session, year_result = self._session_and_result(session_key, result_key)
            if session is None:
                raise NotFound("no such session")
            config = self.years.get(year)
            if session["state"] == "completed":
                return self._completion(session, config, year_result)
            now = self.clock.now()
            if config.closed(now):
                raise YearClosed(f"study year {year} has closed: no more credits for it")
            elapsed = now.timestamp() - float(session["started_epoch"])
            if elapsed < int(session["min_seconds"]):
                left = int(session["min_seconds"]) - int(elapsed)
                raise TooEarly(
                    f"keep studying: {left} more seconds before this counts",
                    {"seconds_left": left},
                )
            if not config.credit_window.contains(now):
                raise OutsideWindow("the credit window has closed")
            day = local_date(now)
            amount, limit = award_and_limit(
                config, year_result, day, str(session["activity"]), int(session["credits"])
            )
            if paid_today:
                amount, limit = 0, "once_per_day"
            failed = self._award(session, config, now, amount, limit)
            if "once" in failed and "session" not in failed:
                raise Duplicate("this resource has already earned its credits this year")
            if "once_day" in failed and "session" not in failed:
                paid_today = True  # another session of it paid today: this one closes on 0
            if failed:
                continue  # completed meanwhile, window moved, or less room left: look again
            session = {
                **session,
                "state": "completed",
                "awarded": amount,
                "capped": limit is not None,
                "limit": limit,
            }
            # The balance shown: what was read plus this award, saving a second read. A
            # concurrent award may be missing from it for a moment; nothing is counted twice.
            after = dict(year_result or {})
            for name in ("credits", day_attr(day)):
                after[name] = int(after.get(name, 0)) + amount
            return self._completion(session, config, after)
        raise Conflict("too many simultaneous completions; try again")

    def _session_and_result(
        self, session_key: dict[str, str], result_key: dict[str, str]
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        found = self.store.batch_get([session_key, result_key], consistent=True)
        session = next((i for i in found if i["sk"] == session_key["sk"]), None)
        result = next((i for i in found if i["sk"] == result_key["sk"]), None)
        return session, result

    def _award(
        self,
        session: Mapping[str, Any],
        config: YearConfig,
        now: datetime,
        amount: int,
        limit: str | None,
    ) -> list[str]:
        """Write the award; on cancellation, raise with the labels of what failed."""
        student_no = str(session["student_no"])
        year = config.year
        day = local_date(now)
        activity = str(session["activity"])
        session_id = str(session["session_id"])
        labelled: list[tuple[str, dict[str, Any]]] = [
            (
                "session",
                {
                    "Update": {
                        "Key": Keys.session(student_no, year, session_id),
                        "UpdateExpression": "SET #state = :done, awarded = :amount, "
                        "capped = :capped, #limit = :limit, completed_at = :at",
                        "ConditionExpression": "#state = :open",
                        "ExpressionAttributeNames": {"#state": "state", "#limit": "limit"},
                        "ExpressionAttributeValues": {
                            ":done": "completed",
                            ":open": "open",
                            ":amount": amount,
                            ":capped": limit is not None,
                            ":limit": limit,
                            ":at": iso(now),
                        },
                    }
                },
            ),
            (
                "window",
                {
                    "ConditionCheck": {
                        "Key": Keys.year_config(year),
                        "ConditionExpression": "credit_opens <= :now AND credit_closes > :now",
                        "ExpressionAttributeValues": {":now": int(now.timestamp())},
                    }
                },
            ),
        ]
        if amount > 0:
            # The caps, as conditions: today's counters must still leave room for `amount`.
            condition = "(attribute_not_exists(#c1) OR #c1 <= :day_room)"
            room: dict[str, Any] = {":day_room": config.caps.daily_total - amount}
            activity_cap = config.caps.per_activity_daily_caps.get(activity)
            if activity_cap is not None:
                condition += " AND (attribute_not_exists(#c2) OR #c2 <= :act_room)"
                room[":act_room"] = activity_cap - amount
            adds = {"credits": amount, day_attr(day): amount, activity_attr(day, activity): amount}
            labelled.append(
                (
                    "caps",
                    year_result_update(
                        student_no,
                        year,
                        str(session["unit_id"]),
                        adds=adds,
                        condition=condition,
                        values=room,
                    ),
                )
            )
            labelled.append(
                (
                    "ledger",
                    {
                        "Put": {
                            "Item": {
                                **Keys.ledger_entry(student_no, year, iso(now), session_id),
                                "entry_id": session_id,
                                "at": iso(now),
                                "activity": activity,
                                "resource_id": session["resource_id"],
                                "credits": amount,
                                "kind": "study",
                            },
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                )
            )
            if session.get("once_per_year"):
                once = Keys.idempotency(
                    f"resource-{year}-{student_no}", str(session["resource_id"])
                )
                labelled.append(
                    (
                        "once",
                        {
                            "Put": {
                                "Item": {**once, "session_id": session_id},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                    )
                )
            if session.get("once_per_day"):
                paid = Keys.paid_today(student_no, day, str(session["resource_id"]))
                labelled.append(
                    (
                        "once_day",
                        {
                            "Put": {
                                "Item": {**paid, "session_id": session_id},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        },
                    )
                )
        try:
            self.store.transact([operation for _, operation in labelled])
        except TransactionCancelled as exc:
            return [label for i, (label, _) in enumerate(labelled) if exc.failed(i)]
        return []

    def _completion(
        self, session: Mapping[str, Any], config: YearConfig, year_result: Mapping[str, Any] | None
    ) -> Completion:
        today = local_date(self.clock.now())
        return Completion(
            session_id=str(session["session_id"]),
            awarded=int(session.get("awarded", 0)),
            capped=bool(session.get("capped", False)),
            limit=session.get("limit"),
            balance=balance_of(str(session["student_no"]), config, year_result, today),
        )

    # balances and the ledger --------------------------------------------------------

    def balance(self, student_no: str, year: int) -> Balance:
        config = self.years.get(year)
        result = self.store.get(Keys.year_result(student_no, year), consistent=True)
        return balance_of(student_no, config, result, local_date(self.clock.now()))

    def learner_balance(self, actor: Actor, student_no: str, year: int) -> Balance:
        self.directory.learner_in_scope(actor, student_no)
        return self.balance(student_no, year)

    def learner_ledger(
        self, actor: Actor, student_no: str, year: int, limit: int, cursor: str | None
    ) -> dict[str, Any]:
        self.directory.learner_in_scope(actor, student_no)
        return self.ledger(student_no, year, limit, cursor)

    def ledger(self, student_no: str, year: int, limit: int, cursor: str | None) -> dict[str, Any]:
        self.years.get(year)
        scope = f"ledger:{student_no}:{year}"
        page = self.store.query(
            f"LEARNER#{student_no}",
            Keys.ledger_prefix(year),
            limit=limit,
            start_key=decode_cursor(cursor, scope, self.cursor_secret),
            forward=False,
        )
        items = [
            {
                "entry_id": item["entry_id"],
                "at": item["at"],
                "activity": item["activity"],
                "resource_id": item.get("resource_id"),
                "credits": int(item["credits"]),
                "kind": item["kind"],
                **({"reason": item["reason"]} if item.get("reason") else {}),
            }
            for item in page.items
        ]
        return {"items": items, "cursor": encode_cursor(page.last_key, scope, self.cursor_secret)}

    # adjustments --------------------------------------------------------------------

    def adjust(self, actor: Actor, adjustment: Adjustment) -> Balance:
        profile = self.directory.learner_in_scope(actor, adjustment.student_no)
        config = self.years.get(adjustment.year)
        now = self.clock.now()
        if config.closed(now):
            raise YearClosed(f"study year {adjustment.year} has closed: its credits are final")
        day = local_date(now)
        request = adjustment.model_dump()
        once_key = Keys.idempotency("adjustment", adjustment.adjustment_id)
        before = self.store.get(Keys.year_result(adjustment.student_no, adjustment.year))
        before_credits = int((before or {}).get("credits", 0))
        # Never below zero: a missing year result has no credits to take away either.
        condition = "credits >= :needed" if adjustment.delta < 0 else None
        needed = {":needed": -adjustment.delta} if adjustment.delta < 0 else None
        adds = {"credits": adjustment.delta, adjustment_attr(day): adjustment.delta}
        operations: list[dict[str, Any]] = [
            {
                "Put": {
                    "Item": {
                        **once_key,
                        "request": request,
                        "at": iso(now),
                        "actor": actor.username,
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            year_result_update(
                adjustment.student_no,
                adjustment.year,
                str(profile["unit_id"]),
                adds=adds,
                condition=condition,
                values=needed,
            ),
            {
                "Put": {
                    "Item": {
                        **Keys.ledger_entry(
                            adjustment.student_no,
                            adjustment.year,
                            iso(now),
                            adjustment.adjustment_id,
                        ),
                        "entry_id": adjustment.adjustment_id,
                        "at": iso(now),
                        "activity": "adjustment",
                        "credits": adjustment.delta,
                        "kind": "adjustment",
                        "reason": adjustment.reason,
                        "actor": actor.username,
                    },
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            },
            audit_put(
                actor,
                "credits.adjust",
                f"{adjustment.student_no}/{adjustment.year}",
                now,
                before={"credits": before_credits},
                after={"credits": before_credits + adjustment.delta},
                reason=adjustment.reason,
            ),
            year_open_check(adjustment.year, now),
        ]
        try:
            self.store.transact(operations)
        except TransactionCancelled as exc:
            if exc.failed(0):
                return self._repeated_adjustment(once_key, request, adjustment)
            if exc.failed(1):
                raise Conflict(
                    "that adjustment would take the learner's credits below zero",
                    {"credits": before_credits, "delta": adjustment.delta},
                ) from exc
            if exc.failed(4):
                raise YearClosed(f"study year {adjustment.year} has closed") from exc
            raise Conflict() from exc
        return self.balance(adjustment.student_no, adjustment.year)

    def _repeated_adjustment(
        self, once_key: dict[str, str], request: dict[str, Any], adjustment: Adjustment
    ) -> Balance:
        earlier = self.store.get(once_key) or {}
        if earlier.get("request") != request:
            raise Duplicate(
                f"adjustment {adjustment.adjustment_id} was already used for a different change"
            )
        return self.balance(adjustment.student_no, adjustment.year)
