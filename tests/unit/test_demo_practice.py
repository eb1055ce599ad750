"""The demo's practice pool (#27.5) holds together: enough questions, each a valid bank
question tagged for practice, spread over the six topics and every demo lesson, none shared
with the exam pool, and each pointing at a section its lesson's rendered article really has
(the learner is sent there to read why)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from infra.local import content
from xuefa.credits.articles import render
from xuefa.exams.questions import Question

LOCAL = Path(content.__file__).resolve().parent.parent
PRACTICE = json.loads((LOCAL / "demo_practice.json").read_text(encoding="utf-8"))["questions"]
BANK = json.loads((LOCAL / "demo_bank.json").read_text(encoding="utf-8"))["questions"]
CONTENT = content.load()
TOPIC_OF = {lesson: course.topic for course in CONTENT.courses for lesson in course.lessons}
IDS = [question["question_id"] for question in PRACTICE]


def anchors(lesson_id: str) -> set[str]:
    return {section.anchor for section in render(CONTENT.lessons[lesson_id].body_markdown).sections}


def test_the_pool_has_at_least_150_questions_with_unique_practice_ids() -> None:
    assert len(PRACTICE) >= 150
    assert len(set(IDS)) == len(IDS)
    assert all(question_id.startswith("p-") for question_id in IDS)


def test_no_question_is_shared_with_the_exam_pool() -> None:
    assert not set(IDS) & {question["question_id"] for question in BANK}
    assert not {q["stem"] for q in PRACTICE} & {q["stem"] for q in BANK}


@pytest.mark.parametrize("question", PRACTICE, ids=IDS)
def test_each_question_is_a_valid_bank_question_tagged_for_practice(question: dict) -> None:
    Question.model_validate(question)
    assert question["pool"] == "practice"
    assert question["difficulty"] in (1, 2, 3)
    assert question["explanation"].strip()
    if question["type"] == "judge":
        assert question["options"] == [{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}]


@pytest.mark.parametrize("question", PRACTICE, ids=IDS)
def test_each_question_comes_from_a_demo_lesson_and_a_section_it_has(question: dict) -> None:
    lesson = CONTENT.lessons[question["lesson_id"]]
    assert question["topic"] == TOPIC_OF[lesson.lesson_id]
    if lesson.kind == "article":
        assert question["anchor"] in anchors(lesson.lesson_id)
    else:
        assert question["anchor"] is None


def test_every_topic_has_15_questions_and_every_lesson_5() -> None:
    topics = Counter(question["topic"] for question in PRACTICE)
    assert set(topics) == set(content.TOPICS)
    assert min(topics.values()) >= 15
    lessons = Counter(question["lesson_id"] for question in PRACTICE)
    assert set(lessons) == set(CONTENT.lessons)
    assert min(lessons.values()) >= 5


def test_the_types_are_a_realistic_mix() -> None:
    types = Counter(question["type"] for question in PRACTICE)
    assert all(types[kind] >= len(PRACTICE) // 10 for kind in ("single", "multiple", "judge"))
