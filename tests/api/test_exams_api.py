"""/exams through chalice.test.Client on moto."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.api.conftest import call, code, json_of
from tests.api.conftest import get as get_as
from tests.helpers import (
    CITY_ADMIN,
    COUNTY_ADMIN,
    LEARNER,
    OTHER_COUNTY_ADMIN,
    UNIT_ADMIN,
    stored_paper,
)
from xuefa import bootstrap
from xuefa.core.clock import SHANGHAI
from xuefa.store.keys import Keys
from xuefa.store.store import Store
from xuefa.years.rules import YearConfig

OTHER_LEARNER = ("530402000002", ["learners"], "530402-001")
WINDOW_OPENS = datetime(2026, 11, 6, 0, 0, tzinfo=SHANGHAI)
# The exam closes before the year does, leaving room for overrides until 30 Nov 24:00.
WINDOW_CLOSES = datetime(2026, 11, 25, 0, 0, tzinfo=SHANGHAI)
YEAR_CLOSES = datetime(2026, 12, 1, 0, 0, tzinfo=SHANGHAI)


def put_year(**changes: Any) -> None:
    """The 2026 config with `changes`, as a city admin would set it."""
    years = bootstrap.services().years
    config = years.get(2026)
    years.put(YearConfig.model_validate({**config.model_dump(mode="json"), **changes}))


@pytest.fixture
def api(city, client):
    put_year(
        exam_window={"opens_at": WINDOW_OPENS.isoformat(), "closes_at": WINDOW_CLOSES.isoformat()}
    )
    return client("exams").http


def get(api: Any, path: str, who: tuple = LEARNER) -> Any:
    return get_as(api, path, who)


def start(api: Any, who: tuple = LEARNER) -> dict[str, Any]:
    response = call(api, "post", "/2026/attempts", who)
    assert response.status_code == 201, response.body
    return dict(json_of(response))


def key_of(store: Store, attempt_no: int, student_no: str = LEARNER[0]) -> dict[str, list[str]]:
    """The right answers, read from the stored paper (the client never sees them)."""
    paper = stored_paper(store, student_no, 2026, attempt_no)
    return {q["question_id"]: list(q["answer"]) for q in paper}


def right_answers(store: Store, attempt_no: int, how_many: int) -> dict[str, list[str]]:
    return dict(list(key_of(store, attempt_no).items())[:how_many])


def test_the_summary_before_any_attempt(api) -> None:
    body = json_of(get(api, "/2026"))
    assert body["open_now"] is True
    assert (body["max_attempts"], body["attempts_used"], body["attempts_left"]) == (8, 0, 8)
    assert body["best_score"] is None and body["open_attempt_no"] is None
    assert body["duration_minutes"] == 90
    assert body["window"] == {
        "opens_at": "2026-11-06T00:00:00+08:00",
        "closes_at": "2026-11-25T00:00:00+08:00",
    }


def test_starting_gives_fifty_questions_and_no_answers(api) -> None:
    body = start(api)
    assert body["attempt_no"] == 1
    assert body["deadline"] == "2026-11-20T11:30:00+08:00"
    assert len(body["questions"]) == 50
    assert "answer" not in json.dumps(body)
    question = body["questions"][0]
    assert set(question) == {"question_id", "type", "stem", "options", "points"}


def test_a_second_start_while_one_is_open_names_the_open_attempt(api) -> None:
    start(api)
    response = call(api, "post", "/2026/attempts", LEARNER)
    assert (response.status_code, code(response)) == (409, "ATTEMPT_OPEN")
    assert json_of(response)["error"]["details"] == {"open_attempt_no": 1}


def test_answers_are_saved_shown_back_and_graded_on_submit(api, city) -> None:
    start(api)
    right = right_answers(city, 1, 40)
    saved = call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": right})
    assert saved.status_code == 200
    shown = json_of(get(api, "/2026/attempts/1"))
    assert shown["answers"] == right and shown["state"] == "open"
    assert "score" not in shown and "correct" not in shown  # graded only once closed
    result = json_of(call(api, "post", "/2026/attempts/1/submit", LEARNER))
    assert result["score"] == 80.0 and result["best_score"] == 80.0
    assert result["passed_exam_part"] is True
    assert result["annual"] == {
        "credit_score": 0.0,
        "exam_score": 40.0,
        "total": 40.0,
        "passed": False,
    }
    again = json_of(
        call(api, "post", "/2026/attempts/1/submit", LEARNER, {"answers": key_of(city, 1)})
    )
    assert again == result
    closed = json_of(get(api, "/2026/attempts/1"))
    assert closed["score"] == 80.0 and closed["answers"] == right
    # the window is open: not a word on which were right, and no key
    assert closed["review_open"] is False and "correct" not in closed and "review" not in closed


def test_an_answer_saved_while_the_submit_is_being_graded_is_not_lost(
    api, city, monkeypatch
) -> None:
    """Autosave and submit in flight together: the save lands after the submit read the
    attempt and before it closed it. The save said 200, so the grade must count it."""
    from xuefa.bootstrap import services
    from xuefa.core.auth import Actor
    from xuefa.exams.bank_repository import BankReader
    from xuefa.exams.repository import DynamoAttempts
    from xuefa.exams.service import Exams

    s = services()
    exams = Exams(DynamoAttempts(s.store), s.years, BankReader(s.store), s.directory, s.clock)
    start(api)
    right = list(right_answers(city, 1, 50).items())
    first_half, last = dict(right[:25]), dict(right[25:26])
    assert (
        call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": first_half}).status_code
        == 200
    )
    real_transact = s.store.transact
    landed: list[int] = []

    def save_lands_first(operations: Any) -> Any:
        if not landed:
            saved = call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": last})
            landed.append(saved.status_code)
        return real_transact(operations)

    monkeypatch.setattr(s.store, "transact", save_lands_first)
    result = exams.submit(Actor(LEARNER[0], frozenset(LEARNER[1]), LEARNER[2]), 2026, 1, None)
    assert landed == [200]
    assert result.score == 52.0  # 26 right answers of 2 points
    shown = json_of(get(api, "/2026/attempts/1"))
    assert shown["answers"] == {**first_half, **last}


def test_answers_sent_with_the_submit_count(api, city) -> None:
    start(api)
    result = json_of(
        call(api, "post", "/2026/attempts/1/submit", LEARNER, {"answers": key_of(city, 1)})
    )
    assert result["score"] == 100.0


def test_eight_attempts_then_the_limit_and_the_best_never_falls(api, city) -> None:
    scores = []
    for attempt_no in range(1, 9):
        start(api)
        answers = key_of(city, attempt_no) if attempt_no == 3 else {}
        scores.append(
            json_of(
                call(
                    api,
                    "post",
                    f"/2026/attempts/{attempt_no}/submit",
                    LEARNER,
                    {"answers": answers},
                )
            )
        )
    assert [s["best_score"] for s in scores] == [0, 0, 100, 100, 100, 100, 100, 100]
    limit = call(api, "post", "/2026/attempts", LEARNER)
    assert (limit.status_code, code(limit)) == (409, "ATTEMPT_LIMIT")
    summary = json_of(get(api, "/2026"))
    assert (summary["attempts_used"], summary["attempts_left"], summary["best_score"]) == (
        8,
        0,
        100,
    )
    history = json_of(get(api, "/2026/attempts"))["items"]
    assert [h["attempt_no"] for h in history] == list(range(1, 9))
    assert {h["state"] for h in history} == {"submitted"}


def test_a_late_submit_is_graded_on_the_saved_answers(api, city, clock) -> None:
    start(api)
    call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": right_answers(city, 1, 10)})
    clock.advance(minutes=90, seconds=61)
    late_save = call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": key_of(city, 1)})
    assert (late_save.status_code, code(late_save)) == (409, "ATTEMPT_CLOSED")
    result = json_of(
        call(api, "post", "/2026/attempts/1/submit", LEARNER, {"answers": key_of(city, 1)})
    )
    assert result["score"] == 20.0 and result["late"] is True


def test_within_the_grace_a_submit_still_counts(api, city, clock) -> None:
    start(api)
    clock.advance(minutes=90, seconds=59)
    result = json_of(
        call(api, "post", "/2026/attempts/1/submit", LEARNER, {"answers": key_of(city, 1)})
    )
    assert result["score"] == 100.0 and result["late"] is False


def test_a_forgotten_attempt_is_graded_when_next_looked_at(api, city, clock) -> None:
    start(api)
    call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": right_answers(city, 1, 30)})
    clock.advance(hours=3)
    summary = json_of(get(api, "/2026"))
    assert summary["open_attempt_no"] is None
    assert summary["best_score"] == 60.0
    assert summary["attempts_used"] == 1
    assert start(api)["attempt_no"] == 2


def test_the_deadline_stops_at_the_window_close(api, clock) -> None:
    clock.set(WINDOW_CLOSES - timedelta(minutes=30))
    assert start(api)["deadline"] == "2026-11-25T00:00:00+08:00"


@pytest.mark.parametrize(
    "at", [WINDOW_OPENS - timedelta(seconds=1), WINDOW_CLOSES, WINDOW_CLOSES + timedelta(days=1)]
)
def test_no_start_outside_the_window(api, clock, at: datetime) -> None:
    clock.set(at)
    response = call(api, "post", "/2026/attempts", LEARNER)
    assert (response.status_code, code(response)) == (409, "OUTSIDE_WINDOW")


def test_the_window_opens_at_midnight(api, clock) -> None:
    clock.set(WINDOW_OPENS)
    assert start(api)["attempt_no"] == 1


@pytest.mark.parametrize(
    ("answers", "detail"),
    [
        ({"q-not-on-paper": ["A"]}, "q-not-on-paper"),
        ("not a map", "answers"),
    ],
)
def test_bad_answers_are_refused_and_nothing_is_saved(api, answers: Any, detail: str) -> None:
    start(api)
    response = call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": answers})
    assert (response.status_code, code(response)) == (400, "BAD_REQUEST")
    assert detail in json.dumps(json_of(response)["error"]["details"])
    assert json_of(get(api, "/2026/attempts/1"))["answers"] == {}


def test_unknown_option_keys_are_refused(api) -> None:
    paper = start(api)["questions"]
    response = call(
        api,
        "put",
        "/2026/attempts/1/answers",
        LEARNER,
        {"answers": {paper[0]["question_id"]: ["Z"]}},
    )
    assert response.status_code == 400
    submit = call(
        api,
        "post",
        "/2026/attempts/1/submit",
        LEARNER,
        {"answers": {paper[0]["question_id"]: ["Z"]}},
    )
    assert submit.status_code == 400
    assert json_of(get(api, "/2026"))["open_attempt_no"] == 1


def test_an_answer_beyond_a_questions_options_is_refused_by_the_sheet(api) -> None:
    """The save reads nothing: DynamoDB checks each answer against the question's shape."""
    paper = start(api)["questions"]
    single = next(q for q in paper if q["type"] != "multiple")
    beyond = "ABCDEFGH"[len(single["options"])]
    for answer in ([beyond], ["A", "B"]):
        response = call(
            api,
            "put",
            "/2026/attempts/1/answers",
            LEARNER,
            {"answers": {single["question_id"]: answer}},
        )
        assert (response.status_code, code(response)) == (400, "BAD_REQUEST"), answer
        assert single["question_id"] in json_of(response)["error"]["details"]
    nothing = call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": {}})
    assert (nothing.status_code, json_of(nothing)["saved"]) == (200, 0)
    last = "ABCDEFGH"[len(single["options"]) - 1]
    saved = call(
        api,
        "put",
        "/2026/attempts/1/answers",
        LEARNER,
        {"answers": {single["question_id"]: [last]}},
    )
    assert saved.status_code == 200, saved.body
    assert json_of(get(api, "/2026/attempts/1"))["answers"] == {single["question_id"]: [last]}


