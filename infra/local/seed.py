"""Seeds the demo city once: units, people (table and user pool), year configs, the
study catalogue and the question bank, through the repositories. A marker item makes a
second run a no-op.

The catalogue and the bank are data, in the formats the admins import:
demo_catalogue.json (POST /credits/catalogue bodies, the year left out) and
demo_bank.json (a POST /exams/{year}/questions body: the Constitution, administrative
law, the rule-of-law programme, the Civil Code and Party regulations, written for this
project; each single-choice fact also a judge question, true or false, so that 86 facts
and 30 multiple-choice questions make 202)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from infra.local import demo_activity, demo_city, demo_closed_year
from infra.local.resources import ensure_user
from xuefa.bank.importing import BANK_CHUNK
from xuefa.core.auth import Actor
from xuefa.core.clock import Clock, local_date, start_of_day, study_year_of
from xuefa.core.errors import Duplicate
from xuefa.core.settings import get_settings
from xuefa.credits.repository import DynamoCredits
from xuefa.credits.service import NewResource
from xuefa.credits.views import Resource
from xuefa.exams.bank_repository import question_item
from xuefa.exams.questions import ImportRequest, Question, validate_import
from xuefa.exams.repository import DynamoAttempts
from xuefa.roster.directory import Unit
from xuefa.roster.learners import student_no_prefix
from xuefa.roster.repository import AdminProfile, DynamoRoster, Enrolled
from xuefa.store.store import Store
from xuefa.years.repository import YearBook
from xuefa.years.rules import YearConfig, demo_year, load_packaged_year

SEED_MARKER = {"pk": "SEED#demo", "sk": "META"}
SEED_VERSION = 7  # 4: the demo study content (#26); 5: seeded through the repositories;
# 6: the practice pool (#27); 7: the demo learners' practice
DATA = Path(__file__).parent
# Who added the demo's catalogue, in the audit.
CITY_ADMIN = Actor("seed", frozenset({"admins"}), demo_city.CITY[0])


def years_for(today: date, ended: bool = True) -> list[YearConfig]:
    """2017 (the notice's), the study year that ended before `today`'s (unless not asked
    for: the API tests' nights need not close a second year), and `today`'s."""
    notice, current = load_packaged_year(2017), demo_year(today)
    return [notice, ended_year(today), current] if ended else [notice, current]


def ended_year(today: date) -> YearConfig:
    """The study year before `today`'s, as the demo year would have been on 1 November of
    it: its exam window ran from mid-October to mid-November."""
    last = study_year_of(today) - 1
    return demo_year(date(last, 11, 1))


def put_years(store: Store, today: date, ended: bool = True) -> list[YearConfig]:
    """The demo's years. The current one is refreshed at every start (its exam window moves
    with the stack's clock); a year once written whose credit window has closed is left as
    it is (closed years never change)."""
    book = YearBook(store)
    configs = years_for(today, ended)
    moment = start_of_day(today)
    for config in configs:
        kept = book.find(config.year)
        if kept is not None and kept.closed(moment):
            continue
        book.put(config)
    return configs


def seed(
    store: Store,
    seed_accounts: Callable[[], None],
    clock: Clock,
    say: Callable[[str], None] = print,
    history: bool = True,
) -> bool:
    """Seed if not yet seeded, as of the stack's clock; True when it wrote anything."""
    today = local_date(clock.now())
    configs = put_years(store, today)
    marker = store.get(SEED_MARKER)
    if marker and marker.get("version") == SEED_VERSION:
        return False
    count = seed_table(store, today, configs)
    say(
        f"seeded {len(demo_city.units())} units, {len(demo_city.learners())} learners, "
        f"{count} items"
    )
    seed_accounts()
    closed = [config.year for config in configs if config.closed(clock.now())]
    settings = get_settings()
    certified = demo_closed_year.make(
        store, settings.bucket_name, settings.root_unit_id, closed, clock
    )
    names = " and ".join(str(year) for year in closed)
    say(f"closed {names}: archived, year-end sets written, {certified} certificates")
    if history:
        took_part = demo_activity.make(store, configs[-1], today)
        say(f"seeded study history: {took_part} learners studied or sat the exam before today")
    # After the history: its past sessions were today's timers, before they became lessons.
    lessons = seed_content(store, configs[-1], clock)
    say(f"seeded {lessons} lessons for {configs[-1].year}")
    store.put({**SEED_MARKER, "version": SEED_VERSION, "seeded_on": today.isoformat()})
    return True


def seed_table(
    store: Store, today: date, configs: list[YearConfig], *, practice: bool = True
) -> int:
    """The demo city through the repositories: its units, learners and admins, and each
    year's catalogue and question bank as a city administrator imports them; the number
    of records written. `practice=False` leaves the practice pool out (the API tests
    import their own, and are spared writing 193 questions a test)."""
    roster, units = DynamoRoster(store), [_unit(unit) for unit in demo_city.units()]
    roster.put_units(units)
    by_id = {unit.unit_id: unit for unit in units}
    # They joined their units before the first study year began, so that every report,
    # for any date of any year, lists them.
    first = min(c.credit_window.opens_at.date() for c in configs)
    joined = start_of_day(first) - timedelta(days=1)
    learners = [
        Enrolled(p.student_no, p.name, by_id[p.unit_id], p.phone) for p in demo_city.learners()
    ]
    roster.put_learners(learners, joined, "seed")
    counters: dict[str, int] = {}
    for learner in learners:
        prefix = student_no_prefix(learner.unit.path)
        counters[prefix] = max(counters.get(prefix, 0), int(learner.student_no[-6:]))
    roster.put_counters(counters)
    admins = [AdminProfile(a.username, a.name, a.unit_id, a.level) for a in demo_city.admins()]
    roster.put_admins(admins)
    written = len(units) + 2 * len(learners) + len(counters) + len(admins)
    for config in configs:
        written += put_catalogue(store, config) + put_bank(store, config, practice)
    return written


def _unit(demo: demo_city.DemoUnit) -> Unit:
    return Unit(
        unit_id=demo.unit_id,
        name=demo.name,
        parent_id=demo.parent_id,
        path=demo.path,
        kind=demo.kind,
    )


def catalogue(year: int) -> list[NewResource]:
    """demo_catalogue.json: POST /credits/catalogue bodies but for the year (every demo
    year has the same catalogue)."""
    entries = json.loads(DATA.joinpath("demo_catalogue.json").read_text(encoding="utf-8"))
    return [NewResource.model_validate({**entry, "year": year}) for entry in entries]


def bank(name: str = "demo_bank.json") -> list[Question]:
    """demo_bank.json (the exam's pool) or demo_practice.json (the practice pool, #27): a
    POST /exams/{year}/questions body, checked as an import is."""
    body = ImportRequest.model_validate_json(DATA.joinpath(name).read_bytes())
    valid, errors = validate_import(body.questions)
    assert not errors, (name, errors)
    return valid


def put_catalogue(store: Store, config: YearConfig) -> int:
    """The year's catalogue as the city adds it (audited), on the year's first day; a
    resource already there (a re-seed) is left as it is."""
    records, added = DynamoCredits(store), 0
    for new in catalogue(config.year):
        resource = Resource.model_validate(new.model_dump(exclude={"year"}))
        try:
            records.add_resource(CITY_ADMIN, config.year, resource, config.credit_window.opens_at)
        except Duplicate:
            continue
        added += 1
    return added


def put_bank(store: Store, config: YearConfig, practice: bool = True) -> int:
    """The year's question bank, both pools, as the city imports it on the year's first
    day."""
    questions = bank() + (bank("demo_practice.json") if practice else [])
    items = [question_item(config.year, question) for question in questions]
    attempts = DynamoAttempts(store)
    for first in range(0, len(items), BANK_CHUNK):
        chunk = items[first : first + BANK_CHUNK]
        assert attempts.add_questions(config.year, chunk, config.credit_window.opens_at)
    return len(items)


def seed_own_accounts(store: Store) -> None:
    """The demo logins as our own identity's accounts. Every demo account has the same
    password, so it is hashed once (Argon2id is slow on purpose); real accounts never
    share a hash."""
    from xuefa.identity.passwords import hash_password
    from xuefa.identity.repository import Account, DynamoIdentity

    shared = hash_password(demo_city.DEMO_PASSWORD)
    people = [(learner.student_no, learner.unit_id, "learners") for learner in demo_city.learners()]
    people += [(admin.username, admin.unit_id, "admins") for admin in demo_city.admins()]
    DynamoIdentity(store).create_many(
        [Account(name, shared, (group,), unit_id) for name, unit_id, group in people]
    )


def seed_accounts(cognito: Any, pool_id: str) -> None:
    for learner in demo_city.learners():
        ensure_user(
            cognito,
            pool_id,
            learner.student_no,
            demo_city.DEMO_PASSWORD,
            learner.unit_id,
            "learners",
        )
    for admin in demo_city.admins():
        ensure_user(
            cognito, pool_id, admin.username, demo_city.DEMO_PASSWORD, admin.unit_id, "admins"
        )


def logins() -> list[dict[str, Any]]:
    users: list[dict[str, Any]] = [
        {
            "username": admin.username,
            "password": demo_city.DEMO_PASSWORD,
            "groups": ["admins"],
            "unit_id": admin.unit_id,
            "level": admin.level,
            "name": admin.name,
        }
        for admin in demo_city.admins()
    ]
    users.extend(
        {
            "username": learner.student_no,
            "password": demo_city.DEMO_PASSWORD,
            "groups": ["learners"],
            "unit_id": learner.unit_id,
            "name": learner.name,
        }
        for learner in demo_city.learners()
    )
    return users


def seed_content(store: Store, config: YearConfig, clock: Clock) -> int:
    """The demo lessons (infra/local/content/) published for the open year."""
    from infra.local import demo_content
    from xuefa.credits.content_repository import ContentBucket

    settings = get_settings()
    bucket = ContentBucket(settings.content_bucket or settings.bucket_name)
    return demo_content.seed(store, bucket, config.year, clock)
