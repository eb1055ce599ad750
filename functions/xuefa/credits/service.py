"""Study credits: the catalogue, server-measured sessions, and an exact ledger.

A completion is ONE TransactWriteItems (`CreditRepository.award`): the session closes
(only once, only by its owner, only when served, only before it expires, only while the
learner is active), its hold on the learner's one open session is released, the year
result's totals and day counters grow (only under the caps, only inside the window), and
the ledger entry appears. On the common path nothing is read before it: the session's id names its
resource, whose credits come from a warm cache and are checked against the session in
the same transaction. Only a refused award is read and explained, or cut to what still
fits under a cap and tried again. Counters per day (`d_YYYYMMDD`) and per day and
activity (`a_YYYYMMDD_<activity>`), plus adjustments per day (`j_YYYYMMDD`), let the
nightly report know anyone's credits as of 24:00 of any day.

One timed session at a time: a start while another is open is refused with that one
(409, for the app to resume it); a session expires after its minutes plus two hours, so
one left behind never keeps the learner from studying (it can also be abandoned).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from xuefa.core.audit import Reason
from xuefa.core.auth import Actor, in_subtree, require_learner
from xuefa.core.clock import SHANGHAI, Clock, iso, local_date, study_year_of
from xuefa.core.errors import (
    BadRequest,
    Conflict,
    Duplicate,
    Forbidden,
    NotFound,
    OutsideWindow,
    TooEarly,
    YearClosed,
)
from xuefa.credits.repository import CreditRepository
from xuefa.credits.views import (
    ID_PATTERN,
    NOT_OF_SESSIONS,
    SESSION_ID,
    Award,
    AwardCheck,
    Catalogue,
    HeldSession,
    Ledger,
    Limit,
    Resource,
    SessionClosed,
    SessionStarted,
    SessionState,
    StudySession,
    Task,
    expiry_epoch,
    holds_lock,
)
from xuefa.roster.directory import Directory
from xuefa.store.cursor import decode_cursor, encode_cursor
from xuefa.years.repository import YearBook
from xuefa.years.results import YearResult
from xuefa.years.rules import YearConfig

MAX_ADJUSTMENT = 100_000
AWARD_RETRIES = 40

__all__ = ["SESSION_ID", "Balance", "Completion", "Credits", "Resource"]


# --- models -------------------------------------------------------------------------


class NewResource(Task):
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
    limit: Limit | None = None
    balance: Balance


# --- counters on the year result ---------------------------------------------------


def balance_of(
    student_no: str, config: YearConfig, year_result: YearResult, today: date
) -> Balance:
    credits = year_result.credits
    annual = config.annual(credits, None)  # the credit part: no exam in a balance
    return Balance(
        student_no=student_no,
        year=config.year,
        credits=credits,
        hours=float(config.hours(credits)),
        credit_score=float(annual.credit_score),
        target=config.credit_target,
        today=Today(
            credits=year_result.earned_today(today),
            cap=config.caps.daily_total,
        ),
        window=CreditWindow(
            opens_at=iso(config.credit_window.opens_at),
            closes_at=iso(config.credit_window.closes_at),
        ),
    )


def award_and_limit(
    config: YearConfig,
    year_result: YearResult,
    day: date,
    activity: str,
    credits: int,
) -> tuple[int, Limit | None]:
    """How much of `credits` still fits under today's caps, and which cap cut it."""
    day_room = config.caps.daily_total - year_result.earned_today(day)
    activity_room = day_room
    activity_cap = config.caps.per_activity_daily_caps.get(activity)
    if activity_cap is not None:
        activity_room = activity_cap - year_result.activity_today(day, activity)
    amount = max(0, min(credits, day_room, activity_room))
    if amount == credits:
        return amount, None
    return amount, "activity_daily" if activity_room < day_room else "daily_total"


def award_of(
    session: StudySession,
    config: YearConfig,
    at: datetime,
    amount: int,
    limit: Limit | None,
    closes_as: SessionState = "completed",
) -> Award:
    return Award(
        session=session,
        at=at,
        day=local_date(at),
        amount=amount,
        limit=limit,
        day_ceiling=config.caps.daily_total,
        activity_ceiling=config.caps.per_activity_daily_caps.get(session.activity),
        closes_as=closes_as,
    )