def test_a_save_rewrites_the_small_sheet_and_never_the_paper(api, city) -> None:
    paper = start(api)["questions"]
    before = city.get(Keys.attempt(LEARNER[0], 2026, 1))
    answer = {paper[0]["question_id"]: ["A"]}
    assert (
        call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": answer}).status_code
        == 200
    )
    assert call(api, "post", "/2026/attempts/1/submit", LEARNER, {}).status_code == 200
    assert city.get(Keys.attempt(LEARNER[0], 2026, 1)) == before
    sheet = city.get(Keys.sheet(LEARNER[0], 2026, 1))
    assert (sheet["state"], sheet["answers"], sheet["answer_saves"]) == ("submitted", answer, 1)
    assert len(json.dumps(sheet, default=str)) < 2048  # a save is at most 2 write units


def test_an_attempt_from_before_the_split_is_saved_submitted_and_listed(api, city) -> None:
    """Attempts written as one item (paper, state and answers) keep working."""
    start(api)
    paper_item = city.get(Keys.attempt(LEARNER[0], 2026, 1))
    sheet = city.get(Keys.sheet(LEARNER[0], 2026, 1))
    city.delete(Keys.sheet(LEARNER[0], 2026, 1))
    old = {k: v for k, v in sheet.items() if k not in ("pk", "sk", "shapes")}
    city.put({**paper_item, **old})
    first, second = (q["question_id"] for q in stored_paper(city, LEARNER[0], 2026, 1)[:2])
    assert json_of(get(api, "/2026/attempts"))["items"][0]["state"] == "open"
    saved = call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": {first: ["A"]}})
    assert saved.status_code == 200, saved.body
    done = call(api, "post", "/2026/attempts/1/submit", LEARNER, {"answers": {second: ["A"]}})
    assert done.status_code == 200, done.body
    shown = json_of(get(api, "/2026/attempts/1"))
    assert (shown["state"], shown["answers"]) == ("submitted", {first: ["A"], second: ["A"]})
    listed = json_of(get(api, "/2026/attempts"))["items"]
    assert [(i["attempt_no"], i["state"]) for i in listed] == [(1, "submitted")]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/2026/attempts/7", 404),
        ("/2026/attempts/abc", 400),
        ("/2026/attempts/0", 400),
        ("/20x6/attempts", 400),
        ("/2031", 404),
    ],
)
def test_attempts_that_do_not_exist(api, path: str, status: int) -> None:
    assert get(api, path).status_code == status


