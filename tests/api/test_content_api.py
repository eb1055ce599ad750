"""/credits study content (#26) through chalice.test.Client on moto: authoring,
publishing, reading, progress and checks, retire, county scope, review."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
import requests

from tests.api.conftest import call, code, get, json_of, post
from tests.helpers import (
    CITY_ADMIN,
    CONTENT_BUCKET,
    COUNTY_ADMIN,
    LEARNER,
    OTHER_COUNTY_ADMIN,
    UNIT_ADMIN,
)
from xuefa import bootstrap
from xuefa.store.keys import Keys

OTHER_LEARNER = ("530402000002", ["learners"], "530402-001")
THIRD_LEARNER = ("530402000003", ["learners"], "530402-001")
ELSEWHERE = ("530403000001", ["learners"], "530403-001")
YEAR = 2026
BODY = """# 宪法总纲

宪法是国家的根本法。

## 国家机构

第五条 中华人民共和国实行依法治国，建设社会主义法治国家。

第三十三条 凡具有中华人民共和国国籍的人都是中华人民共和国公民。

<script>alert('x')</script> <img src=x onerror=alert(1)> [坏链接](javascript:alert(1))
[好链接](https://www.npc.gov.cn/)
"""


def checks(prefix: str = "q") -> list[dict[str, Any]]:
    return [
        {
            "check_id": f"{prefix}{n}",
            "stem": f"第{n}题：宪法是国家的什么法？",
            "options": [{"key": "A", "text": "根本法"}, {"key": "B", "text": "普通法"}],
            "answer": "A",
        }
        for n in (1, 2, 3)
    ]


@pytest.fixture
def api(city, client):
    return client("credits").http


def put(api: Any, path: str, who: tuple, body: Any) -> Any:
    return call(api, "put", path, who, body)


def patch(api: Any, path: str, who: tuple, body: Any) -> Any:
    return call(api, "patch", path, who, body)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.body
    return json_of(response)


def course(api: Any, who: tuple = CITY_ADMIN, topic: str = "constitution") -> str:
    body = {"year": YEAR, "title": "宪法", "summary": "宪法的基本内容", "topic": topic}
    return str(ok(post(api, "/courses", who, body), 201)["course_id"])


def lesson(api: Any, course_id: str, who: tuple = CITY_ADMIN, kind: str = "article") -> str:
    body = {"year": YEAR, "course_id": course_id, "kind": kind, "title": "宪法总纲",
            "credits": 50, "needed_seconds": 1200}  # fmt: skip
    made = ok(post(api, "/lessons", who, body), 201)
    assert (made["state"], made["version"]) == ("draft", 0)
    return str(made["lesson_id"])


def draft(api: Any, lesson_id: str, who: tuple = CITY_ADMIN, **content: Any) -> Any:
    body = {"year": YEAR, "checks": checks(), **(content or {"body_markdown": BODY})}
    return put(api, f"/lessons/{lesson_id}/draft", who, body)


def published(api: Any, who: tuple = CITY_ADMIN, kind: str = "article", **content: Any) -> str:
    lesson_id = lesson(api, course(api, who), who, kind)
    ok(draft(api, lesson_id, who, **content))
    assert ok(post(api, f"/lessons/{lesson_id}/publish", who, {"year": YEAR}))["version"] == 1
    return lesson_id


def study(api: Any, lesson_id: str, who: tuple = LEARNER, status: int = 201) -> str:
    return str(ok(post(api, f"/lessons/{lesson_id}/study", who, {}), status)["session_id"])


def report(api: Any, session_id: str, who: tuple = LEARNER, **body: Any) -> Any:
    return ok(post(api, f"/sessions/{session_id}/progress", who, {"position": "", **body}))


def audit_actions() -> list[str]:
    items = boto3.client("dynamodb").scan(TableName=bootstrap.services().store.table_name)["Items"]
    return sorted(i["action"]["S"] for i in items if "action" in i and i["sk"]["S"] != "DRAFT")


def test_an_article_is_sanitized_anchored_published_and_read(api) -> None:
    lesson_id = lesson(api, course(api))
    saved = ok(draft(api, lesson_id))["draft"]
    html = saved["html"]
    # What was raw HTML is shown as text: no tag, no handler, no javascript: link.
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://www.npc.gov.cn/"' in html
    assert [s["anchor"] for s in saved["sections"]] == ["s-1", "s-2", "art-5", "art-33"]
    assert 'id="art-33"' in html
    assert all("answer" in c for c in saved["checks"])  # the author sees the answers

    ok(post(api, f"/lessons/{lesson_id}/publish", CITY_ADMIN, {"year": YEAR}))
    view = ok(get(api, f"/lessons/{lesson_id}?year={YEAR}", LEARNER))
    assert (view["version"], view["kind"], view["position"], view["completed"]) == (
        1, "article", "", False,
    )  # fmt: skip
    assert view["body_url"] == f"/content/{YEAR}/{lesson_id}/v1/body.html"
    body = (
        boto3.client("s3")
        .get_object(Bucket=CONTENT_BUCKET, Key=view["body_url"][1:])["Body"]
        .read()
    )
    assert "第三十三条".encode() in body and b"<script" not in body
    listed = ok(get(api, f"/courses?year={YEAR}", LEARNER))["items"]
    assert [(c["topic"], [x["lesson_id"] for x in c["lessons"]]) for c in listed] == [
        ("constitution", [lesson_id])
    ]
    assert {"course.add", "lesson.add", "lesson.draft", "lesson.publish"} <= set(audit_actions())


def test_a_draft_is_the_authors_only(api) -> None:
    lesson_id = lesson(api, course(api))
    ok(draft(api, lesson_id))
    assert code(get(api, f"/lessons/{lesson_id}?year={YEAR}", LEARNER)) == "NOT_FOUND"
    assert code(post(api, f"/lessons/{lesson_id}/study", LEARNER, {})) == "NOT_FOUND"
    assert code(post(api, "/sessions", LEARNER, {"resource_id": lesson_id})) == "NOT_FOUND"
    catalogue = ok(get(api, f"/catalogue?year={YEAR}", LEARNER))["items"]
    assert lesson_id not in [r["resource_id"] for r in catalogue]
    assert ok(get(api, f"/courses?year={YEAR}", LEARNER))["items"] == []


def test_bad_drafts_and_outsiders_change_nothing(api) -> None:
    lesson_id = lesson(api, course(api))
    wrong = checks()
    wrong[0]["answer"] = "C"
    bad = put(api, f"/lessons/{lesson_id}/draft", CITY_ADMIN,
              {"year": YEAR, "checks": wrong, "body_markdown": "x"})  # fmt: skip
    assert (bad.status_code, code(bad)) == (400, "BAD_REQUEST")
    too_many = put(api, f"/lessons/{lesson_id}/draft", CITY_ADMIN,
                   {"year": YEAR, "checks": checks() * 7, "body_markdown": "x"})  # fmt: skip
    assert too_many.status_code == 400
    assert code(draft(api, lesson_id, CITY_ADMIN, media=None)) == "BAD_REQUEST"  # no body
    assert draft(api, lesson_id, UNIT_ADMIN).status_code == 403
    assert draft(api, lesson_id, LEARNER).status_code == 403
    assert code(post(api, f"/lessons/{lesson_id}/publish", CITY_ADMIN, {"year": YEAR})) == (
        "CONFLICT"
    )  # nothing to publish yet
    assert post(api, "/courses", COUNTY_ADMIN,
                {"year": YEAR, "title": "x", "topic": "yunnan"}).status_code == 403  # fmt: skip


def test_served_time_is_the_least_of_wall_and_visible_and_a_check_pauses_it(api, clock) -> None:
    lesson_id = published(api)
    session_id = study(api, lesson_id)
    assert study(api, lesson_id, status=200) == session_id  # reopening resumes it
    clock.advance(seconds=300)
    assert report(api, session_id, visible_ms=300_000, position="art-5")["served_seconds"] == 300
    clock.advance(seconds=100)
    claimed = report(api, session_id, visible_ms=600_000)  # more than the wall clock
    assert claimed["served_seconds"] == 400
    assert report(api, session_id, visible_ms=300_000)["served_seconds"] == 400  # a 2nd tab
    clock.advance(seconds=300)
    hidden = report(api, session_id, visible_ms=0)
    assert (hidden["served_seconds"], hidden["paused"]) == (400, False)
    clock.advance(seconds=300)
    asked = report(api, session_id, visible_ms=300_000)
    assert (asked["served_seconds"], asked["paused"]) == (700, True)
    assert set(asked["check"]) == {"check_id", "stem", "options"}  # never the answer
    clock.advance(seconds=300)
    paused = report(api, session_id, visible_ms=300_000)
    assert (paused["served_seconds"], paused["paused"]) == (700, True)
    answer = {"check_id": asked["check"]["check_id"], "key": "B"}  # wrong costs nothing
    clock.advance(seconds=5)
    resumed = report(api, session_id, visible_ms=5000, check_answer=answer)
    # The answering report counts its own 5 s: the app may carry it in its next report.
    assert (resumed["served_seconds"], resumed["paused"], resumed.get("check")) == (
        705,
        False,
        None,
    )
    view = ok(get(api, f"/lessons/{lesson_id}?year={YEAR}", LEARNER))
    assert (view["position"], view["served_seconds"]) == ("art-5", 705)  # the last one given
    early = post(api, f"/sessions/{session_id}/complete", LEARNER, {})
    assert (code(early), json_of(early)["error"]["details"]["seconds_left"]) == ("TOO_EARLY", 495)
    for _ in range(2):
        clock.advance(seconds=300)
        last = report(api, session_id, visible_ms=300_000)
    assert (last["served_seconds"], last["ready"]) == (1200, True)  # never beyond the need
    done = ok(post(api, f"/sessions/{session_id}/complete", LEARNER, {}))
    assert done["awarded"] == 50
    item = ok(get(api, f"/courses?year={YEAR}", LEARNER))["items"][0]["lessons"][0]
    assert (item["completed"], item["served_seconds"]) == (True, 1200)


def test_a_video_counts_only_seconds_played_for_the_first_time(api, clock) -> None:
    media = {"renditions": [{"url": "/content/v/360.mp4", "height": 360, "bitrate_kbps": 380},
                            {"url": "/content/v/720.mp4", "height": 720, "bitrate_kbps": 1500}],
             "poster_url": "/content/v/poster.jpg", "duration_s": 1500,
             "captions": [{"url": "/content/v/zh.vtt"}]}  # fmt: skip
    lesson_id = published(api, kind="video", media=media)
    view = ok(get(api, f"/lessons/{lesson_id}?year={YEAR}", LEARNER))
    assert view["media"]["captions"] == [
        {"url": "/content/v/zh.vtt", "lang": "zh-CN", "label": "中文"}
    ]
    session_id = study(api, lesson_id)
    clock.advance(seconds=300)
    assert report(api, session_id, visible_ms=300_000, played=[[0, 300]])["served_seconds"] == 300
    clock.advance(seconds=300)
    again = report(api, session_id, visible_ms=300_000, played=[[0, 300]], position="300")
    assert again["served_seconds"] == 300  # watching the same stretch again
    clock.advance(seconds=300)
    skipped = report(api, session_id, visible_ms=300_000, played=[[300, 310], [1490, 1500]])
    assert skipped["served_seconds"] == 320  # skipped ahead: only what played
    assert ok(get(api, f"/lessons/{lesson_id}?year={YEAR}", LEARNER))["position"] == "300"


def test_a_learner_keeps_the_version_they_started(api, clock) -> None:
    lesson_id = published(api)
    session_id = study(api, lesson_id)
    ok(draft(api, lesson_id, body_markdown="# 第二版\n\n第一条 新内容。"))
    assert (
        ok(post(api, f"/lessons/{lesson_id}/publish", CITY_ADMIN, {"year": YEAR}))["version"] == 2
    )
    mine = ok(get(api, f"/lessons/{lesson_id}?year={YEAR}", LEARNER))
    assert (mine["version"], mine["body_url"].split("/")[-2]) == (1, "v1")
    fresh = ok(get(api, f"/lessons/{lesson_id}?year={YEAR}", OTHER_LEARNER))
    assert (fresh["version"], fresh["sections"][-1]["anchor"]) == (2, "art-1")
    assert ok(post(api, f"/lessons/{lesson_id}/study", LEARNER, {}))["version"] == 1
    assert session_id


def test_a_retired_lesson_takes_no_new_starts_and_credits_stay(api, clock) -> None:
    lesson_id = published(api)
    session_id = study(api, lesson_id)
    for _ in range(4):
        clock.advance(seconds=300)
        answer = report(api, session_id, visible_ms=300_000)
        if answer["paused"]:
            report(api, session_id, visible_ms=0, check_answer={
                "check_id": answer["check"]["check_id"], "key": "A"})  # fmt: skip
    clock.advance(seconds=300)
    assert report(api, session_id, visible_ms=300_000)["ready"]
    ok(post(api, f"/sessions/{session_id}/complete", LEARNER, {}))
    retired = ok(post(api, f"/lessons/{lesson_id}/retire", CITY_ADMIN,
                      {"year": YEAR, "reason": "法律已修订"}))  # fmt: skip
    assert retired["state"] == "retired"
    refused = post(api, f"/lessons/{lesson_id}/study", OTHER_LEARNER, {})
    assert (code(refused), json_of(refused)["error"]["details"]["reason"]) == (
        "CONFLICT", "retired",
    )  # fmt: skip
    assert ok(get(api, f"/courses?year={YEAR}", LEARNER))["items"] == []
    assert ok(get(api, "/me", LEARNER))["credits"] == 50
    assert code(draft(api, lesson_id)) == "CONFLICT"
    assert "lesson.retire" in audit_actions()


def allow_county_lessons(store: Any) -> None:
    item = store.get(Keys.year_config(YEAR))
    item["config"]["county_lessons"] = True
    store.put(item)
    bootstrap.services().years._cache.clear()


def test_a_county_publishes_for_its_own_subtree_when_the_year_allows(api, city) -> None:
    local = {"year": YEAR, "title": "红塔区", "topic": "yunnan"}
    assert post(api, "/courses", COUNTY_ADMIN, local).status_code == 403
    allow_county_lessons(city)
    lesson_id = published(api, COUNTY_ADMIN)
    assert ok(get(api, f"/lessons/{lesson_id}?year={YEAR}", LEARNER))["version"] == 1
    assert code(get(api, f"/lessons/{lesson_id}?year={YEAR}", ELSEWHERE)) == "NOT_FOUND"
    assert code(post(api, f"/lessons/{lesson_id}/study", ELSEWHERE, {})) == "NOT_FOUND"
    assert ok(get(api, f"/courses?year={YEAR}", ELSEWHERE))["items"] == []
    assert draft(api, lesson_id, OTHER_COUNTY_ADMIN).status_code == 403
    assert draft(api, lesson_id, CITY_ADMIN).status_code == 200  # the city's subtree
    assert post(api, "/courses", UNIT_ADMIN,
                {"year": YEAR, "title": "x", "topic": "yunnan"}).status_code == 403  # fmt: skip


def test_courses_can_be_edited_by_their_owner(api) -> None:
    course_id = course(api)
    edited = ok(patch(api, f"/courses/{course_id}", CITY_ADMIN,
                      {"year": YEAR, "title": "宪法学习", "order": 2}))  # fmt: skip
    assert (edited["title"], edited["order"], edited["topic"]) == ("宪法学习", 2, "constitution")
    assert patch(api, f"/courses/{course_id}", COUNTY_ADMIN, {"year": YEAR}).status_code == 403
    assert code(patch(api, "/courses/k-none", CITY_ADMIN, {"year": YEAR})) == "NOT_FOUND"
    assert "course.edit" in audit_actions()


def test_uploads_go_straight_to_the_bucket(api) -> None:
    lesson_id = lesson(api, course(api), kind="video")
    small = ok(post(api, f"/lessons/{lesson_id}/media", CITY_ADMIN, {
        "year": YEAR, "purpose": "captions", "filename": "zh.vtt",
        "content_type": "text/vtt", "size": 20}))  # fmt: skip
    assert small["key"].startswith(f"content/{YEAR}/{lesson_id}/v1/captions/")
    sent = requests.put(
        small["upload"]["url"], data=b"WEBVTT\n\n", headers=small["upload"]["headers"]
    )
    assert sent.status_code == 200
    big = ok(post(api, f"/lessons/{lesson_id}/media", CITY_ADMIN, {
        "year": YEAR, "purpose": "video", "filename": "720.mp4",
        "content_type": "video/mp4", "size": 40 * 1024 * 1024}))  # fmt: skip
    assert [p["part_number"] for p in big["parts"]] == [1, 2, 3]
    etags = []
    for part in big["parts"]:
        size = big["part_size"] if part["part_number"] < 3 else 1024
        answer = requests.put(part["url"], data=b"\0" * size)
        etags.append({"part_number": part["part_number"], "etag": answer.headers["ETag"]})
    done = ok(post(api, f"/lessons/{lesson_id}/media/complete", CITY_ADMIN,
                   {"key": big["key"], "upload_id": big["upload_id"], "parts": etags}))  # fmt: skip
    assert done["url"] == "/" + big["key"]
    head = boto3.client("s3").head_object(Bucket=CONTENT_BUCKET, Key=big["key"])
    assert head["ContentLength"] == 2 * big["part_size"] + 1024
    other = {"key": "content/2026/other/v1/x", "upload_id": "u", "parts": etags}
    foreign = post(api, f"/lessons/{lesson_id}/media/complete", CITY_ADMIN, other)
    assert foreign.status_code == 400
    refused = post(api, f"/lessons/{lesson_id}/media", UNIT_ADMIN, {
        "year": YEAR, "purpose": "poster", "filename": "p.jpg",
        "content_type": "image/jpeg", "size": 20})  # fmt: skip
    assert refused.status_code == 403


def test_the_review_lists_what_scripts_leave_behind_for_the_city(api, clock) -> None:
    lesson_id = published(api)
    for who in (LEARNER, OTHER_LEARNER, THIRD_LEARNER):
        session_id = study(api, lesson_id, who)
        clock.advance(seconds=600)
        asked = report(api, session_id, who, visible_ms=600_000, device_id="device-0001")
        assert asked["paused"]
        clock.advance(seconds=0.4)
        report(api, session_id, who, visible_ms=0,
               check_answer={"check_id": asked["check"]["check_id"], "key": "A"})  # fmt: skip
    items = ok(get(api, f"/review?year={YEAR}", CITY_ADMIN))["items"]
    first = next(i for i in items if i["student_no"] == LEARNER[0])
    assert {s["code"] for s in first["signals"]} == {"fast_checks"}
    third = next(i for i in items if i["student_no"] == THIRD_LEARNER[0])
    assert {s["code"] for s in third["signals"]} == {"fast_checks", "shared_device"}
    assert (third["unit_id"], third["credits"], bool(third["name"])) == ("530402-001", 0, True)
    assert ok(get(api, f"/review?year={YEAR}&unit_id=530403", CITY_ADMIN))["items"] == []
    assert get(api, f"/review?year={YEAR}", COUNTY_ADMIN).status_code == 403
    export = ok(get(api, f"/review/export?year={YEAR}&format=csv", CITY_ADMIN))
    assert (export["format"], export["rows"]) == ("csv", 3)
    text = requests.get(export["url"]).content.decode("utf-8-sig")
    assert text.splitlines()[0] == "学号,姓名,单位,积分,信号" and LEARNER[0] in text
    xlsx = ok(get(api, f"/review/export?year={YEAR}&format=xlsx", CITY_ADMIN))
    assert requests.get(xlsx["url"]).content[:2] == b"PK"


def test_progress_on_anothers_or_a_closed_session_is_refused(api, clock) -> None:
    lesson_id = published(api)
    session_id = study(api, lesson_id)
    other = post(api, f"/sessions/{session_id}/progress", OTHER_LEARNER, {"visible_ms": 1})
    assert other.status_code == 403  # as completing it: that session is not theirs
    too_long = post(api, f"/sessions/{session_id}/progress", LEARNER,
                    {"visible_ms": 1, "position": "x" * 65})  # fmt: skip
    assert too_long.status_code == 400
    ok(post(api, f"/sessions/{session_id}/abandon", LEARNER))
    closed = post(api, f"/sessions/{session_id}/progress", LEARNER, {"visible_ms": 1})
    assert code(closed) == "CONFLICT"
    plain = post(api, "/sessions", LEARNER, {"resource_id": "c-xf-01"})
    task = json.loads(plain.body)["session_id"]
    assert code(post(api, f"/sessions/{task}/progress", LEARNER, {"visible_ms": 1})) == "NOT_FOUND"


def test_the_demo_content_seeds_as_lessons_a_learner_can_study(api, city, clock) -> None:
    """infra/local/content/ through the seeder: today's catalogue ids become lessons (never
    doubled), each published with its checks; the video's files and the PDF in the bucket."""
    from infra.local import seed

    before = len(ok(get(api, f"/catalogue?year={YEAR}", LEARNER))["items"])
    config = bootstrap.services().years.get(YEAR)
    assert seed.seed_content(city, config, clock) >= 12
    catalogue = ok(get(api, f"/catalogue?year={YEAR}", LEARNER))["items"]
    assert len(catalogue) == before
    courses = ok(get(api, f"/courses?year={YEAR}", LEARNER))["items"]
    assert len({c["topic"] for c in courses}) == 6
    lessons = {x["lesson_id"]: x for c in courses for x in c["lessons"]}
    assert {x["kind"] for x in lessons.values()} == {"article", "video", "document"}
    video = ok(get(api, f"/lessons/v-fz-01?year={YEAR}", LEARNER))
    assert min(r["bitrate_kbps"] for r in video["media"]["renditions"]) <= 400
    s3 = boto3.client("s3")
    for url in [r["url"] for r in video["media"]["renditions"]] + [video["media"]["poster_url"]]:
        assert s3.head_object(Bucket=CONTENT_BUCKET, Key=url[1:])["ContentLength"] > 0
    document = next(x for x in lessons.values() if x["kind"] == "document")
    pdf = ok(get(api, f"/lessons/{document['lesson_id']}?year={YEAR}", LEARNER))["document"]
    assert pdf["pages"] >= 1
    assert s3.get_object(Bucket=CONTENT_BUCKET, Key=pdf["url"][1:])["Body"].read()[:4] == b"%PDF"
    article = ok(get(api, f"/lessons/c-xf-01?year={YEAR}", LEARNER))
    assert any(s["anchor"].startswith("art-") for s in article["sections"])
    session_id = study(api, "c-xf-01")
    clock.advance(seconds=300)
    assert report(api, session_id, visible_ms=300_000)["served_seconds"] == 300