def inactive() -> Forbidden:
    """As the identity service refuses a disabled account: the same status, its reason."""
    return Forbidden("only active learners can study", {"reason": "inactive"})


def session_open_elsewhere(held: HeldSession) -> Conflict:
    """A start while another session is open: the app resumes that one from these."""
    return Conflict(
        "another study session is open: finish it first (or abandon it)",
        {
            "open_session_id": held.session_id,
            "resource_id": held.resource_id,
            "started_at": held.started_at,
            "min_seconds": held.min_seconds,
            "expires_at": iso(datetime.fromtimestamp(held.expires_epoch, SHANGHAI)),
        },
    )


def lesson_open_to(resource: Resource, profile: Mapping[str, Any]) -> None:
    """A lesson starts only once published, not once retired, and (a county's own
    lesson) only for learners of that county."""
    if resource.lesson_state == "retired":
        raise Conflict("this lesson has been retired", {"reason": "retired"})
    path = str(profile.get("unit_path", ""))
    if resource.lesson_state != "published" or (
        resource.owner_unit_path and not in_subtree(path, resource.owner_unit_path)
    ):
        raise NotFound(f"lesson {resource.resource_id} is not open for study")


def lesson_session(resource: Resource, config: YearConfig, now: datetime) -> dict[str, Any]:
    """A lesson's session counts served time from its progress reports (attention.py),
    from this moment, with the version published now."""
    return {
        "needed_seconds": resource.min_seconds,
        "served_seconds": 0,
        "last_report_ms": int(now.timestamp() * 1000),
        "next_check_at": config.attention_check_every_s,
    }


def expired() -> Conflict:
    return Conflict(
        "this study session expired before it was completed: start again",
        {"reason": "expired"},
    )


# --- the service ---------------------------------------------------------------------