def test_one_learners_attempts_are_invisible_to_another(api) -> None:
    start(api)
    assert get(api, "/2026/attempts/1", OTHER_LEARNER).status_code == 404
    assert json_of(get(api, "/2026/attempts", OTHER_LEARNER))["items"] == []
    response = call(api, "post", "/2026/attempts/1/submit", OTHER_LEARNER)
    assert response.status_code == 404


def test_admins_do_not_sit_the_exam(api) -> None:
    assert call(api, "post", "/2026/attempts", UNIT_ADMIN).status_code == 403


def override(**changes: Any) -> dict[str, Any]:
    return {
        "override_id": "ovr-1",
        "student_no": LEARNER[0],
        "extra_attempts": 2,
        "reason": "考试期间系统故障，补考两次",
        **changes,
    }


def test_an_override_adds_attempts_once_and_is_audited(api, city) -> None:
    first = call(api, "post", "/2026/overrides", CITY_ADMIN, override())
    assert first.status_code == 200, first.body
    assert json_of(first)["max_attempts"] == 10
    assert (
        json_of(call(api, "post", "/2026/overrides", CITY_ADMIN, override()))["max_attempts"] == 10
    )
    assert json_of(get(api, "/2026"))["attempts_left"] == 10
    reused = call(api, "post", "/2026/overrides", CITY_ADMIN, override(extra_attempts=1))
    assert (reused.status_code, code(reused)) == (409, "DUPLICATE")
    audits = list(city.query_all("AUDIT#2026#2026-11-20"))
    assert [(a["action"], a["after"]["extra_attempts"]) for a in audits] == [("exams.override", 2)]


