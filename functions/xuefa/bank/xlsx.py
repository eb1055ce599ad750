"""The bank as a workbook the city keeps in Excel: the template, reading a filled one
back (every row checked, each error named by row and column), and the export, in the
template's own columns so that export → edit → import goes round.

Columns (row 1 holds their names; a name is matched up to its bracket, so 题库 and
题库(考试/练习) are one column): 题号 (blank: a new question; an existing one's number:
that question, updated as a new version), 题库 (考试/练习), 类型 (单选/多选/判断), 题干,
选项A…选项F, 答案 (the letters, e.g. AC; a 判断 question's options are A 正确 and B 错误,
its 答案 A/B or 对/错), 主题 (by name), 难度 (1-3), 分值, 课程 (lesson_id), 条款 (第12条,
or a section's anchor s-3), 解析, 分类."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from xuefa.core.topics import TOPIC_NAMES
from xuefa.exams.questions import Question

MAX_ROWS = 2000
LETTERS = "ABCDEF"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# (the column's name, what row 1 says, its width)
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("题号", "题号(留空为新题)", 16),
    ("题库", "题库(考试/练习)", 10),
    ("类型", "类型(单选/多选/判断)", 12),
    ("题干", "题干", 48),
    *((f"选项{letter}", f"选项{letter}", 20) for letter in LETTERS),
    ("答案", "答案", 8),
    ("主题", "主题", 26),
    ("难度", "难度(1-3)", 8),
    ("分值", "分值", 6),
    ("课程", "课程(lesson_id)", 16),
    ("条款", "条款(如 第12条)", 14),
    ("解析", "解析", 40),
    ("分类", "分类", 12),
)
REQUIRED = ("类型", "题干", "答案")
POOLS = {"考试": "exam", "考试题": "exam", "exam": "exam", "练习": "practice", "练习题": "practice"}
POOLS["practice"] = "practice"
POOL_NAMES = {"exam": "考试", "practice": "练习"}
TYPES = {"单选": "single", "多选": "multiple", "判断": "judge"}
TYPES |= {f"{name}题": kind for name, kind in TYPES.items()} | {k: k for k in TYPES.values()}
TYPE_NAMES = {"single": "单选", "multiple": "多选", "judge": "判断"}
JUDGE_OPTIONS = ({"key": "A", "text": "正确"}, {"key": "B", "text": "错误"})
JUDGE_ANSWERS = {"A": "A", "B": "B", "对": "A", "错": "B", "正确": "A", "错误": "B"}
JUDGE_ANSWERS |= {"√": "A", "×": "B", "T": "A", "F": "B"}
TOPICS_BY_NAME = {name: topic for topic, name in TOPIC_NAMES.items()}
DIGITS = "零一二三四五六七八九"
# Which column an error of the question's own checks is about, by its field or its words.
FIELD_COLUMN = {
    "question_id": "题号",
    "type": "类型",
    "stem": "题干",
    "options": "选项A",
    "answer": "答案",
    "category": "分类",
    "points": "分值",
    "explanation": "解析",
    "topic": "主题",
    "difficulty": "难度",
    "lesson_id": "课程",
    "anchor": "条款",
}
WORD_COLUMN = (
    ("explanation", "解析"),
    ("topic", "主题"),
    ("anchor", "条款"),
    ("answer", "答案"),
    ("option", "选项A"),
)


@dataclass
class Sheet:
    """A filled template read: each valid row's question (as the JSON import takes it)
    with its row number, and every error found."""

    questions: list[dict[str, Any]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append({"row": row, "column": column, "error": message})


def read(data: bytes) -> Sheet:
    """Every row of the workbook's first sheet checked. openpyxl is imported here, not
    at the handler's import (most requests never read a workbook)."""
    from openpyxl import load_workbook

    sheet = Sheet()
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        sheet.error(1, "", "这不是 Excel 工作簿（.xlsx）：请用题库模板填写后上传")
        return sheet
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = next(rows, None) or ()
    where = {_name(cell): i for i, cell in enumerate(header) if _name(cell)}
    missing = [name for name in REQUIRED if name not in where]
    for name in missing:
        sheet.error(1, name, f"缺少“{name}”列：请使用题库模板的表头")
    if missing:
        return sheet
    filled = 0
    for number, values in enumerate(rows, start=2):
        cells = {name: _text(values[i]) if i < len(values) else "" for name, i in where.items()}
        if not any(cells.values()):
            continue
        filled += 1
        if filled > MAX_ROWS:
            sheet.questions, sheet.rows = [], []
            sheet.error(number, "", f"一次最多导入 {MAX_ROWS} 道题：请分成几个文件")
            break
        _row(sheet, number, cells)
    book.close()
    if not filled and not sheet.errors:
        sheet.error(2, "", "模板中没有题目：从第 2 行起每行一道题")
    _unique_ids(sheet)
    return sheet