class Credits:
    def __init__(
        self,
        records: CreditRepository,
        years: YearBook,
        directory: Directory,
        clock: Clock,
        cursor_secret: str,
    ):
        self.records = records
        self.years = years
        self.directory = directory
        self.clock = clock
        self.cursor_secret = cursor_secret

    # catalogue ----------------------------------------------------------------------

    def catalogue(self, year: int) -> Catalogue:
        self.years.get(year)
        # A lesson shows once published and until retired (drafts are the authors').
        items = [
            r
            for r in self.records.catalogue(year)
            if not r.is_lesson or r.lesson_state == "published"
        ]
        return Catalogue(items=items)

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
        self.records.add_resource(actor, new.year, resource, now)
        return resource

    # sessions -----------------------------------------------------------------------

    def start(self, actor: Actor, resource_id: str) -> SessionStarted:
        require_learner(actor)
        now = self.clock.now()
        config = self._open_year(now)
        if not re.match(ID_PATTERN, resource_id or ""):
            raise BadRequest("resource_id is malformed", {"resource_id": "malformed"})
        resource, profile, paid = self.records.start_facts(
            config.year, resource_id, actor.username, local_date(now)
        )
        if resource is None:
            raise NotFound(f"resource {resource_id} is not in the {config.year} catalogue")
        if profile is None or profile.get("status", "active") != "active":
            raise inactive()  # the completion's transaction checks it again
        if resource.is_lesson:
            lesson_open_to(resource, profile)
        if resource.once_per_day and paid:
            # A friendly early answer; the award's transaction is what guarantees it.
            raise Duplicate(
                f"{resource.title} pays once a day: already done today", {"once_per_day": True}
            )
        started = int(now.timestamp())
        session = StudySession(
            session_id=f"s{config.year}-{actor.username}-{resource.resource_id}-"
            f"{secrets.token_hex(6)}",
            student_no=actor.username,
            year=config.year,
            unit_id=str(profile["unit_id"]),
            started_at=iso(now),
            started_epoch=started,
            expires_epoch=expiry_epoch(started, resource.min_seconds),
            locked=holds_lock(resource),
            **resource.model_dump(exclude=NOT_OF_SESSIONS),
            **(lesson_session(resource, config, now) if resource.is_lesson else {}),
        )
        held = self.records.open_session(session)
        if held is not None:
            raise session_open_elsewhere(held)
        assert session.expires_epoch is not None
        return SessionStarted(
            **session.model_dump(exclude={"expires_epoch"}),
            expires_at=iso(datetime.fromtimestamp(session.expires_epoch, SHANGHAI)),
        )

    def abandon(self, actor: Actor, session_id: str) -> SessionClosed:
        """Close one's open session without credits, freeing the one open session for
        another resource. Abandoning it again answers the same; a closed one stays."""
        require_learner(actor)
        student_no, year = actor.username, int(self._own_session(actor, session_id)["year"])
        session, _ = self.records.session_and_counters(student_no, year, session_id)
        if session is None:
            raise NotFound("no such session")
        if session.state == "open":
            self.records.close_session(session, self.clock.now())
            session, _ = self.records.session_and_counters(student_no, year, session_id)
            assert session is not None
        return SessionClosed(session_id=session_id, state=session.state)

    @staticmethod
    def _own_session(actor: Actor, session_id: str) -> re.Match[str]:
        """The parts of one's own session's id (its year, its resource)."""
        match = SESSION_ID.match(session_id or "")
        if not match:
            raise BadRequest("session_id is malformed", {"session_id": "malformed"})
        if match["student_no"] != actor.username:
            raise Forbidden("that session belongs to another learner")
        return match

    def _open_year(self, now: datetime) -> YearConfig:
        year = study_year_of(local_date(now))
        try:
            config = self.years.get(year)
        except NotFound as exc:
            raise OutsideWindow(f"study year {year} has not opened") from exc
        if not config.credit_window.contains(now):
            raise OutsideWindow("credits can only be earned inside the credit window")
        return config

    def complete(self, actor: Actor, session_id: str) -> Completion:
        require_learner(actor)
        match = self._own_session(actor, session_id)
        year = int(match["year"])
        config = self.years.get(year)
        now = self.clock.now()
        if config.closed(now):
            raise YearClosed(f"study year {year} has closed: no more credits for it")
        refused: frozenset[AwardCheck] = frozenset()
        named = match["resource_id"]
        resource = self.records.resource(year, named) if named else None
        if resource is not None and config.credit_window.contains(now):
            refused = self._award_in_full(actor, session_id, resource, config, now)
            if "active" in refused and "session" not in refused:
                raise inactive()
            if not refused:
                counters = self.records.counters(actor.username, year)
                return self._completion(
                    session_id, actor.username, config, counters, awarded=resource.credits
                )
        return self._complete_by_reading(actor.username, year, session_id, refused)

    def _award_in_full(
        self, actor: Actor, session_id: str, resource: Resource, config: YearConfig, now: datetime
    ) -> frozenset[AwardCheck]:
        """The common path: the whole award, written with no read before it. The
        session's own conditions check that it is as this assumes."""
        assumed = StudySession(
            session_id=session_id,
            student_no=actor.username,
            year=config.year,
            unit_id=None,  # the year result exists since the start: its unit stays
            started_at="",
            started_epoch=0,
            # As `start` made it; a session from before locks comes back refused `lock`
            # and is completed by reading.
            locked=holds_lock(resource),
            **resource.model_dump(exclude=NOT_OF_SESSIONS),
        )
        return self.records.award(award_of(assumed, config, now, resource.credits, None))

    def _complete_by_reading(
        self, student_no: str, year: int, session_id: str, refused: frozenset[AwardCheck]
    ) -> Completion:
        """Read the session and counters, explain a refusal or cut the award to what
        fits, and write again until it lands or there is nothing to award."""
        # Learnt from a refusal: a once-a-day resource was already paid today.
        paid_today = "once_day" in refused and "session" not in refused
        for _ in range(AWARD_RETRIES):
            session, counters = self.records.session_and_counters(student_no, year, session_id)
            if session is None:
                raise NotFound("no such session")
            config = self.years.get(year)
            if session.state == "completed":
                return self._completion(session_id, student_no, config, counters, session=session)
            now = self.clock.now()
            self._check_open(session, now)
            self._check_served(session, config, now)
            amount, limit = award_and_limit(
                config, counters, local_date(now), session.activity, session.credits
            )
            if paid_today:
                amount, limit = 0, "once_per_day"
            refused = self.records.award(award_of(session, config, now, amount, limit))
            if "session" not in refused:
                self._explain(refused, session, config, now)
            if "once_day" in refused and "session" not in refused:
                paid_today = True  # another session of it paid today: this one closes on 0
            if not refused:
                done = session.model_copy(
                    update={
                        "state": "completed",
                        "awarded": amount,
                        "capped": limit is not None,
                        "limit": limit,
                    }
                )
                return self._completion(
                    session_id,
                    student_no,
                    config,
                    self.records.counters(student_no, year),
                    session=done,
                )
            # completed meanwhile, the window moved, or less room left: look again
        raise Conflict("too many simultaneous completions; try again")

    @staticmethod
    def _check_open(session: StudySession, now: datetime) -> None:
        """A session closed without pay, or past its expiry, completes no more."""
        if session.state == "refused":
            raise Duplicate("this resource has already earned its credits this year")
        if session.state == "abandoned":
            raise Conflict("this study session was abandoned", {"reason": "abandoned"})
        if session.expired(now):
            raise expired()

    def _explain(
        self,
        refused: frozenset[AwardCheck],
        session: StudySession,
        config: YearConfig,
        now: datetime,
    ) -> None:
        """The refusals of a still-open session that no second try can change."""
        if "active" in refused:
            raise inactive()
        if "lock" in refused:
            raise expired()  # only an expired lock is lost without closing the session
        if "once" in refused:
            # Closed on nothing, so that it frees the learner's one open session.
            closing = award_of(session, config, now, 0, None, closes_as="refused")
            self.records.award(closing)  # refused means it closed meanwhile: either way
            raise Duplicate("this resource has already earned its credits this year")

    def _check_served(self, session: StudySession, config: YearConfig, now: datetime) -> None:
        if config.closed(now):
            raise YearClosed(f"study year {config.year} has closed: no more credits for it")
        elapsed = now.timestamp() - session.started_epoch
        if session.needed_seconds is not None:  # a lesson: served by its reports
            elapsed = session.served_seconds
        if elapsed < session.min_seconds:
            left = session.min_seconds - int(elapsed)
            raise TooEarly(
                f"keep studying: {left} more seconds before this counts",
                {"seconds_left": left},
            )
        if not config.credit_window.contains(now):
            raise OutsideWindow("the credit window has closed")

    def _completion(
        self,
        session_id: str,
        student_no: str,
        config: YearConfig,
        counters: YearResult,
        *,
        awarded: int = 0,
        session: StudySession | None = None,
    ) -> Completion:
        today = local_date(self.clock.now())
        return Completion(
            session_id=session_id,
            awarded=session.awarded if session else awarded,
            capped=session.capped if session else False,
            limit=session.limit if session else None,
            balance=balance_of(student_no, config, counters, today),
        )

    # balances and the ledger --------------------------------------------------------

    def balance_now(self, student_no: str, year: int) -> Balance:
        config = self.years.get(year)
        counters = self.records.counters(student_no, year)
        return balance_of(student_no, config, counters, local_date(self.clock.now()))

    def balance(self, actor: Actor, year: int, student_no: str | None = None) -> Balance:
        """The learner's balance, or that of one in an admin's scope."""
        return self.balance_now(self.directory.whose(actor, student_no), year)

    def ledger(
        self,
        actor: Actor,
        year: int,
        limit: int,
        cursor: str | None,
        student_no: str | None = None,
    ) -> Ledger:
        """A page of the learner's ledger, or of one's in an admin's scope."""
        student_no = self.directory.whose(actor, student_no)
        self.years.get(year)
        scope = f"ledger:{student_no}:{year}"
        start = decode_cursor(cursor, scope, self.cursor_secret)
        entries, last = self.records.ledger(student_no, year, limit, start)
        return Ledger(items=entries, cursor=encode_cursor(last, scope, self.cursor_secret))

    # adjustments --------------------------------------------------------------------

    def adjust(self, actor: Actor, adjustment: Adjustment) -> Balance:
        profile = self.directory.learner_in_scope(actor, adjustment.student_no)
        config = self.years.get(adjustment.year)
        now = self.clock.now()
        if config.closed(now):
            raise YearClosed(f"study year {adjustment.year} has closed: its credits are final")
        before = self.records.counters(adjustment.student_no, adjustment.year)
        credits_before = before.credits
        try:
            self.records.adjust(actor, adjustment, str(profile["unit_id"]), credits_before, now)
        except Duplicate:
            earlier = self.records.adjustment_request(adjustment.adjustment_id)
            if earlier != adjustment.model_dump():
                raise Duplicate(
                    f"adjustment {adjustment.adjustment_id} was already used for a different change"
                ) from None
        return self.balance_now(adjustment.student_no, adjustment.year)
