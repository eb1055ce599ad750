"""Who may do what, over HTTP: every route × learner A, learner B (another county), a unit
admin, a county admin, the city admin, no token and an expired token, with targets in and
out of scope. Exactly the allowed cells get through; every denial is a 401/403 that
carries nothing but the error."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

# Learner A and the unit admin's unit are in 红塔区 (530402); learner B in 江川区 (530403).
A, B = "530402000010", "530403000010"
UNIT_IN, UNIT_OUT = "530402-001", "530403-001"
UNIT_NAMES = {UNIT_IN: "红塔区司法局", UNIT_OUT: "江川区司法局"}
ACTORS = ["learner_a", "learner_b", "unit_admin", "county_admin", "city_admin", "none", "expired"]
LOGINS = {
    "learner_a": A,
    "learner_b": B,
    "unit_admin": "unit_530402-001",
    "county_admin": "county_530402",
    "city_admin": "city_admin",
}
ADMINS = {"unit_admin", "county_admin", "city_admin"}


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str  # {learner} and {unit} are filled with the target
    body: Any
    rule: str  # who may: any | learner | self | admin | any_admin | city | self_or_admin

    def allowed(self, actor: str, in_scope: bool) -> bool:
        if actor in ("none", "expired"):
            return False
        learner = actor.startswith("learner")
        own = actor == "learner_a" if in_scope else actor == "learner_b"
        admin_ok = actor in ADMINS and (in_scope or actor == "city_admin")
        return {
            "any": True,
            "learner": learner,
            "self": learner and own,
            "admin": admin_ok,
            "any_admin": actor in ADMINS,  # no target: the same answer in and out of scope
            "city": actor == "city_admin",
            "self_or_admin": (learner and own) or admin_ok,
        }[self.rule]


def _csv(unit: str) -> str:
    return f"name,unit_id,phone\r\n矩阵测试,{unit},\r\n"


def _template() -> bytes:
    """The empty XLSX template: the city's import answers 400 (no rows), others 403."""
    from xuefa.bank.xlsx import template

    return template()


def _edit() -> dict[str, Any]:
    return {
        "type": "judge",
        "stem": "宪法是国家的根本法。",
        "options": [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}],
        "answer": ["A"],
    }


# A year far ahead: the city creates it, and each later run edits it to the same rules.
YEAR_2099 = {
    "year": 2099,
    "credit_window": {
        "opens_at": "2098-12-01T00:00:00+08:00",
        "closes_at": "2099-12-01T00:00:00+08:00",
    },
    "exam_window": {
        "opens_at": "2099-09-10T00:00:00+08:00",
        "closes_at": "2099-10-01T00:00:00+08:00",
    },
}

LESSON_WRITES: dict[str, Any] = {
    "course": {"year": 2017, "title": "矩阵课程", "topic": "constitution"},
    "lesson": {
        "year": 2017,
        "course_id": "k-matrix",
        "kind": "article",
        "title": "矩阵课",
        "credits": 1,
        "needed_seconds": 60,
    },
    "upload": {
        "year": 2017,
        "purpose": "document",
        "filename": "matrix.pdf",
        "content_type": "application/pdf",
        "size": 1024,
    },
    "complete": {
        "key": "content/2017/l-matrix/matrix.pdf",
        "upload_id": "matrix",
        "parts": [{"part_number": 1, "etag": "matrix"}],
    },
}

