"""Credits for a completed practice set (#27): what the year pays a set, cut to what fits
under the day's caps, written once by the set's last answer (or, if that write was lost,
by the next answer to the full set). The guarantees are the transaction's conditions
(credit_repository.py); this only decides what to ask for and reads on a refusal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import cast

from xuefa.core.auth import Actor
from xuefa.core.clock import local_date
from xuefa.core.errors import Conflict
from xuefa.credits.service import award_and_limit
from xuefa.practice.credit_repository import ACTIVITY, DynamoPracticeCredits, SetPayment
from xuefa.practice.sets import GivenSet
from xuefa.practice.views import PayLimit
from xuefa.years.repository import YearBook

PAY_RETRIES = 20  # the caps' room moved by parallel awards: cut and try again


class SetPay:
    def __init__(self, records: DynamoPracticeCredits, years: YearBook):
        self.records = records
        self.years = years

    def settle(
        self,
        actor: Actor,
        given: GivenSet,
        now: datetime,
        first_time: bool,
        tallies: Mapping[str, tuple[int, int]],
    ) -> tuple[int, PayLimit | None] | None:
        """(credits paid, what cut them) for a full set; None when the year pays no
        credits for practice now. `first_time`: this answer completed the set, so it
        cannot have been settled yet (no read before the write). `tallies`: the set's
        answers and right answers per topic, counted for the learner's unit."""
        config = self.years.get(given.year)
        credits = config.practice_set_credits
        if config.closed(now) or not config.credit_window.contains(now):
            return None
        pays = credits > 0
        if not first_time and (paid := self.records.paid(given.set_id)) is not None:
            return paid if pays else None
        day = local_date(now)
        amount, limit = credits, cast(PayLimit | None, None)
        for _ in range(PAY_RETRIES):
            payment = SetPayment(
                given=given,
                unit_id=actor.unit_id,
                at=now,
                day=day,
                amount=amount,
                limit=limit,
                day_ceiling=config.caps.daily_total,
                activity_ceiling=config.caps.per_activity_daily_caps.get(ACTIVITY),
                tallies=tallies,
            )
            failed = self.records.pay(payment)
            if not failed:
                return (amount, limit) if pays else None
            if "set" in failed:  # settled meanwhile by a parallel answer: its outcome counts
                paid = self.records.paid(given.set_id)
                if paid is not None:
                    return paid if pays else None
                raise Conflict("this practice set cannot be paid: it is not complete")
            if failed & {"window", "active"}:
                return None
            if "once" in failed:
                amount, limit = 0, "already_paid"
                continue
            counters = self.records.counters(given.owner, given.year)
            amount, cut = award_and_limit(config, counters, day, ACTIVITY, credits)
            limit = cast(PayLimit | None, cut)  # the day's total or practice's own cap
        raise Conflict("too many simultaneous awards; try again")