def test_a_draft_saves_before_its_checks_but_publishes_only_with_three(api) -> None:
    lesson_id = lesson(api, course(api))
    for few in ([], checks()[:2]):
        body = {"year": YEAR, "checks": few, "body_markdown": BODY}
        saved = ok(put(api, f"/lessons/{lesson_id}/draft", CITY_ADMIN, body))["draft"]
        assert "宪法是国家的根本法" in saved["html"] and saved["checks"] == few
        refused = post(api, f"/lessons/{lesson_id}/publish", CITY_ADMIN, {"year": YEAR})
        assert (refused.status_code, code(refused)) == (400, "BAD_REQUEST")
        assert "checks" in json_of(refused)["error"]["details"]
    assert ok(get(api, f"/lessons?year={YEAR}", CITY_ADMIN))["items"][0]["version"] == 0
    ok(draft(api, lesson_id))
    assert (
        ok(post(api, f"/lessons/{lesson_id}/publish", CITY_ADMIN, {"year": YEAR}))["version"] == 1
    )


def test_an_author_lists_drafts_and_retired_lessons_and_reads_a_draft_back(api) -> None:
    course_id = course(api)
    drafted, retired, fresh = (lesson(api, course_id) for _ in range(3))
    ok(draft(api, drafted))
    ok(draft(api, retired))
    ok(post(api, f"/lessons/{retired}/publish", CITY_ADMIN, {"year": YEAR}))
    ok(post(api, f"/lessons/{retired}/retire", CITY_ADMIN, {"year": YEAR, "reason": "过时"}))
    listed = ok(get(api, f"/lessons?year={YEAR}", CITY_ADMIN))
    assert [c["course_id"] for c in listed["courses"]] == [course_id]
    states = {i["lesson_id"]: (i["state"], i["version"], i["course_id"]) for i in listed["items"]}
    assert states[drafted] == ("draft", 0, course_id)
    assert states[retired] == ("retired", 1, course_id)
    assert states[fresh] == ("draft", 0, course_id)
    read = ok(get(api, f"/lessons/{drafted}/draft?year={YEAR}", CITY_ADMIN))
    assert read["body_markdown"] == BODY
    assert [c["answer"] for c in read["draft"]["checks"]] == ["A", "A", "A"]  # the author's
    assert "art-33" in [s["anchor"] for s in read["draft"]["sections"]]
    assert "<script" not in read["draft"]["html"]
    missing = get(api, f"/lessons/{fresh}/draft?year={YEAR}", CITY_ADMIN)
    assert (missing.status_code, code(missing)) == (404, "NOT_FOUND")
    # The learner's view of the same path stays the learner's.
    assert code(get(api, f"/lessons/{drafted}?year={YEAR}", LEARNER)) == "NOT_FOUND"