def test_a_later_close_lets_one_learner_sit_after_the_window(api, clock) -> None:
    later = (WINDOW_CLOSES + timedelta(days=2)).isoformat()
    response = call(
        api,
        "post",
        "/2026/overrides",
        CITY_ADMIN,
        override(override_id="ovr-late", extra_attempts=0, closes_at=later),
    )
    assert json_of(response)["closes_at"] == "2026-11-27T00:00:00+08:00"
    clock.set(WINDOW_CLOSES + timedelta(days=1))
    assert start(api)["deadline"] == "2026-11-26T01:30:00+08:00"
    other = call(api, "post", "/2026/attempts", OTHER_LEARNER)
    assert code(other) == "OUTSIDE_WINDOW"


@pytest.mark.parametrize(
    "changes",
    [
        {"reason": ""},
        {"extra_attempts": 0},
        {"extra_attempts": -1},
        {"extra_attempts": 999},
        {"closes_at": "2026-11-01T00:00:00+08:00", "extra_attempts": 0},
        {"override_id": "a b"},
    ],
)
def test_bad_overrides_change_nothing(api, changes: dict) -> None:
    response = call(api, "post", "/2026/overrides", CITY_ADMIN, override(**changes))
    assert (response.status_code, code(response)) == (400, "BAD_REQUEST")
    assert json_of(get(api, "/2026"))["max_attempts"] == 8


def test_overrides_outside_ones_scope_are_forbidden(api) -> None:
    put_year(overrides={"granted_by": "county"})
    assert call(api, "post", "/2026/overrides", OTHER_COUNTY_ADMIN, override()).status_code == 403
    assert call(api, "post", "/2026/overrides", LEARNER, override()).status_code == 403
    assert json_of(get(api, "/2026"))["max_attempts"] == 8


def test_a_bulk_override_reaches_every_learner_of_the_unit(api) -> None:
    body = {
        "override_id": "bulk-1",
        "unit_id": "530402-001",
        "extra_attempts": 1,
        "reason": "单位集中补考",
    }
    put_year(overrides={"granted_by": "county"})
    response = call(api, "post", "/2026/overrides/bulk", COUNTY_ADMIN, body)
    assert response.status_code == 200, response.body
    assert len(json_of(response)["applied"]) == 10
    assert json_of(response)["skipped"] == []
    assert json_of(get(api, "/2026", OTHER_LEARNER))["max_attempts"] == 9
    assert call(api, "post", "/2026/overrides/bulk", OTHER_COUNTY_ADMIN, body).status_code == 403


# --- the override policy -----------------------------------------------------------


def test_by_default_only_the_city_grants_overrides(api) -> None:
    for admin in (UNIT_ADMIN, COUNTY_ADMIN):
        response = call(api, "post", "/2026/overrides", admin, override())
        assert (response.status_code, code(response)) == (403, "FORBIDDEN")
    assert json_of(get(api, "/2026"))["max_attempts"] == 8
    assert call(api, "post", "/2026/overrides", CITY_ADMIN, override()).status_code == 200