def _row(sheet: Sheet, number: int, cells: dict[str, str]) -> None:
    before = len(sheet.errors)
    question: dict[str, Any] = {}
    if cells.get("题号"):
        question["question_id"] = cells["题号"]
    pool = POOLS.get(cells.get("题库") or "考试")
    if pool is None:
        sheet.error(number, "题库", f"题库应为 考试 或 练习，而不是“{cells['题库']}”")
    question["pool"] = pool or "exam"
    kind = TYPES.get(cells["类型"])
    if kind is None:
        sheet.error(number, "类型", f"类型应为 单选、多选 或 判断，而不是“{cells['类型']}”")
    question["type"] = kind
    if not cells["题干"]:
        sheet.error(number, "题干", "题干为空")
    question["stem"] = cells["题干"]
    if kind == "judge":
        _judge(sheet, number, cells, question)
    else:
        _choice(sheet, number, cells, question)
    _extras(sheet, number, cells, question)
    if len(sheet.errors) > before:
        return
    try:
        # A new question is numbered on import; its checks need some id meanwhile.
        Question.model_validate({"question_id": "new", **question})
    except ValidationError as exc:
        for err in exc.errors():
            sheet.error(number, _column_of(err), _message(err))
        return
    sheet.questions.append(question)
    sheet.rows.append(number)


def _choice(sheet: Sheet, number: int, cells: dict[str, str], question: dict[str, Any]) -> None:
    options = [
        {"key": letter, "text": cells.get(f"选项{letter}", "")}
        for letter in LETTERS
        if cells.get(f"选项{letter}")
    ]
    if len(options) < 2:
        sheet.error(number, "选项A", "至少需要两个选项（选项A、选项B…）")
    question["options"] = options
    letters = re.sub(r"[\s,，、;；]", "", cells["答案"]).upper()
    if not letters:
        sheet.error(number, "答案", "答案为空：填选项的字母，如 A 或 AC")
    elif not re.fullmatch(f"[{LETTERS}]+", letters):
        sheet.error(number, "答案", f"答案应为选项的字母（A–F），而不是“{cells['答案']}”")
    else:
        keys = {o["key"] for o in options}
        stray = [letter for letter in letters if letter not in keys]
        if stray:
            sheet.error(number, "答案", f"答案 {''.join(stray)} 不在已填写的选项中")
    question["answer"] = sorted(set(letters))


def _judge(sheet: Sheet, number: int, cells: dict[str, str], question: dict[str, Any]) -> None:
    """A 判断 question's options are always A 正确 and B 错误 (blank, or as exported)."""
    for option in JUDGE_OPTIONS:
        given = cells.get(f"选项{option['key']}", "")
        if given and given != option["text"]:
            sheet.error(
                number,
                f"选项{option['key']}",
                f"判断题的选项{option['key']}固定为“{option['text']}”（可留空）",
            )
    if any(cells.get(f"选项{letter}") for letter in LETTERS[2:]):
        sheet.error(number, "选项C", "判断题只有两个选项：A 正确、B 错误")
    question["options"] = [dict(option) for option in JUDGE_OPTIONS]
    answer = JUDGE_ANSWERS.get(cells["答案"].strip().upper())
    if answer is None:
        sheet.error(
            number, "答案", f"判断题的答案应为 A（正确）或 B（错误），而不是“{cells['答案']}”"
        )
    question["answer"] = [answer or "A"]


def _extras(sheet: Sheet, number: int, cells: dict[str, str], question: dict[str, Any]) -> None:
    topic = cells.get("主题", "")
    if topic:
        known = TOPICS_BY_NAME.get(topic) or (topic if topic in TOPIC_NAMES else None)
        if known is None:
            sheet.error(number, "主题", f"没有主题“{topic}”：请从下拉列表中选择")
        question["topic"] = known
    for name, key in (("难度", "difficulty"), ("分值", "points")):
        if cells.get(name):
            if not re.fullmatch(r"[0-9]{1,3}", cells[name]):
                sheet.error(number, name, f"{name}应为整数，而不是“{cells[name]}”")
            else:
                question[key] = int(cells[name])
    for name, key in (("课程", "lesson_id"), ("解析", "explanation"), ("分类", "category")):
        if cells.get(name):
            question[key] = cells[name]
    if cells.get("条款"):
        anchor = anchor_of(cells["条款"])
        if anchor is None:
            sheet.error(number, "条款", f"条款应写作“第12条”，而不是“{cells['条款']}”")
        question["anchor"] = anchor


