"""A few weeks of study in the demo year, made by the services themselves (so ledger,
counters, attempts and best scores agree): some learners studied on past days, did the
day's practice, some sat the exam. Units 530402-001 and 530403-001 are left untouched,
for the tests."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from infra.local import demo_city
from xuefa.bootstrap import Services, on_store
from xuefa.core.auth import Actor
from xuefa.core.clock import SHANGHAI, Clock, FixedClock
from xuefa.core.errors import XuefaError
from xuefa.core.settings import Settings
from xuefa.credits.service import Credits
from xuefa.exams.repository import DynamoAttempts
from xuefa.exams.service import Exams
from xuefa.practice.service import Practice
from xuefa.practice.views import AnswerBody, SetQuery
from xuefa.store.store import Store
from xuefa.years.rules import YearConfig

UNTOUCHED = {"530402-001", "530403-001"}
COURSES = ["c-xf-01", "c-xf-02", "c-xz-01", "c-xz-02", "v-fz-01", "r-qw-01"]


def make(store: Store, config: YearConfig, today: date) -> int:
    """Study and exam history before today; the number of learners who took part."""
    rng = random.Random(today.toordinal())
    clock = FixedClock(datetime.combine(today, time(0), SHANGHAI))
    services = demo_services(store, clock, "demo-activity-secret-000")
    credits, exams = services.credits, services.exams
    learners = [p for p in demo_city.learners() if p.unit_id not in UNTOUCHED]
    active = rng.sample(learners, k=len(learners) // 4)
    for learner in active:
        actor = Actor(learner.student_no, frozenset({"learners"}), learner.unit_id)
        for days_ago in sorted(rng.sample(range(1, 20), k=rng.randint(1, 2)), reverse=True):
            day = today - timedelta(days=days_ago)
            if day < config.credit_window.opens_at.date():
                continue  # early in the year there are fewer weeks behind us
            clock.set(datetime.combine(day, time(rng.randint(8, 21), rng.randint(0, 59)), SHANGHAI))
            for resource_id in ("signin", rng.choice(COURSES)):
                study_once(credits, actor, clock, resource_id)
            if rng.random() < 0.35:  # a set is ~30 requests: the seed stays quick
                practise_once(services.practice, actor, rng)
        exam_day = today - timedelta(days=rng.randint(1, 10))
        if rng.random() < 0.5 and config.exam_window.opens_at.date() <= exam_day:
            clock.set(datetime.combine(exam_day, time(20, 0), SHANGHAI))
            sit_exam(exams, actor, clock, store, config, rng)
    return len(active)


def demo_services(
    store: Store, clock: Clock, secret: str, bucket: str = "", root: str = demo_city.CITY[0]
) -> Services:
    """The product's services as the composition root builds them, on the demo's table
    by a clock of the seed's own (it walks through past days)."""
    settings = Settings(
        table_name=store.table_name,
        bucket_name=bucket or "demo-bucket",
        cursor_secret=secret,
        root_unit_id=root,
    )
    return on_store(store, settings, clock)


def study_once(credits: Credits, actor: Actor, clock: FixedClock, resource_id: str) -> None:
    """One study session, served in full; refused ones (a once-a-year course done, the
    day's cap reached) are passed over as a learner would."""
    try:
        session = credits.start(actor, resource_id)
        clock.advance(seconds=session.min_seconds + 60)
        credits.complete(actor, session.session_id)
    except XuefaError:
        pass


# How often a demo learner knows a practice topic's answer: local regulations are the
# least known, so a unit's weakest topic shows in the console.
KNOWN = {"yunnan": 0.45, "party_rules": 0.65, "seventh_plan": 0.7}


def practise_once(practice: Practice, actor: Actor, rng: random.Random) -> None:
    """The day's 每日一练, answered by what the learner knows (pool empty: nothing)."""
    try:
        given = practice.give(actor, SetQuery(kind="daily"))
    except XuefaError:
        return
    pool = practice.records.pool(given.year)
    for asked in given.questions:
        question = pool[asked.question_id]
        knows = rng.random() < KNOWN.get(str(question.topic), 0.85)
        wrong = [o.key for o in question.options if o.key not in question.answer]
        keys = list(question.answer) if knows or not wrong else [rng.choice(wrong)]
        practice.answer(actor, given.set_id, AnswerBody(question_id=asked.question_id, answer=keys))


def sit_exam(
    exams: Exams,
    actor: Actor,
    clock: FixedClock,
    store: Store,
    config: YearConfig,
    rng: random.Random,
) -> None:
    started = exams.start(actor, config.year)
    _, attempt = DynamoAttempts(store).result_and_attempt(
        actor.username, config.year, started.attempt_no
    )
    assert attempt is not None
    skill = rng.uniform(0.5, 0.95)  # how often this learner knows the answer
    answers = {
        q.question_id: list(q.answer) if rng.random() < skill else [q.options[0]["key"]]
        for q in attempt.paper
    }
    clock.advance(minutes=rng.randint(20, 80))
    exams.submit(actor, config.year, started.attempt_no, answers)