def test_county_policy_lets_county_admins_grant_in_their_subtree_never_unit_admins(api) -> None:
    put_year(overrides={"granted_by": "county"})
    assert call(api, "post", "/2026/overrides", UNIT_ADMIN, override()).status_code == 403
    assert call(api, "post", "/2026/overrides", OTHER_COUNTY_ADMIN, override()).status_code == 403
    assert call(api, "post", "/2026/overrides", COUNTY_ADMIN, override()).status_code == 200


def test_extra_attempts_are_capped_over_every_override_of_the_year(api, city) -> None:
    assert (
        call(api, "post", "/2026/overrides", CITY_ADMIN, override(extra_attempts=1)).status_code
        == 200
    )
    beyond = call(
        api, "post", "/2026/overrides", CITY_ADMIN, override(override_id="ovr-2", extra_attempts=2)
    )
    assert (beyond.status_code, code(beyond)) == (409, "OVERRIDE_LIMIT")
    assert json_of(beyond)["error"]["details"] == {
        "limit": "max_extra_attempts",
        "max_extra_attempts": 2,
        "granted": 1,
    }
    assert json_of(get(api, "/2026"))["max_attempts"] == 9
    last = call(
        api, "post", "/2026/overrides", CITY_ADMIN, override(override_id="ovr-3", extra_attempts=1)
    )
    assert json_of(last)["max_attempts"] == 10
    bulk = call(
        api,
        "post",
        "/2026/overrides/bulk",
        CITY_ADMIN,
        {"override_id": "bulk-2", "unit_id": "530402-001", "extra_attempts": 2, "reason": "补考"},
    )
    skipped = json_of(bulk)["skipped"]
    assert [(s["student_no"], s["code"]) for s in skipped] == [(LEARNER[0], "OVERRIDE_LIMIT")]
    assert len(json_of(bulk)["applied"]) == 9
    assert json_of(get(api, "/2026"))["max_attempts"] == 10
    audits = [
        a for a in city.query_all("AUDIT#2026#2026-11-20") if a["target"] == f"{LEARNER[0]}/2026"
    ]
    assert len(audits) == 2


def test_the_extra_attempt_limit_is_a_condition_not_only_a_check(api, monkeypatch) -> None:
    import xuefa.exams.overrides

    # Python says yes:
    monkeypatch.setattr(xuefa.exams.overrides, "override_limit", lambda *args: None)
    assert (
        call(api, "post", "/2026/overrides", CITY_ADMIN, override(extra_attempts=2)).status_code
        == 200
    )
    beyond = call(
        api, "post", "/2026/overrides", CITY_ADMIN, override(override_id="o-x", extra_attempts=1)
    )
    assert (beyond.status_code, code(beyond)) == (409, "CONFLICT")  # DynamoDB said no
    assert json_of(get(api, "/2026"))["max_attempts"] == 10


def test_no_close_beyond_the_policy(api) -> None:
    # default: the exam's close + 14 days, but never after the year: 1 December 00:00
    too_late = override(extra_attempts=0, closes_at="2026-12-01T00:00:01+08:00")
    response = call(api, "post", "/2026/overrides", CITY_ADMIN, too_late)
    assert (response.status_code, code(response)) == (409, "OVERRIDE_LIMIT")
    assert json_of(response)["error"]["details"] == {
        "limit": "latest_close",
        "latest_close": "2026-12-01T00:00:00+08:00",
    }
    assert json_of(get(api, "/2026"))["window"]["closes_at"] == "2026-11-25T00:00:00+08:00"
    at_the_limit = override(extra_attempts=0, closes_at="2026-12-01T00:00:00+08:00")
    assert call(api, "post", "/2026/overrides", CITY_ADMIN, at_the_limit).status_code == 200


def test_the_latest_close_is_a_condition_not_only_a_check(api, monkeypatch) -> None:
    import xuefa.exams.overrides

    monkeypatch.setattr(xuefa.exams.overrides, "override_limit", lambda *args: None)
    too_late = override(extra_attempts=0, closes_at="2026-12-03T00:00:00+08:00")
    response = call(api, "post", "/2026/overrides", CITY_ADMIN, too_late)
    assert (response.status_code, code(response)) == (409, "OVERRIDE_LIMIT")
    assert json_of(get(api, "/2026"))["window"]["closes_at"] == "2026-11-25T00:00:00+08:00"


# --- a closed year -----------------------------------------------------------------


