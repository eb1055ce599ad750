"""Reading the city's XLSX bank (#27, #28): every row checked, each error named by its
row and column; the template and the export read back as they were written."""

from __future__ import annotations

import io
from typing import Any

import pytest
import xlsxwriter

from xuefa.bank import xlsx

HEADER = [title for _, title, _ in xlsx.COLUMNS]


def book(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet()
    for r, values in enumerate([header or HEADER, *rows]):
        for c, value in enumerate(values):
            if value is not None:
                sheet.write(r, c, value)
    workbook.close()
    return out.getvalue()


def line(**cells: Any) -> list[Any]:
    """A row by column name (题干, 选项A…); a single-choice exam question unless told."""
    values = {"类型": "单选", "题干": "宪法是国家的什么法？", "选项A": "根本法", "选项B": "普通法"}
    values |= {"答案": "A", **cells}
    return [values.get(name, "") for name, _, _ in xlsx.COLUMNS]


def errors(*rows: list[Any], header: list[str] | None = None) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in xlsx.read(book(list(rows), header)).errors}


def test_a_good_sheet_gives_the_json_imports_questions_with_their_rows() -> None:
    sheet = xlsx.read(
        book(
            [
                line(),
                [],
                line(
                    类型="多选", 选项C="地方法", 答案="A,C", 题库="练习", 主题="宪法", 解析="因为"
                ),
                line(类型="判断", 选项A="", 选项B="", 答案="错", 条款="第十二条", 课程="l-1"),
            ]
        )
    )
    assert sheet.errors == [] and sheet.rows == [2, 4, 5]
    single, multiple, judge = sheet.questions
    assert single["pool"] == "exam" and single["answer"] == ["A"]
    assert multiple["answer"] == ["A", "C"] and multiple["topic"] == "constitution"
    assert judge["options"] == [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}]
    assert (judge["answer"], judge["anchor"]) == (["B"], "art-12")


def test_a_missing_column_is_named() -> None:
    header = [h for h in HEADER if not h.startswith("答案")]
    assert errors(line()[:-1], header=header) == {(1, "答案")}


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"类型": "填空"}, "类型"),
        ({"答案": "C"}, "答案"),
        ({"答案": "甲"}, "答案"),
        ({"答案": ""}, "答案"),
        ({"类型": "多选", "答案": "A"}, "答案"),
        ({"类型": "判断", "选项A": "", "选项B": "", "答案": "是"}, "答案"),
        ({"类型": "判断", "选项A": "对的", "选项B": "", "答案": "A"}, "选项A"),
        ({"题干": ""}, "题干"),
        ({"主题": "民法典"}, "主题"),
        ({"题库": "模拟"}, "题库"),
        ({"难度": "难"}, "难度"),
        ({"难度": "5"}, "难度"),
        ({"条款": "十二"}, "条款"),
        ({"条款": "第3条"}, "条款"),  # an anchor needs its lesson
        ({"题库": "练习", "主题": "宪法"}, "解析"),  # practice explains its key
        ({"选项B": ""}, "选项A"),
    ],
)
def test_a_wrong_cell_is_named_by_row_and_column(cells: dict[str, Any], column: str) -> None:
    assert errors(line(), line(**cells)) == {(3, column)}


def test_two_rows_with_one_number_are_refused() -> None:
    assert errors(line(题号="q-1"), line(题号="q-1")) == {(3, "题号")}


def test_too_many_rows_is_a_clear_error() -> None:
    sheet = xlsx.read(book([line() for _ in range(xlsx.MAX_ROWS + 1)]))
    assert sheet.questions == []
    assert [e["row"] for e in sheet.errors] == [xlsx.MAX_ROWS + 2]
    assert str(xlsx.MAX_ROWS) in sheet.errors[0]["error"]


@pytest.mark.parametrize("data", [b"", b"not a workbook", b"PK\x03\x04broken zip"])
def test_not_an_xlsx_at_all(data: bytes) -> None:
    sheet = xlsx.read(data)
    assert sheet.questions == [] and [e["row"] for e in sheet.errors] == [1]


def test_an_empty_template_holds_no_questions() -> None:
    assert [e["row"] for e in xlsx.read(xlsx.template()).errors] == [2]


def test_the_export_reads_back_as_it_was_written() -> None:
    judge = {
        "question_id": "q-7",
        "pool": "exam",
        "type": "judge",
        "stem": "宪法是根本法。",
        "options": [dict(o) for o in xlsx.JUDGE_OPTIONS],
        "answer": ["A"],
        "category": "general",
        "points": 2,
        "difficulty": 2,
    }
    sheet = xlsx.read(xlsx.workbook([xlsx.EXAMPLE, judge]))
    assert sheet.errors == []
    assert sheet.questions[0]["anchor"] == "art-34" and sheet.questions[1] == judge


@pytest.mark.parametrize(
    ("text", "anchor"),
    [("第12条", "art-12"), ("第十条", "art-10"), ("第一百零五条", "art-105"), ("s-3", "s-3")],
)
def test_an_article_is_an_anchor(text: str, anchor: str) -> None:
    assert xlsx.anchor_of(text) == anchor


def test_a_judge_question_keyed_t_and_f_goes_round_unchanged() -> None:
    stored = {
        "question_id": "d-1",
        "pool": "exam",
        "type": "judge",
        "stem": "宪法是根本法。",
        "options": [{"key": "T", "text": "正确"}, {"key": "F", "text": "错误"}],
        "answer": ["F"],
    }
    (question,) = xlsx.read(xlsx.workbook([stored])).questions
    assert question["answer"] == ["B"]
    xlsx.keep_judge_keys(question, stored)
    assert (question["options"], question["answer"]) == (stored["options"], ["F"])