def test_the_authored_list_and_drafts_are_the_authors_subtree_only(api, city) -> None:
    city_lesson = lesson(api, course(api))
    ok(draft(api, city_lesson))
    assert get(api, f"/lessons?year={YEAR}", LEARNER).status_code == 403
    assert get(api, f"/lessons/{city_lesson}/draft?year={YEAR}", LEARNER).status_code == 403
    assert get(api, f"/lessons?year={YEAR}", UNIT_ADMIN).status_code == 403
    assert get(api, f"/lessons?year={YEAR}", COUNTY_ADMIN).status_code == 403  # not allowed yet
    allow_county_lessons(city)
    county_lesson = lesson(api, course(api, COUNTY_ADMIN, "yunnan"), COUNTY_ADMIN)
    ok(draft(api, county_lesson, COUNTY_ADMIN))
    mine = ok(get(api, f"/lessons?year={YEAR}", COUNTY_ADMIN))
    assert [i["lesson_id"] for i in mine["items"]] == [county_lesson]
    assert [c["topic"] for c in mine["courses"]] == ["yunnan"]
    assert ok(get(api, f"/lessons?year={YEAR}", OTHER_COUNTY_ADMIN))["items"] == []
    assert get(api, f"/lessons/{city_lesson}/draft?year={YEAR}", COUNTY_ADMIN).status_code == 403
    assert (
        get(api, f"/lessons/{county_lesson}/draft?year={YEAR}", OTHER_COUNTY_ADMIN).status_code
        == 403
    )
    everything = ok(get(api, f"/lessons?year={YEAR}", CITY_ADMIN))["items"]
    assert {city_lesson, county_lesson} <= {i["lesson_id"] for i in everything}