def test_a_closed_year_takes_no_overrides_starts_or_questions(api, clock) -> None:
    clock.set(YEAR_CLOSES)
    for path, who, body in [
        ("/2026/overrides", CITY_ADMIN, override()),
        ("/2026/attempts", LEARNER, {}),
        ("/2026/questions", CITY_ADMIN, {"questions": [bank_question()]}),
    ]:
        response = call(api, "post", path, who, body)
        assert (response.status_code, code(response)) == (409, "YEAR_CLOSED"), path
    clock.set(YEAR_CLOSES - timedelta(days=1))
    assert json_of(get(api, "/2026"))["max_attempts"] == 8


def test_a_closed_year_is_closed_by_dynamodb_too(api, clock, monkeypatch) -> None:
    monkeypatch.setattr(YearConfig, "closed", lambda self, at: False)  # Python says open
    clock.set(YEAR_CLOSES + timedelta(hours=1))
    response = call(api, "post", "/2026/overrides", CITY_ADMIN, override())
    assert (response.status_code, code(response)) == (409, "YEAR_CLOSED")
    response = call(api, "post", "/2026/questions", CITY_ADMIN, {"questions": [bank_question()]})
    assert (response.status_code, code(response)) == (409, "YEAR_CLOSED")
    monkeypatch.undo()
    clock.set(YEAR_CLOSES - timedelta(days=1))
    assert json_of(get(api, "/2026"))["max_attempts"] == 8


def test_a_submit_after_the_year_and_its_grace_is_refused_and_graded_late(api, clock, city) -> None:
    put_year(
        exam_window={"opens_at": WINDOW_OPENS.isoformat(), "closes_at": YEAR_CLOSES.isoformat()}
    )
    clock.set(YEAR_CLOSES - timedelta(minutes=10))
    start(api)
    right = right_answers(city, 1, 30)
    assert (
        call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": right}).status_code == 200
    )
    clock.set(YEAR_CLOSES + timedelta(seconds=30))  # in the grace: still taken
    assert call(api, "post", "/2026/attempts/1/submit", LEARNER).status_code == 200
    clock.set(YEAR_CLOSES - timedelta(minutes=10))
    assert start(api, OTHER_LEARNER)["attempt_no"] == 1
    clock.set(YEAR_CLOSES + timedelta(minutes=5))
    late = call(api, "post", "/2026/attempts/1/submit", OTHER_LEARNER, {"answers": {}})
    assert (late.status_code, code(late)) == (409, "YEAR_CLOSED")
    # nobody is stuck: the next look grades what was saved by the deadline
    assert json_of(get(api, "/2026/attempts", OTHER_LEARNER))["items"][0]["state"] == "submitted"


def bank_question(**changes: Any) -> dict[str, Any]:
    return {
        "type": "single",
        "stem": "《中华人民共和国监察法》自（ ）起施行。",
        "options": [{"key": "A", "text": "2018年3月20日"}, {"key": "B", "text": "2017年1月1日"}],
        "answer": ["A"],
        "category": "监察法",
        **changes,
    }


def test_city_admins_import_questions_all_or_nothing(api, city) -> None:
    before = len(list(city.query_all("BANK#2026")))
    bad = call(
        api,
        "post",
        "/2026/questions",
        CITY_ADMIN,
        {"questions": [bank_question(), bank_question(answer=["C"])]},
    )
    assert (bad.status_code, code(bad)) == (400, "BAD_REQUEST")
    assert json_of(bad)["error"]["details"]["errors"][0]["index"] == 1
    assert len(list(city.query_all("BANK#2026"))) == before
    ok = call(
        api,
        "post",
        "/2026/questions",
        CITY_ADMIN,
        {"questions": [bank_question(question_id="jc-001")]},
    )
    assert json_of(ok) == {"imported": 1, "errors": []}
    assert len(list(city.query_all("BANK#2026"))) == before + 1
    assert (
        call(
            api, "post", "/2026/questions", COUNTY_ADMIN, {"questions": [bank_question()]}
        ).status_code
        == 403
    )
    assert call(api, "post", "/2026/questions", CITY_ADMIN, {"questions": []}).status_code == 400
    assert call(api, "post", "/2026/questions", CITY_ADMIN, {"questions": "x"}).status_code == 400


def test_admins_see_a_learners_attempts_in_their_scope_only(api, clock) -> None:
    start(api)
    clock.advance(minutes=5)
    call(api, "post", "/2026/attempts/1/submit", LEARNER, {"answers": {}})
    items = json_of(get(api, f"/2026/learners/{LEARNER[0]}/attempts", UNIT_ADMIN))["items"]
    assert [(i["attempt_no"], i["state"], i["score"]) for i in items] == [(1, "submitted", 0.0)]
    assert get(api, f"/2026/learners/{LEARNER[0]}/attempts", OTHER_COUNTY_ADMIN).status_code == 403
    assert get(api, f"/2026/learners/{LEARNER[0]}/attempts", OTHER_LEARNER).status_code == 403