def _unique_ids(sheet: Sheet) -> None:
    first: dict[str, int] = {}
    for question, number in zip(sheet.questions, sheet.rows, strict=True):
        question_id = question.get("question_id")
        if not question_id:
            continue
        if question_id in first:
            sheet.error(number, "题号", f"题号 {question_id} 与第 {first[question_id]} 行重复")
        else:
            first[question_id] = number
    sheet.errors.sort(key=lambda e: (e["row"], e["column"]))


def keep_judge_keys(question: dict[str, Any], stored: dict[str, Any]) -> None:
    """A 判断 row's A/B read with the keys its stored question has (T/F, say), by their
    text: so that an unchanged row is the same question, not a new version."""
    if question.get("type") != "judge" or stored.get("type") != "judge":
        return
    key_of = {str(o["text"]): str(o["key"]) for o in stored.get("options", [])}
    if set(key_of) != {"正确", "错误"}:
        return
    text_of = {o["key"]: o["text"] for o in question["options"]}
    question["options"] = [
        {"key": str(o["key"]), "text": str(o["text"])} for o in stored["options"]
    ]
    question["answer"] = sorted(key_of[text_of[key]] for key in question["answer"])


def anchor_of(text: str) -> str | None:
    """第12条 / 第十二条 → art-12; an anchor as the lessons write it passes as it is."""
    text = text.strip()
    if re.fullmatch(r"(s|art)-[1-9][0-9]{0,3}(-[2-9][0-9]?)?", text):
        return text
    found = re.fullmatch(r"第\s*([0-9]+|[零一二三四五六七八九十百千]+)\s*条", text)
    if not found:
        return None
    number = _number(found.group(1))
    return f"art-{number}" if number and 0 < number < 10000 else None


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char in DIGITS:
            digit = DIGITS.index(char)
        else:
            unit = {"十": 10, "百": 100, "千": 1000}[char]
            total += (digit or 1) * unit
            digit = 0
    return total + digit


def _name(cell: Any) -> str:
    return re.split(r"[(（]", str(cell or "").strip(), maxsplit=1)[0].strip()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _column_of(err: Any) -> str:
    loc = err.get("loc") or ()
    if loc and loc[0] in FIELD_COLUMN:
        return FIELD_COLUMN[str(loc[0])]
    message = str(err.get("msg", ""))
    return next((column for word, column in WORD_COLUMN if word in message), "")


def _message(err: Any) -> str:
    return str(err.get("msg", "invalid")).removeprefix("Value error, ")


# --- writing ----------------------------------------------------------------------


def template() -> bytes:
    """The empty template: its header, a dropdown per closed list, and the 说明 sheet."""
    return workbook([], example=True)


def workbook(items: list[dict[str, Any]], *, example: bool = False) -> bytes:
    """Questions (stored items or questions) in the template's columns."""
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("题库")
    head = book.add_format({"bold": True, "bg_color": "#E8F0FE", "border": 1})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    for col, (_, title, width) in enumerate(COLUMNS):
        sheet.write_string(0, col, title, head)
        sheet.set_column(col, col, width, wrap if width >= 40 else None)
    last = max(len(items), MAX_ROWS) + 1
    _dropdown(sheet, "题库", last, list(POOL_NAMES.values()))
    _dropdown(sheet, "类型", last, list(TYPE_NAMES.values()))
    _dropdown(sheet, "主题", last, list(TOPIC_NAMES.values()))
    _dropdown(sheet, "难度", last, ["1", "2", "3"])
    for r, item in enumerate(items, start=1):
        for col, value in enumerate(_cells(item)):
            if value != "":
                sheet.write_string(r, col, value)
    sheet.freeze_panes(1, 0)
    _instructions(book, head, wrap, example)
    book.close()
    return out.getvalue()


def _dropdown(sheet: Any, name: str, last: int, choices: list[str]) -> None:
    col = [c[0] for c in COLUMNS].index(name)
    sheet.data_validation(
        1,
        col,
        last,
        col,
        {
            "validate": "list",
            "source": choices,
            "error_title": name,
            "error_message": "请从下拉列表中选择",
        },
    )