CASES = [
    Case("roster me", "GET", "/roster/me", None, "any"),
    Case("who looked", "GET", "/roster/me/access", None, "learner"),
    Case("my data", "GET", "/roster/me/data", None, "learner"),
    Case("unit", "GET", "/roster/units/{unit}", None, "admin"),
    Case("unit learners", "GET", "/roster/units/{unit}/learners", None, "admin"),
    # Each target unit is renamed to the name it has: the shared stack's data stays as seeded.
    Case(
        "rename unit",
        "PATCH",
        "/roster/units/{unit}",
        lambda t: {"name": UNIT_NAMES[t["unit"]]},
        "admin",
    ),
    Case(
        "new unit",
        "POST",
        "/roster/units",
        lambda t: {"name": "矩阵单位", "parent_id": t["unit"]},
        "admin",
    ),
    Case(
        "new learner",
        "POST",
        "/roster/learners",
        lambda t: {"name": "矩阵学员", "unit_id": t["unit"]},
        "admin",
    ),
    Case("import", "POST", "/roster/learners/import", lambda t: _csv(t["unit"]), "admin"),
    # No one's job: admins get 404; the job's own admin alone reads it (tests/api, e2e).
    Case("import job", "GET", "/roster/imports/AAAAAAAAAAAAAAAA", None, "any_admin"),
    Case("learner", "GET", "/roster/learners/{learner}", None, "self_or_admin"),
    Case("status", "POST", "/roster/learners/{learner}/status", {"status": "active"}, "admin"),
    Case(
        "transfer",
        "POST",
        "/roster/learners/{learner}/transfer",
        lambda t: {"to_unit_id": t["unit"]},
        "admin",
    ),
    Case("password", "POST", "/roster/learners/{learner}/password-reset", {}, "admin"),
    Case("catalogue", "GET", "/credits/catalogue", None, "any"),
    Case(
        "add resource",
        "POST",
        "/credits/catalogue",
        {"year": 2017, "title": "矩阵课程", "activity": "course", "credits": 10, "min_seconds": 60},
        "city",
    ),
    Case("start session", "POST", "/credits/sessions", {"resource_id": "signin"}, "learner"),
    Case(
        "complete session",
        "POST",
        "/credits/sessions/s{year}-{learner}-000000000000/complete",
        {},
        "self",
    ),
    Case(
        "abandon session",
        "POST",
        "/credits/sessions/s{year}-{learner}-000000000000/abandon",
        {},
        "self",
    ),
    Case("balance", "GET", "/credits/me", None, "learner"),
    Case("ledger", "GET", "/credits/me/ledger", None, "learner"),
    Case("learner balance", "GET", "/credits/learners/{learner}", None, "admin"),
    Case("learner ledger", "GET", "/credits/learners/{learner}/ledger", None, "admin"),
    Case(
        "adjust",
        "POST",
        "/credits/adjustments",
        lambda t: {
            "adjustment_id": f"m-{t['actor']}-{t['learner']}",
            "student_no": t["learner"],
            "year": t["year"],
            "delta": 1,
            "reason": "权限矩阵测试",
        },
        "admin",
    ),
    # Study content: learners read and study; the city writes (a county only where the
    # year allows county lessons, which the demo's years do not). Writes go to 2017, a
    # closed year: whoever may write gets past the door to a 409, and nothing changes.
    Case("courses", "GET", "/credits/courses", None, "learner"),
    Case("lesson", "GET", "/credits/lessons/l-matrix-none", None, "learner"),
    Case("study", "POST", "/credits/lessons/l-matrix-none/study", {}, "learner"),
    Case(
        "progress",
        "POST",
        "/credits/sessions/s{year}-{learner}-000000000000/progress",
        {"visible_ms": 1000},
        "self",
    ),
    Case("new course", "POST", "/credits/courses", LESSON_WRITES["course"], "city"),
    Case("edit course", "PATCH", "/credits/courses/k-matrix", {"year": 2017}, "city"),
    Case("authored lessons", "GET", "/credits/lessons?year=2017", None, "city"),
    Case("new lesson", "POST", "/credits/lessons", LESSON_WRITES["lesson"], "city"),
    Case("draft", "GET", "/credits/lessons/l-matrix/draft?year=2017", None, "city"),
    Case("save draft", "PUT", "/credits/lessons/l-matrix/draft", {"year": 2017}, "city"),
    Case("upload", "POST", "/credits/lessons/l-matrix/media", LESSON_WRITES["upload"], "city"),
    Case(
        "complete upload",
        "POST",
        "/credits/lessons/l-matrix/media/complete",
        LESSON_WRITES["complete"],
        "city",
    ),
    Case("publish", "POST", "/credits/lessons/l-matrix/publish", {"year": 2017}, "city"),
    Case(
        "retire",
        "POST",
        "/credits/lessons/l-matrix/retire",
        {"year": 2017, "reason": "权限矩阵测试"},
        "city",
    ),
    # Practice (#27): the learner's own; admins are refused. No set or notebook entry
    # of these ids exists: a learner gets past the door to a 404.
    Case("practice set", "GET", "/credits/practice?kind=daily", None, "learner"),
    Case(
        "practice answer",
        "POST",
        "/credits/practice/p00000000000000000000/answers",
        {"question_id": "q-matrix", "answer": ["A"]},
        "learner",
    ),
    Case("notebook", "GET", "/credits/notebook", None, "learner"),
    Case("notebook remove", "DELETE", "/credits/notebook/q-matrix", None, "learner"),
    Case("my topics", "GET", "/credits/me/topics", None, "learner"),
    Case("study review", "GET", "/credits/review", None, "city"),
    Case("review export", "GET", "/credits/review/export?format=csv", None, "city"),
    Case("years", "GET", "/roster/years", None, "any"),
    Case("year rules", "GET", "/roster/years/{year}", None, "any"),
    Case("put a year", "PUT", "/roster/years/2099", YEAR_2099, "city"),
    Case("exam", "GET", "/exams/{year}", None, "learner"),
    Case("start attempt", "POST", "/exams/{year}/attempts", {}, "learner"),
    Case("attempts", "GET", "/exams/{year}/attempts", None, "learner"),
    Case("learner attempts", "GET", "/exams/{year}/learners/{learner}/attempts", None, "admin"),
    Case("attempt", "GET", "/exams/{year}/attempts/1", None, "learner"),
    Case("answers", "PUT", "/exams/{year}/attempts/1/answers", {"answers": {}}, "learner"),
    Case("submit", "POST", "/exams/{year}/attempts/1/submit", {}, "learner"),
    Case(
        "override",
        "POST",
        "/exams/{year}/overrides",
        lambda t: {
            "override_id": f"m-{t['actor']}-{t['learner']}",
            "student_no": t["learner"],
            "extra_attempts": 1,
            "reason": "权限矩阵测试",
        },
        "city",  # the year's override policy: by default the city grants them
    ),
    Case(
        "bulk override",
        "POST",
        "/exams/{year}/overrides/bulk",
        lambda t: {
            "override_id": f"mb-{t['actor']}-{t['unit']}",
            "unit_id": t["unit"],
            "extra_attempts": 1,
            "reason": "权限矩阵测试",
        },
        "city",  # the year's override policy: by default the city grants them
    ),
    Case(
        "questions",
        "POST",
        "/exams/{year}/questions",
        {
            "questions": [
                {
                    "type": "judge",
                    "stem": "宪法是国家的根本法。",
                    "answer": ["T"],
                    "options": [{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}],
                }
            ]
        },
        "city",
    ),
    # The bank with its keys (#27, #28): the city only, never a learner. The ids are no
    # question's, so the city's edit and retirement are a 404 and change nothing.
    Case("bank", "GET", "/exams/{year}/questions?pool=practice", None, "city"),
    Case("bank template", "GET", "/exams/{year}/questions/template", None, "city"),
    Case("bank export", "GET", "/exams/{year}/questions/export", None, "city"),
    Case("bank xlsx", "POST", "/exams/{year}/questions/xlsx", lambda t: _template(), "city"),
    Case("bank edit", "PUT", "/exams/{year}/questions/m-none", lambda t: _edit(), "city"),
    Case("bank retire", "POST", "/exams/{year}/questions/m-none/retire", {}, "city"),
    # Item analysis (#28.1): the city's alone (a 409 before the window's end still counts
    # as let through).
    Case("item analysis", "GET", "/exams/{year}/analysis", None, "city"),
    Case("run item analysis", "POST", "/exams/{year}/analysis", {}, "city"),
    # Corrections (#28.2): the city's alone; the question is no question's (a 404, or a
    # 409 before the window's end or after the year's), so nothing changes.
    Case("corrections", "GET", "/exams/{year}/corrections", None, "city"),
    Case(
        "correct a question",
        "POST",
        "/exams/{year}/corrections",
        {"question_id": "m-none", "action": "void", "reason": "矩阵测试"},
        "city",
    ),
    Case("daily", "GET", "/reports/daily?unit_id={unit}", None, "admin"),
    Case("bulletin", "GET", "/reports/bulletin?unit_id={unit}", None, "admin"),
    Case("report dates", "GET", "/reports/dates?month=2026-11", None, "any_admin"),
    Case("run report", "POST", "/reports/runs", lambda t: {"date": t["yesterday"]}, "city"),
    Case("my archive", "GET", "/reports/me/archive", None, "learner"),
    Case("progress summary", "GET", "/reports/progress/summary?unit_id={unit}", None, "admin"),
    Case("unit topics", "GET", "/reports/topics?unit_id={unit}", None, "admin"),
    Case("progress", "GET", "/reports/progress?unit_id={unit}&filter=behind", None, "admin"),
    Case("progress export", "GET", "/reports/progress/export?unit_id={unit}", None, "admin"),
    Case("archive", "GET", "/reports/learners/{learner}/archive", None, "admin"),
    Case("year-end set", "GET", "/reports/years/2017?unit_id={unit}", None, "admin"),
    Case("my certificate", "GET", "/reports/me/certificates/2017", None, "learner"),
    Case("certificate", "GET", "/reports/learners/{learner}/certificates/2017", None, "admin"),
    Case("unit certificates", "GET", "/reports/units/{unit}/certificates/2017", None, "admin"),
]


