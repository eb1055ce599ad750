"""An admin's adjustment of a learner's credits: once per id (a repeat of the same
request answers the same), never below zero, only while the year is open."""

from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from xuefa.core.audit import Reason
from xuefa.core.auth import Actor
from xuefa.core.clock import Clock
from xuefa.core.errors import Duplicate, YearClosed
from xuefa.credits.balances import Balance, Balances
from xuefa.credits.repository import CreditRepository
from xuefa.credits.views import ID_PATTERN
from xuefa.roster.directory import Directory
from xuefa.years.repository import YearBook

MAX_ADJUSTMENT = 100_000


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


class Adjustments:
    def __init__(
        self,
        records: CreditRepository,
        years: YearBook,
        directory: Directory,
        clock: Clock,
        balances: Balances,  # what an adjustment answers with
    ):
        self.records = records
        self.years = years
        self.directory = directory
        self.clock = clock
        self.balances = balances

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
        return self.balances.balance_now(adjustment.student_no, adjustment.year)