def _cells(item: dict[str, Any]) -> list[str]:
    options = {str(o["key"]): str(o["text"]) for o in item.get("options", [])}
    answer = "".join(item.get("answer", []))
    if item.get("type") == "judge":
        # Whatever its keys (the demo's are T and F), a 判断 row says A 正确, B 错误.
        said = options.get(answer, "")
        options = {"A": "正确", "B": "错误"}
        answer = "A" if said in ("正确", "对", "√", "") else "B"
    anchor = str(item.get("anchor") or "")
    article = re.fullmatch(r"art-([0-9]+)", anchor)
    by_name = {
        "题号": str(item.get("question_id") or ""),
        "题库": POOL_NAMES.get(str(item.get("pool") or "exam"), "考试"),
        "类型": TYPE_NAMES.get(str(item.get("type")), ""),
        "题干": str(item.get("stem") or ""),
        **{f"选项{letter}": options.get(letter, "") for letter in LETTERS},
        "答案": answer,
        "主题": TOPIC_NAMES.get(str(item.get("topic") or ""), ""),
        "难度": str(item.get("difficulty") or ""),
        "分值": str(item.get("points") or ""),
        "课程": str(item.get("lesson_id") or ""),
        "条款": f"第{article.group(1)}条" if article else anchor,
        "解析": str(item.get("explanation") or ""),
        "分类": str(item.get("category") or ""),
    }
    return [by_name[name] for name, _, _ in COLUMNS]


EXAMPLE = {
    "pool": "practice",
    "type": "multiple",
    "stem": "根据《中华人民共和国宪法》，下列属于公民基本权利的有（ ）。",
    "options": [
        {"key": "A", "text": "选举权和被选举权"},
        {"key": "B", "text": "宗教信仰自由"},
        {"key": "C", "text": "依法纳税"},
        {"key": "D", "text": "受教育的权利"},
    ],
    "answer": ["A", "B", "D"],
    "topic": "constitution",
    "difficulty": 2,
    "points": 2,
    "anchor": "art-34",
    "lesson_id": "l-constitution-1",
    "explanation": (
        "依法纳税是公民的基本义务，不是权利；其余三项见宪法第三十四条、第三十六条、第四十六条。"
    ),
    "category": "宪法",
}

RULES = (
    ("题号", "留空：新题，由系统编号。填写已有题号：更新该题（作为新版本；内容未变的行不变）。"),
    ("题库", "考试（抽入试卷）或 练习（练习时即显示答案与解析）。留空为考试。"),
    ("类型", "单选、多选 或 判断。"),
    ("题干", "必填。"),
    ("选项A…选项F", "单选、多选至少填两个选项；判断题的选项固定为 A 正确、B 错误，可留空。"),
    (
        "答案",
        (
            "选项的字母，如 A 或 AC（多选至少两个）；"
            "判断题填 A（正确）或 B（错误），也可填 对 / 错。"
        ),
    ),
    ("主题", "从下拉列表中选择；练习题必填。"),
    ("难度", "1（易）到 3（难），留空为 2。"),
    ("分值", "每题的分数，留空为 2。"),
    ("课程 / 条款", "练习题所讲的课程（lesson_id）与条款（如 第12条）；填条款须填课程。"),
    ("解析", "练习题必填：答题后即显示。"),
    ("分类", "试卷按分类抽题时使用，留空为 general。"),
    (
        "导入",
        (
            "整份文件一起检查：任何一行有误，一道题也不导入，并按行、列列出错误。"
            f"每次最多 {MAX_ROWS} 行。"
        ),
    ),
    (
        "修改与停用",
        (
            "考试题只能在考试开始前修改；练习题随时可改。"
            "停用的题不再抽入试卷或用于练习，已发出的试卷不变。"
        ),
    ),
)


def _instructions(book: Any, head: Any, wrap: Any, example: bool) -> None:
    notes = book.add_worksheet("说明")
    notes.set_column(0, 0, 14)
    notes.set_column(1, 1, 90, wrap)
    notes.write_string(0, 0, "列", head)
    notes.write_string(0, 1, "怎么填", head)
    for r, (name, rule) in enumerate(RULES, start=1):
        notes.write_string(r, 0, name)
        notes.write_string(r, 1, rule)
    if not example:
        return
    first = len(RULES) + 3
    notes.write_string(first - 1, 0, "示例（复制到“题库”表第 2 行起）：", head)
    for col, (_, title, _) in enumerate(COLUMNS):
        notes.write_string(first, col, title, head)
    for col, value in enumerate(_cells(EXAMPLE)):
        notes.write_string(first + 1, col, value)