# --- the key stays closed until no one can sit --------------------------------------


def bank_ids(store: Store, attempt_no: int, student_no: str = LEARNER[0]) -> dict[str, str]:
    """A paper's own question ids against the bank's, from the stored paper."""
    paper = stored_paper(store, student_no, 2026, attempt_no)
    return {q["question_id"]: q["source_id"] for q in paper}


def test_question_ids_say_nothing_across_one_learners_papers(api, city) -> None:
    first = start(api)
    assert call(api, "post", "/2026/attempts/1/submit", LEARNER).status_code == 200
    second = start(api)
    ids = [{q["question_id"] for q in paper["questions"]} for paper in (first, second)]
    assert not ids[0] & ids[1]
    shared = set(bank_ids(city, 1).values()) & set(bank_ids(city, 2).values())
    assert shared  # the same bank questions, under other ids
    stale = {next(iter(ids[0])): ["A"]}
    refused = call(api, "put", "/2026/attempts/2/answers", LEARNER, {"answers": stale})
    assert (refused.status_code, code(refused)) == (400, "BAD_REQUEST")


def test_the_review_shows_the_key_only_once_no_one_can_sit(api, city, clock) -> None:
    explained = [
        {**{k: v for k, v in q.items() if k in bank_question()}, "question_id": q["question_id"]}
        | {"explanation": f"解析{q['question_id']}"}
        for q in city.query_all(Keys.bank(2026))
    ]
    # The bank's questions change only before the exam window opens (#28).
    now = clock.now()
    clock.set(WINDOW_OPENS - timedelta(days=1))
    imported = call(api, "post", "/2026/questions", CITY_ADMIN, {"questions": explained})
    assert imported.status_code == 200, imported.body
    clock.set(now)
    start(api)
    right = right_answers(city, 1, 10)
    assert (
        call(api, "post", "/2026/attempts/1/submit", LEARNER, {"answers": right}).status_code == 200
    )
    later = (WINDOW_CLOSES + timedelta(days=2)).isoformat()
    granted = call(
        api,
        "post",
        "/2026/overrides",
        CITY_ADMIN,
        override(
            override_id="ovr-late", student_no=OTHER_LEARNER[0], extra_attempts=0, closes_at=later
        ),
    )
    assert granted.status_code == 200, granted.body

    def closed_review() -> None:
        shown = json_of(get(api, "/2026/attempts/1"))
        assert (shown["score"], shown["answers"]) == (20.0, right)
        assert shown["review_open"] is False
        assert shown["review_opens_at"] == "2026-11-27T01:31:00+08:00"
        assert "correct" not in shown and "review" not in shown
        assert all(
            set(q) == {"question_id", "type", "stem", "options", "points"}
            for q in shown["questions"]
        )
        assert "解析" not in json.dumps(shown, ensure_ascii=False)

    closed_review()
    clock.set(WINDOW_CLOSES + timedelta(days=1))  # the window has closed; one can still sit
    closed_review()
    assert start(api, OTHER_LEARNER)["attempt_no"] == 1
    clock.set(datetime(2026, 11, 27, 1, 31, tzinfo=SHANGHAI))
    shown = json_of(get(api, "/2026/attempts/1"))
    assert shown["review_open"] is True
    key, ids = key_of(city, 1), bank_ids(city, 1)
    assert {q: r["key"] for q, r in shown["review"].items()} == key
    assert {q: r["bank_question_id"] for q, r in shown["review"].items()} == ids
    assert all(r["explanation"] == f"解析{ids[q]}" for q, r in shown["review"].items())
    assert shown["correct"] == {q: q in right for q in key}
    # the key is out: nobody is given another sitting
    again = call(api, "post", "/2026/overrides", CITY_ADMIN, override(override_id="ovr-after"))
    assert (again.status_code, code(again)) == (409, "CONFLICT")
    assert json_of(again)["error"]["details"] == {"reason": "review_open"}


# --- resigned means resigned ------------------------------------------------------


def resign(client: Any, student_no: str = LEARNER[0]) -> None:
    roster = client("roster").http
    body = {"status": "resigned", "reason": "辞职"}
    response = call(roster, "post", f"/learners/{student_no}/status", CITY_ADMIN, body)
    assert response.status_code == 200, response.body


def test_a_resigned_learners_token_starts_nothing(api, city, accounts, client) -> None:
    resign(client)
    before = city.get(Keys.year_result(LEARNER[0], 2026))
    refused = call(api, "post", "/2026/attempts", LEARNER)
    assert (refused.status_code, code(refused)) == (403, "FORBIDDEN")
    assert json_of(refused)["error"]["details"]["reason"] == "inactive"
    assert city.get(Keys.year_result(LEARNER[0], 2026)) == before
    assert city.get(Keys.attempt(LEARNER[0], 2026, 1)) is None


