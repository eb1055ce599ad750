"""Closed years as whole cycles: the notice's own 2017 and the study year that has just
ended. In each, some learners studied for weeks, were credited for the unit's offline
sessions and sat the exam (made by the services themselves, on that year's dates), and the
year is closed at seed time as the first nightly run after 30 November would close it:
every learner frozen into the archive, the year-end set on S3, certificates for those who
passed. A newcomer can download a year-end report and a certificate and verify it, on any
day of the year.

Units 530402-001 and 530403-001 are left untouched, as in the current year (for the tests).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from infra.local import demo_city
from infra.local.demo_activity import UNTOUCHED, demo_services, sit_exam, study_once
from xuefa.core.auth import Actor
from xuefa.core.clock import SHANGHAI, Clock, FixedClock, local_date
from xuefa.credits.service import Adjustment
from xuefa.reports.archive_repository import DynamoArchive
from xuefa.store.store import Store
from xuefa.years.rules import YearConfig

COURSES = ["c-xf-01", "c-xf-02", "c-xz-01", "c-xz-02", "v-fz-01", "r-qw-01"]
NOTICE_YEAR = 2017


def learners_of(year: int) -> list[demo_city.DemoLearner]:
    """2017: every fifteenth learner outside the untouched units (about twenty); the year
    just ended: every tenth (about thirty), a city at work."""
    others = [p for p in demo_city.learners() if p.unit_id not in UNTOUCHED]
    return others[:: 15 if year == NOTICE_YEAR else 10]


def make(store: Store, bucket: str, root_unit_id: str, closed: list[int], clock: Clock) -> int:
    """Each closed year's study and exams, then the close by `clock` (after the credit
    windows' close); the number of certificates issued."""
    services = demo_services(store, clock, "demo-close-secret-000000", bucket, root_unit_id)
    for year in closed:
        study_and_sit(store, services.years.get(year), root_unit_id)
    services.report_job.close_years()
    archive = DynamoArchive(store)
    return sum(
        1
        for year in closed
        for learner in learners_of(year)
        if (record := archive.record(learner.student_no, year)) and record.get("certificate")
    )


def study_and_sit(store: Store, config: YearConfig, root_unit_id: str) -> None:
    year = config.year
    rng = random.Random(year)
    opens = local_date(config.credit_window.opens_at)
    clock = FixedClock(datetime.combine(opens, time(9), SHANGHAI))
    services = demo_services(store, clock, f"demo-{year}-secret-000000")
    credits, exams = services.credits, services.exams
    city = Actor("city_admin", frozenset({"admins"}), root_unit_id)
    exam_days = _days(config.exam_window.opens_at, config.exam_window.closes_at)
    for learner in learners_of(year):
        actor = Actor(learner.student_no, frozenset({"learners"}), learner.unit_id)
        for day in sorted(rng.sample(range(60, 270), k=2)):
            clock.set(datetime.combine(opens + timedelta(days=day), time(19), SHANGHAI))
            study_once(credits, actor, clock, rng.choice(COURSES))
        # The unit's offline study sessions, credited by the city (as the notice allows),
        # ten days before the credit window closes.
        closes = local_date(config.credit_window.closes_at)
        clock.set(datetime.combine(closes - timedelta(days=10), time(10), SHANGHAI))
        offline = Adjustment(
            adjustment_id=f"demo-{year}-offline-{learner.student_no}",
            student_no=learner.student_no,
            year=year,
            delta=rng.randrange(600, 2400, 100),
            reason="单位集中学法（线下）折算积分",
        )
        credits.adjust(city, offline)
        clock.set(datetime.combine(rng.choice(exam_days), time(20), SHANGHAI))
        sit_exam(exams, actor, clock, store, config, rng)


def _days(opens: datetime, closes: datetime) -> list[date]:
    """The days of a window on which an evening's 90-minute paper fits before it closes."""
    first, last = local_date(opens), local_date(closes - timedelta(hours=4))
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