@pytest.fixture(scope="module")
def headers(stack: Stack) -> dict[str, dict[str, str]]:
    from tests.e2e.test_local_stack import _signed_by_the_pool

    tokens = {actor: stack.sign_in(login) for actor, login in LOGINS.items()}
    past = int((datetime.now(UTC) - timedelta(minutes=1)).timestamp())
    return {
        **{actor: {"Authorization": token} for actor, token in tokens.items()},
        "none": {},
        "expired": {"Authorization": _signed_by_the_pool(stack, exp=past)},
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_authorization_matrix(stack: Stack, headers: dict[str, dict[str, str]], case: Case) -> None:
    year = requests.get(stack.url + "/credits/me", headers=headers["learner_a"], timeout=10).json()[
        "year"
    ]
    failures = []
    for in_scope in (True, False):
        target = {
            "learner": A if in_scope else B,
            "unit": UNIT_IN if in_scope else UNIT_OUT,
            "year": year,
            "yesterday": stack.yesterday(),
        }
        for actor in ACTORS:
            values = {**target, "actor": actor}
            body: Any = case.body(values) if isinstance(case.body, Callable) else case.body  # type: ignore[arg-type]
            kwargs: dict[str, Any] = {}
            if isinstance(body, bytes):
                xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                kwargs = {"data": body, "headers": {**headers[actor], "Content-Type": xlsx}}
            elif isinstance(body, str):
                kwargs = {
                    "data": body.encode(),
                    "headers": {**headers[actor], "Content-Type": "text/csv"},
                }
            elif body is not None:
                kwargs = {"json": body, "headers": headers[actor]}
            else:
                kwargs = {"headers": headers[actor]}
            response = requests.request(
                case.method, stack.url + case.path.format(**target), timeout=30, **kwargs
            )
            allowed = case.allowed(actor, in_scope)
            scope = "in" if in_scope else "out of"
            cell = f"{actor} {scope} scope: {response.status_code} {response.text[:160]}"
            if allowed and response.status_code in (401, 403):
                failures.append(f"denied but allowed — {cell}")
            if not allowed:
                expected = 401 if actor in ("none", "expired") else 403
                if response.status_code != expected:
                    failures.append(f"expected {expected} — {cell}")
                elif set(response.json()) != {"error"} or set(response.json()["error"]) - {
                    "code",
                    "message",
                }:
                    failures.append(f"denial carries more than the error — {cell}")
            assert response.status_code < 500, cell
    assert failures == [], "\n".join(failures)


def test_denials_leak_no_names(stack: Stack, headers: dict[str, dict[str, str]]) -> None:
    other = requests.get(
        f"{stack.url}/roster/learners/{B}", headers=headers["city_admin"], timeout=10
    ).json()
    response = requests.get(
        f"{stack.url}/roster/learners/{B}", headers=headers["unit_admin"], timeout=10
    )
    assert response.status_code == 403
    assert other["name"] not in response.text and B not in response.text
    json.dumps(other)


def test_the_matrix_covers_every_route() -> None:
    """A new route without a row here fails this test."""
    import re

    from infra.local.apps import APPS, load_module

    sample = {"learner": A, "unit": UNIT_IN, "year": 2026, "yesterday": "2026-11-24"}
    covered = {(c.method, c.path.format(**sample).split("?")[0]) for c in CASES}
    missing = []
    for name in APPS:
        for op in load_module(name).api.operations:
            if op.public:
                continue
            pattern = re.compile("^/" + name + re.sub(r"{[^}]+}", "[^/]+", op.path) + "$")
            for method in op.methods:
                if not any(m == method and pattern.match(path) for m, path in covered):
                    missing.append(f"{method} /{name}{op.path}")
    assert missing == []
