"""The notice's own year as a whole cycle: in 2017 some learners studied for weeks and sat
the exam in September (made by the services themselves, on 2017's dates), and the year is
closed at seed time like the first nightly run after 30 November would close it: every
learner frozen into the archive, the year-end set on S3, certificates for those who
passed. A newcomer can download a year-end report and a certificate and verify it.

Units 530402-001 and 530403-001 are left untouched, as in the demo year (for the tests).
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from infra.local import demo_city
from infra.local.demo_activity import UNTOUCHED, sit_exam, study_once
from xuefa.auth import Actor
from xuefa.clock import SHANGHAI, FixedClock, SystemClock
from xuefa.credits import Adjustment, Credits
from xuefa.dal.attempts import DynamoAttempts
from xuefa.dal.bank import BankReader
from xuefa.dal.credits import DynamoCredits
from xuefa.dal.table import Store
from xuefa.dal.years import YearBook
from xuefa.directory import Directory
from xuefa.exams import Exams
from xuefa.objects import ReportBucket
from xuefa.reports import Pipeline, ReportJob

YEAR = 2017
COURSES = ["c-xf-01", "c-xf-02", "c-xz-01", "c-xz-02", "v-fz-01", "r-qw-01"]


def learners_of_2017() -> list[demo_city.DemoLearner]:
    """Every fifteenth learner outside the untouched units: about twenty."""
    others = [p for p in demo_city.learners() if p.unit_id not in UNTOUCHED]
    return others[::15]


def make(store: Store, bucket: str, root_unit_id: str) -> int:
    """2017's study and exams, then its close; the number of certificates issued."""
    rng = random.Random(YEAR)
    clock = FixedClock(datetime(2017, 3, 1, 9, 0, tzinfo=SHANGHAI))
    years, directory = YearBook(store), Directory(store)
    config = years.get(YEAR)
    credits = Credits(DynamoCredits(store), years, directory, clock, "demo-2017-secret-000000")
    exams = Exams(DynamoAttempts(store), years, BankReader(store), directory, clock)
    city = Actor("city_admin", frozenset({"admins"}), root_unit_id)
    for learner in learners_of_2017():
        actor = Actor(learner.student_no, frozenset({"learners"}), learner.unit_id)
        for day in sorted(rng.sample(range(60, 270), k=2)):
            clock.set(datetime.combine(date(2016, 12, 1) + timedelta(days=day), time(19), SHANGHAI))
            study_once(credits, actor, clock, rng.choice(COURSES))
        # The unit's offline study sessions, credited by the city (as the notice allows).
        clock.set(datetime(2017, 11, 20, 10, 0, tzinfo=SHANGHAI))
        offline = Adjustment(
            adjustment_id=f"demo-2017-offline-{learner.student_no}",
            student_no=learner.student_no,
            year=YEAR,
            delta=rng.randrange(600, 2400, 100),
            reason="单位集中学法（线下）折算积分",
        )
        credits.adjust(city, offline)
        clock.set(datetime(2017, 9, rng.randint(11, 28), 20, 0, tzinfo=SHANGHAI))
        sit_exam(exams, actor, clock, store, config, rng)
    job = ReportJob(
        store,
        years,
        directory,
        ReportBucket(bucket),
        SystemClock(),
        Pipeline(root_unit_id, grade_expired=lambda *_: None),
    )
    job.close_years()
    return sum(1 for learner in learners_of_2017() if _passed(store, learner.student_no))


def _passed(store: Store, student_no: str) -> bool:
    from xuefa.dal.archive import DynamoArchive

    record = DynamoArchive(store).record(student_no, YEAR)
    return bool(record and record.get("certificate"))