def test_a_resigned_learners_token_submits_nothing(api, city, accounts, client) -> None:
    start(api)
    right = right_answers(city, 1, 30)
    assert (
        call(api, "put", "/2026/attempts/1/answers", LEARNER, {"answers": right}).status_code == 200
    )
    resign(client)
    refused = call(api, "post", "/2026/attempts/1/submit", LEARNER, {"answers": right})
    assert (refused.status_code, code(refused)) == (403, "FORBIDDEN")
    assert json_of(refused)["error"]["details"]["reason"] == "inactive"
    sheet = city.get(Keys.sheet(LEARNER[0], 2026, 1))
    assert sheet is not None and sheet["state"] == "open" and "score" not in sheet
    assert "best_score" not in (city.get(Keys.year_result(LEARNER[0], 2026)) or {})


# --- exam days per unit (#28) ---------------------------------------------------------

COUNTY_DAYS = {
    "unit_id": "530402",
    "opens_at": "2026-11-21T00:00:00+08:00",
    "closes_at": "2026-11-23T00:00:00+08:00",
}
NEIGHBOUR = ("530403000001", ["learners"], "530403-001")


def submit(api: Any, attempt_no: int, who: tuple = LEARNER) -> None:
    done = call(api, "post", f"/2026/attempts/{attempt_no}/submit", who, {"answers": {}})
    assert done.status_code == 200, done.body


def test_a_county_sits_on_its_own_days_and_is_told_them(api, clock) -> None:
    put_year(exam_days=[COUNTY_DAYS])
    refused = call(api, "post", "/2026/attempts", LEARNER)
    assert (refused.status_code, code(refused)) == (409, "OUTSIDE_WINDOW")
    assert json_of(refused)["error"]["details"] == {"days": COUNTY_DAYS}
    summary = json_of(get(api, "/2026"))
    assert summary["days_of"] == "530402" and summary["open_now"] is False
    assert summary["window"] == {k: COUNTY_DAYS[k] for k in ("opens_at", "closes_at")}
    # A county without days of its own sits in the whole window, today.
    assert start(api, NEIGHBOUR)["attempt_no"] == 1
    assert json_of(get(api, "/2026", NEIGHBOUR)).get("days_of") is None
    # The boundaries: refused a second before the days open, started as they open,
    # refused as they close.
    clock.set(datetime(2026, 11, 20, 23, 59, 59, tzinfo=SHANGHAI))
    assert code(call(api, "post", "/2026/attempts", LEARNER)) == "OUTSIDE_WINDOW"
    clock.set(datetime(2026, 11, 21, 0, 0, tzinfo=SHANGHAI))
    submit(api, start(api)["attempt_no"])
    clock.set(datetime(2026, 11, 23, 0, 0, tzinfo=SHANGHAI))
    assert code(call(api, "post", "/2026/attempts", LEARNER)) == "OUTSIDE_WINDOW"


def test_an_override_still_reaches_past_a_countys_days(api, clock) -> None:
    put_year(exam_days=[COUNTY_DAYS])
    later = (WINDOW_CLOSES + timedelta(days=2)).isoformat()
    granted = call(
        api, "post", "/2026/overrides", CITY_ADMIN, override(extra_attempts=0, closes_at=later)
    )
    assert granted.status_code == 200, granted.body
    clock.set(datetime(2026, 11, 26, 9, 0, tzinfo=SHANGHAI))  # after the days and the window
    assert start(api)["attempt_no"] == 1
    assert code(call(api, "post", "/2026/attempts", OTHER_LEARNER)) == "OUTSIDE_WINDOW"


def test_exam_days_must_lie_inside_the_exam_window_and_name_a_unit_once() -> None:
    base = {
        "year": 2026,
        "credit_window": {"opens_at": "2025-12-01T00:00:00+08:00", "closes_at": YEAR_CLOSES},
        "exam_window": {"opens_at": WINDOW_OPENS, "closes_at": WINDOW_CLOSES},
    }
    outside = {**COUNTY_DAYS, "closes_at": "2026-11-26T00:00:00+08:00"}
    with pytest.raises(ValueError, match="inside the exam window"):
        YearConfig.model_validate({**base, "exam_days": [outside]})
    with pytest.raises(ValueError, match="twice"):
        YearConfig.model_validate({**base, "exam_days": [COUNTY_DAYS, COUNTY_DAYS]})
    assert YearConfig.model_validate({**base, "exam_days": [COUNTY_DAYS]}).days_of(
        "530400/530402/530402-001"
    )
