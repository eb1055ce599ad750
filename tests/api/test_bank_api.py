"""The city's question bank through chalice.test.Client on moto (#27, #28): the XLSX
template, an import that is all or nothing with its errors by row and column, the
listing with keys, edits as versions (an exam question only before its window), and
retirement out of new papers and practice. City administrators only."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlparse

import boto3
import pytest
from openpyxl import load_workbook

from tests.api.conftest import call, code, get, json_of, post
from tests.helpers import (
    CITY_ADMIN,
    CONTENT_BUCKET,
    COUNTY_ADMIN,
    LEARNER,
    UNIT_ADMIN,
    stored_paper,
)
from xuefa import bootstrap
from xuefa.bank import xlsx
from xuefa.core.clock import SHANGHAI
from xuefa.store.keys import Keys
from xuefa.store.store import Store
from xuefa.years.rules import YearConfig

YEAR = 2026
XLSX = xlsx.XLSX
OPENS = datetime(2026, 11, 25, tzinfo=SHANGHAI)  # the exam window, after the tests' now
BEFORE = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
AFTER = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def exams(city, client):
    years = bootstrap.services().years
    config = years.get(YEAR).model_dump(mode="json")
    config["exam_window"] = {
        "opens_at": OPENS.isoformat(),
        "closes_at": datetime(2026, 11, 29, tzinfo=SHANGHAI).isoformat(),
    }
    years.put(YearConfig.model_validate(config))
    return client("exams").http


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return json_of(response)


def row(**changes: Any) -> dict[str, Any]:
    """A question as the template's columns hold it (an item's shape)."""
    return {
        "pool": "practice",
        "type": "single",
        "stem": "宪法是国家的什么法？",
        "options": [{"key": "A", "text": "根本法"}, {"key": "B", "text": "普通法"}],
        "answer": ["A"],
        "topic": "constitution",
        "explanation": "宪法是国家的根本法。",
        "category": "宪法",
        **changes,
    }


def upload(exams: Any, body: bytes, who: tuple = CITY_ADMIN) -> Any:
    return call(exams, "post", f"/{YEAR}/questions/xlsx", who, body, content_type=XLSX)


def downloaded(link: dict[str, Any]) -> bytes:
    key = unquote(urlparse(link["url"]).path).lstrip("/").removeprefix(f"{CONTENT_BUCKET}/")
    return bytes(boto3.client("s3").get_object(Bucket=CONTENT_BUCKET, Key=key)["Body"].read())


def listed(exams: Any, query: str) -> list[dict[str, Any]]:
    """Every page of the listing."""
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = ok(get(exams, f"/{YEAR}/questions?{query}{cursor}", CITY_ADMIN))
        found += page["questions"]
        if not page.get("cursor"):
            return found
        cursor = f"&cursor={page['cursor']}"


def test_the_template_is_a_workbook_with_chinese_columns_a_topic_list_and_instructions(
    exams,
) -> None:
    link = ok(get(exams, f"/{YEAR}/questions/template", CITY_ADMIN))
    assert link["rows"] == 0 and link["expires_at"]
    book = load_workbook(io.BytesIO(downloaded(link)))
    sheet = book["题库"]
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["题号(留空为新题)", "题库(考试/练习)", "类型(单选/多选/判断)", "题干"]
    assert {"选项A", "选项F", "答案", "主题", "难度(1-3)", "解析", "分类"} <= set(header)
    lists = [v.formula1 for v in sheet.data_validations.dataValidation]
    assert any("宪法" in (f or "") and "党内法规" in (f or "") for f in lists)
    assert "说明" in book.sheetnames
    notes = [c.value for r in book["说明"].iter_rows() for c in r if c.value]
    assert any("一道题也不导入" in str(n) for n in notes)


def test_an_import_with_one_wrong_row_writes_nothing_and_names_row_and_column(
    exams, city: Store
) -> None:
    before = len(list(city.query_all(Keys.practice_pool(YEAR))))
    rows = [row(stem="第一题"), row(stem="第二题", answer=["C"]), row(stem="")]
    refused = upload(exams, xlsx.workbook(rows))
    assert (refused.status_code, code(refused)) == (400, "BAD_REQUEST")
    errors = json_of(refused)["error"]["details"]["rows"]
    assert {(e["row"], e["column"]) for e in errors} == {(3, "答案"), (4, "题干")}
    assert len(list(city.query_all(Keys.practice_pool(YEAR)))) == before
    answer = ok(upload(exams, xlsx.workbook([row(stem="第一题"), row(stem="第二题")])))
    assert answer == {"imported": 2, "errors": []}
    assert len(list(city.query_all(Keys.practice_pool(YEAR)))) == before + 2


def test_not_a_workbook_is_a_clear_400(exams) -> None:
    refused = upload(exams, b"name,unit\nx,y\n")
    assert refused.status_code == 400
    assert json_of(refused)["error"]["details"]["rows"][0]["row"] == 1


def test_the_listing_filters_by_pool_topic_type_text_and_retirement(exams) -> None:
    questions = [
        row(question_id="b-1", stem="宪法第一题"),
        row(question_id="b-2", stem="党规第二题", topic="party_rules"),
        row(question_id="b-3", stem="宪法多选题", type="multiple", answer=["A", "B"]),
        row(question_id="b-4", pool="exam", stem="考试题：宪法"),
    ]
    ok(post(exams, f"/{YEAR}/questions", CITY_ADMIN, {"questions": questions}))
    ids = lambda found: {q["question_id"] for q in found}  # noqa: E731
    practice = listed(exams, "pool=practice")
    assert {"b-1", "b-2", "b-3"} <= ids(practice) and "b-4" not in ids(practice)
    assert practice[0]["answer"] and practice[0]["version"] == 1  # the key, for the city
    assert "b-4" in ids(listed(exams, "pool=exam"))
    assert ids(listed(exams, "pool=practice&topic=party_rules")) == {"b-2"}
    assert ids(listed(exams, "pool=practice&type=multiple")) == {"b-3"}
    assert ids(listed(exams, "pool=practice&q=宪法")) == {"b-1", "b-3"}
    ok(post(exams, f"/{YEAR}/questions/b-1/retire", CITY_ADMIN, {"reason": "过时"}))
    assert ids(listed(exams, "pool=practice&retired=true")) == {"b-1"}
    assert "b-1" not in ids(listed(exams, "pool=practice&retired=false"))
    bad = get(exams, f"/{YEAR}/questions?pool=practice&cursor=forged.{'0' * 32}", CITY_ADMIN)
    assert bad.status_code == 400


def edit_body(**changes: Any) -> dict[str, Any]:
    body = row(**changes)
    body.pop("pool")
    body.pop("question_id", None)
    return body


def test_an_exam_question_is_edited_before_the_window_opens_not_after(
    exams, city: Store, clock
) -> None:
    exam = row(question_id="e-1", pool="exam")
    ok(post(exams, f"/{YEAR}/questions", CITY_ADMIN, {"questions": [exam, row(question_id="p-1")]}))
    edited = ok(
        call(exams, "put", f"/{YEAR}/questions/e-1", CITY_ADMIN, edit_body(stem="宪法是什么法？"))
    )
    assert (edited["version"], edited["stem"], edited["pool"]) == (2, "宪法是什么法？", "exam")
    kept = city.get(Keys.question_version(YEAR, "e-1", 1))
    assert kept is not None and kept["stem"] == "宪法是国家的什么法？"
    audits = list(city.query_all("AUDIT#2026#2026-11-20"))
    assert [(a["action"], a["target"]) for a in audits] == [("bank.edit", "2026/e-1")]
    clock.set(AFTER)
    late = call(exams, "put", f"/{YEAR}/questions/e-1", CITY_ADMIN, edit_body(stem="又改了一次"))
    assert (late.status_code, code(late)) == (409, "CONFLICT")
    assert "exam window has opened" in json_of(late)["error"]["message"]
    practice = call(exams, "put", f"/{YEAR}/questions/p-1", CITY_ADMIN, edit_body(stem="随时可改"))
    assert ok(practice)["version"] == 2
    wrong = call(exams, "put", f"/{YEAR}/questions/p-1", CITY_ADMIN, edit_body(answer=["C"]))
    assert wrong.status_code == 400
    missing = call(exams, "put", f"/{YEAR}/questions/nope", CITY_ADMIN, edit_body())
    assert missing.status_code == 404


def test_an_export_imports_back_unchanged_and_an_edited_row_becomes_a_version(exams) -> None:
    ok(post(exams, f"/{YEAR}/questions", CITY_ADMIN, {"questions": [row(question_id="x-1")]}))
    link = ok(get(exams, f"/{YEAR}/questions/export?pool=practice", CITY_ADMIN))
    exported = downloaded(link)
    back = ok(upload(exams, exported))
    assert back["unchanged"] == link["rows"] and back["updated"] == 0
    book = load_workbook(io.BytesIO(exported))
    sheet = book["题库"]
    for cells in sheet.iter_rows(min_row=2):
        if cells[0].value == "x-1":
            cells[3].value = "宪法是我国的什么法？"
    out = io.BytesIO()
    book.save(out)
    again = ok(upload(exams, out.getvalue()))
    assert again["updated"] == 1
    assert [q["version"] for q in listed(exams, "pool=practice") if q["question_id"] == "x-1"] == [
        2
    ]


def test_the_exams_demo_bank_with_its_t_and_f_judge_keys_goes_round_unchanged(exams) -> None:
    link = ok(get(exams, f"/{YEAR}/questions/export?pool=exam", CITY_ADMIN))
    assert link["rows"] > 50
    back = ok(upload(exams, downloaded(link)))
    assert (back["imported"], back["updated"], back["unchanged"]) == (0, 0, link["rows"])


def test_a_retired_question_is_drawn_into_no_new_paper_and_served_in_no_practice(
    exams, city: Store, clock, client
) -> None:
    bank = [q["question_id"] for q in listed(exams, "pool=exam")]
    practice = [row(question_id=f"r-{n}", stem=f"练习{n}") for n in range(3)]
    ok(post(exams, f"/{YEAR}/questions", CITY_ADMIN, {"questions": practice}))
    for question_id in [*bank[:-50], "r-0", "r-1"]:  # a paper needs fifty
        ok(post(exams, f"/{YEAR}/questions/{question_id}/retire", CITY_ADMIN, {}))
    again = ok(post(exams, f"/{YEAR}/questions/r-0/retire", CITY_ADMIN, {}))
    assert again["retired"] is True
    clock.set(AFTER)
    assert call(exams, "post", f"/{YEAR}/attempts", LEARNER).status_code == 201
    paper = stored_paper(city, LEARNER[0], YEAR, 1)
    assert {q["source_id"] for q in paper} == set(bank[-50:])
    credits = client("credits").http
    given = ok(get(credits, "/practice?kind=topic&topic=constitution", LEARNER))
    assert [q["question_id"] for q in given["questions"]] == ["r-2"]


def test_a_paper_shows_and_grades_the_version_it_was_given_whatever_the_bank_holds_later(
    exams, city: Store, clock
) -> None:
    bank = [q["question_id"] for q in listed(exams, "pool=exam")]
    for question_id in bank[:-50]:  # the paper holds the other fifty
        ok(post(exams, f"/{YEAR}/questions/{question_id}/retire", CITY_ADMIN, {}))
    edited, gone = bank[-1], bank[-2]
    body = edit_body(stem="第二版：宪法是国家的什么法？", category="宪法")
    assert ok(call(exams, "put", f"/{YEAR}/questions/{edited}", CITY_ADMIN, body))["version"] == 2
    clock.set(AFTER)
    assert call(exams, "post", f"/{YEAR}/attempts", LEARNER).status_code == 201
    stored = city.get(Keys.attempt(LEARNER[0], YEAR, 1))
    assert stored is not None and "paper" not in stored  # what was drawn, not the text
    assert any(ref.startswith(f"{edited}|2|") for ref in stored["drawn"])
    # Later the bank moves on (as a correction of the text would, or a retirement): the
    # held item is a third version, its second kept in the log; another is retired.
    held = city.get(Keys.question(YEAR, edited))
    assert held is not None
    city.put({**held, **Keys.question_version(YEAR, edited, 2)})
    city.put({**held, "version": 3, "stem": "第三版", "answer": ["B"]})
    retired = city.get(Keys.question(YEAR, gone))
    assert retired is not None
    city.put({**retired, "retired": True})
    bootstrap.services().exams.bank.forget(YEAR)
    shown = ok(get(exams, f"/{YEAR}/attempts/1", LEARNER))["questions"]
    stems = {q["stem"] for q in shown}
    assert "第二版：宪法是国家的什么法？" in stems and "第三版" not in stems
    assert len(shown) == 50  # the retired question stays on the paper it was given to
    paper = {q["source_id"]: q for q in stored_paper(city, LEARNER[0], YEAR, 1)}
    right = {q["question_id"]: q["answer"] for q in paper.values()}
    key = paper[edited]["answer"]  # version 2's key: its option A, as labelled here
    assert key == [paper[edited]["options"][paper[edited]["order"].index("A")]["key"]]
    outcome = ok(post(exams, f"/{YEAR}/attempts/1/submit", LEARNER, {"answers": right}))
    assert float(outcome["score"]) == 100


@pytest.mark.parametrize("who", [LEARNER, UNIT_ADMIN, COUNTY_ADMIN])
def test_only_the_city_reaches_the_bank(exams, who: tuple) -> None:
    ok(post(exams, f"/{YEAR}/questions", CITY_ADMIN, {"questions": [row(question_id="s-1")]}))
    answers = [
        get(exams, f"/{YEAR}/questions?pool=practice", who),
        get(exams, f"/{YEAR}/questions/template", who),
        get(exams, f"/{YEAR}/questions/export", who),
        upload(exams, xlsx.template(), who),
        call(exams, "put", f"/{YEAR}/questions/s-1", who, edit_body()),
        post(exams, f"/{YEAR}/questions/s-1/retire", who, {}),
    ]
    assert [a.status_code for a in answers] == [403] * 6
