"""Seeds the demo city once: units, people (table and user pool), year configs, the
study catalogue and the question bank. A marker item makes a second run a no-op."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from infra.local import demo_activity, demo_bank, demo_catalogue, demo_city, demo_closed_year
from infra.local.resources import ensure_user
from xuefa.core.clock import Clock, local_date, start_of_day, study_year_of
from xuefa.core.settings import get_settings
from xuefa.roster.directory import Unit
from xuefa.roster.repository import dedupe_key, learner_item
from xuefa.roster.service import student_no_prefix
from xuefa.store.keys import Keys
from xuefa.store.store import Store
from xuefa.store.table import GSI_PARTITION_KEY, GSI_SORT_KEY
from xuefa.years.repository import YearBook
from xuefa.years.rules import YearConfig, demo_year, load_packaged_year

SEED_MARKER = {"pk": "SEED#demo", "sk": "META"}
SEED_VERSION = 3


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
    store.put({**SEED_MARKER, "version": SEED_VERSION, "seeded_on": today.isoformat()})
    return True


def seed_table(store: Store, today: date, configs: list[YearConfig]) -> int:
    """The demo city's items; the number written."""
    items: list[dict[str, Any]] = []
    units = demo_city.units()
    for unit in units:
        items.append(
            {
                **Keys.unit(unit.unit_id),
                "unit_id": unit.unit_id,
                "name": unit.name,
                "parent_id": unit.parent_id,
                "path": unit.path,
                "kind": unit.kind,
                GSI_PARTITION_KEY: Keys.unit_children(unit.parent_id) if unit.parent_id else None,
                GSI_SORT_KEY: unit.unit_id if unit.parent_id else None,
            }
        )
    unit_by_id = {unit.unit_id: unit for unit in units}
    counters: dict[str, int] = {}
    learners = demo_city.learners()
    # The demo city's learners joined their units before the first study year began, so
    # that every report, for any date of any year, lists them.
    seeded_at = start_of_day(min(c.credit_window.opens_at.date() for c in configs)) - timedelta(
        days=1
    )
    for learner in learners:
        demo = unit_by_id[learner.unit_id]
        home = Unit(
            unit_id=demo.unit_id,
            name=demo.name,
            parent_id=demo.parent_id,
            path=demo.path,
            kind=demo.kind,
        )
        prefix = student_no_prefix(home.path)
        counters[prefix] = max(counters.get(prefix, 0), int(learner.student_no[-6:]))
        items.append(
            learner_item(learner.student_no, learner.name, home, learner.phone, seeded_at, "seed")
        )
        items.append(
            {
                **dedupe_key(home.unit_id, learner.name, learner.phone),
                "student_no": learner.student_no,
            }
        )
    for code, last in counters.items():
        items.append({**Keys.counter(f"STUDENT_NO#{code}"), "value": last})
    for admin in demo_city.admins():
        items.append(
            {
                **Keys.admin(admin.username),
                "username": admin.username,
                "name": admin.name,
                "unit_id": admin.unit_id,
                "level": admin.level,
            }
        )
    for config in configs:
        items.extend(demo_catalogue.items(config.year))
        items.extend(demo_bank.items(config.year))
    store.batch_put(items)
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
