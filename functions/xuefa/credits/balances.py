"""A learner's credit balance for a year (what the year result's counters say today)
and the pages of their ledger, for themselves or an admin in scope."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock, iso, local_date
from xuefa.credits.repository import CreditRepository
from xuefa.credits.views import Ledger
from xuefa.roster.directory import Directory
from xuefa.store.cursor import decode_cursor, encode_cursor
from xuefa.years.repository import YearBook
from xuefa.years.results import YearResult
from xuefa.years.rules import YearConfig


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


class Balances:
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

    def balance_now(self, student_no: str, year: int) -> Balance:
        config = self.years.get(year)
        counters = self.records.counters(student_no, year)
        return balance_of(student_no, config, counters, local_date(self.clock.now()))

    def balance(self, actor: Actor, year: int, student_no: str | None = None) -> Balance:
        """The learner's balance, or that of one in an admin's scope."""
        now = self.clock.now()
        whose = self.directory.whose(actor, student_no, what=f"balance/{year}", at=now)
        return self.balance_now(whose, year)

    def ledger(
        self,
        actor: Actor,
        year: int,
        limit: int,
        cursor: str | None,
        student_no: str | None = None,
    ) -> Ledger:
        """A page of the learner's ledger, or of one's in an admin's scope."""
        student_no = self.directory.whose(
            actor, student_no, what=f"ledger/{year}", at=self.clock.now()
        )
        self.years.get(year)
        scope = f"ledger:{student_no}:{year}"
        start = decode_cursor(cursor, scope, self.cursor_secret)
        entries, last = self.records.ledger(student_no, year, limit, start)
        return Ledger(items=entries, cursor=encode_cursor(last, scope, self.cursor_secret))
