"""Study credits: completing a study session (the award), and the service's parts.

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

`Credits` is what handlers and the other services call: it hands each call to its part
(the catalogue, sessions, completions, balances and the ledger, adjustments).
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel

from xuefa.core.auth import Actor, require_learner
from xuefa.core.clock import Clock, local_date
from xuefa.core.errors import Conflict, Duplicate, NotFound, OutsideWindow, TooEarly, YearClosed
from xuefa.credits.adjustments import Adjustment, Adjustments
from xuefa.credits.balances import Balance, Balances, balance_of
from xuefa.credits.catalogue import NewResource, StudyCatalogue
from xuefa.credits.repository import CreditRepository
from xuefa.credits.sessions import StudySessions, inactive, own_session
from xuefa.credits.views import (
    NOT_OF_SESSIONS,
    SESSION_ID,
    Award,
    AwardCheck,
    Catalogue,
    Ledger,
    Limit,
    Resource,
    SessionClosed,
    SessionStarted,
    SessionState,
    StudySession,
    holds_lock,
)
from xuefa.roster.directory import Directory
from xuefa.years.repository import YearBook
from xuefa.years.results import YearResult
from xuefa.years.rules import YearConfig

AWARD_RETRIES = 40

__all__ = [
    "SESSION_ID",
    "Adjustment",
    "Balance",
    "Completion",
    "Credits",
    "NewResource",
    "Resource",
    "award_and_limit",
    "balance_of",
]


class Completion(BaseModel):
    session_id: str
    awarded: int
    capped: bool
    # What cut the award, if anything: the day's total, the activity's daily cap, or a
    # once-a-day resource already paid today.
    limit: Limit | None = None
    balance: Balance


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


def expired() -> Conflict:
    return Conflict(
        "this study session expired before it was completed: start again",
        {"reason": "expired"},
    )


class Completions:
    def __init__(self, records: CreditRepository, years: YearBook, clock: Clock):
        self.records = records
        self.years = years
        self.clock = clock

    def complete(self, actor: Actor, session_id: str) -> Completion:
        require_learner(actor)
        match = own_session(actor, session_id)
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


class Credits:
    """The credits service as handlers and the other services know it: each call goes
    to the part whose job it is."""

    def __init__(
        self,
        records: CreditRepository,
        years: YearBook,
        directory: Directory,
        clock: Clock,
        cursor_secret: str,
    ):
        self.records = records  # study content reads the catalogue's lessons through it
        self.resources = StudyCatalogue(records, years, directory, clock)
        self.sessions = StudySessions(records, years, clock)
        self.completions = Completions(records, years, clock)
        self.balances = Balances(records, years, directory, clock, cursor_secret)
        self.adjustments = Adjustments(records, years, directory, clock, self.balances)

    def catalogue(self, year: int) -> Catalogue:
        return self.resources.catalogue(year)

    def add_resource(self, actor: Actor, new: NewResource) -> Resource:
        return self.resources.add_resource(actor, new)

    def start(self, actor: Actor, resource_id: str) -> SessionStarted:
        return self.sessions.start(actor, resource_id)

    def abandon(self, actor: Actor, session_id: str) -> SessionClosed:
        return self.sessions.abandon(actor, session_id)

    def complete(self, actor: Actor, session_id: str) -> Completion:
        return self.completions.complete(actor, session_id)

    def balance_now(self, student_no: str, year: int) -> Balance:
        return self.balances.balance_now(student_no, year)

    def balance(self, actor: Actor, year: int, student_no: str | None = None) -> Balance:
        return self.balances.balance(actor, year, student_no)

    def ledger(
        self,
        actor: Actor,
        year: int,
        limit: int,
        cursor: str | None,
        student_no: str | None = None,
    ) -> Ledger:
        return self.balances.ledger(actor, year, limit, cursor, student_no)

    def adjust(self, actor: Actor, adjustment: Adjustment) -> Balance:
        return self.adjustments.adjust(actor, adjustment)
