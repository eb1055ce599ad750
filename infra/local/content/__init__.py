"""The demo study content (#26.6): courses, lessons, their attention checks, the video's
files and the PDF's source, read from this folder into plain typed values.

The formats are the shared spec's (/work/tools/content-spec.md, "Demo content files"):
courses.json, lessons/<lesson_id>.md (a `key: value` front matter between `---` lines, then
the Markdown body or a short description), checks.json, media/<lesson_id>/ for a video
(360.mp4, 720.mp4, poster.jpg, zh.vtt and media.json with the duration and bitrates that
make_video.py measured) and documents/<lesson_id>.md for a PDF that document.py draws at
seed time. Nothing here touches the table: the seeder turns these values into lessons.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent
KINDS = ("article", "video", "document")
TOPICS = ("xi_rule_of_law", "constitution", "legal_system", "party_rules", "yunnan", "seventh_plan")
# A legal article written as a heading: 第十二条 / 第12条 at the start of a line (after any
# Markdown heading marks), as the spec's anchor rule reads it.
ARTICLE_LINE = re.compile(r"^(?:#{1,6}\s*)?第([零〇一二两三四五六七八九十百千\d]+)条", re.MULTILINE)
DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}


class ContentError(ValueError):
    """A content file that does not follow the format, named with what is wrong."""


@dataclass(frozen=True)
class Check:
    stem: str
    options: tuple[str, ...]
    answer: int
    # "<lesson_id>-<n>", n from 1 in the file's order: stable while checks are only appended
    check_id: str = ""


@dataclass(frozen=True)
class Rendition:
    path: Path
    height: int
    bitrate_kbps: int


@dataclass(frozen=True)
class Video:
    renditions: tuple[Rendition, ...]
    poster: Path
    captions: Path
    duration_s: int


@dataclass(frozen=True)
class Lesson:
    lesson_id: str
    title: str
    kind: str
    course_id: str
    credits: int
    needed_seconds: int
    body_markdown: str
    checks: tuple[Check, ...]
    video: Video | None = None
    document_source: Path | None = None


@dataclass(frozen=True)
class Course:
    course_id: str
    title: str
    summary: str
    topic: str
    lessons: tuple[str, ...]


@dataclass(frozen=True)
class Content:
    courses: tuple[Course, ...]
    lessons: dict[str, Lesson]


def chinese_number(text: str) -> int:
    """第十二条 → 12, 第一百零五条 → 105, 第12条 → 12."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char in UNITS:
            total += (digit or 1) * UNITS[char]
            digit = 0
        elif char in DIGITS:
            digit = DIGITS[char]
        else:
            raise ContentError(f"not a number: {text}")
    return total + digit


def article_numbers(body: str) -> list[int]:
    """The legal articles a body writes as headings, in order (each becomes art-<n>)."""
    return [chinese_number(found) for found in ARTICLE_LINE.findall(body)]


def split_front_matter(text: str, name: str) -> tuple[dict[str, str], str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (line.strip() for line in lines[1:]):
        raise ContentError(f"{name}: front matter between --- lines is missing")
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    fields = {}
    for line in lines[1:end]:
        key, sep, value = line.partition(":")
        if not sep:
            raise ContentError(f"{name}: front matter line without a colon: {line!r}")
        fields[key.strip()] = value.strip()
    return fields, "\n".join(lines[end + 1 :]).strip() + "\n"


def read_checks(raw: object, lesson_id: str) -> tuple[Check, ...]:
    if not isinstance(raw, list):
        raise ContentError(f"checks.json: {lesson_id} has no list of checks")
    checks = []
    for number, item in enumerate(raw, start=1):
        options = tuple(str(option) for option in item["options"])
        answer = int(item["answer"])
        if not 3 <= len(options) <= 4 or not 0 <= answer < len(options):
            raise ContentError(f"checks.json: {lesson_id}: {item['stem']!r} is malformed")
        check_id = f"{lesson_id}-{number}"
        checks.append(Check(str(item["stem"]), options, answer, check_id))
    return tuple(checks)


def read_video(folder: Path) -> Video:
    meta = json.loads((folder / "media.json").read_text(encoding="utf-8"))
    renditions = tuple(
        Rendition(folder / r["file"], int(r["height"]), int(r["bitrate_kbps"]))
        for r in meta["renditions"]
    )
    return Video(
        renditions=renditions,
        poster=folder / meta["poster"],
        captions=folder / meta["captions"],
        duration_s=int(meta["duration_s"]),
    )


def read_lesson(path: Path, checks: dict[str, object], root: Path) -> Lesson:
    fields, body = split_front_matter(path.read_text(encoding="utf-8"), path.name)
    lesson_id = path.stem
    missing = {"title", "kind", "course", "credits", "needed_seconds"} - fields.keys()
    if missing or fields["kind"] not in KINDS:
        raise ContentError(f"{path.name}: missing {sorted(missing)} or a bad kind")
    kind = fields["kind"]
    document = root / "documents" / f"{lesson_id}.md"
    return Lesson(
        lesson_id=lesson_id,
        title=fields["title"],
        kind=kind,
        course_id=fields["course"],
        credits=int(fields["credits"]),
        needed_seconds=int(fields["needed_seconds"]),
        body_markdown=body,
        checks=read_checks(checks.get(lesson_id), lesson_id),
        video=read_video(root / "media" / lesson_id) if kind == "video" else None,
        document_source=document if kind == "document" else None,
    )


def read_courses(root: Path) -> tuple[Course, ...]:
    raw = json.loads((root / "courses.json").read_text(encoding="utf-8"))
    courses = []
    for item in raw:
        if item["topic"] not in TOPICS:
            raise ContentError(f"courses.json: {item['course_id']} has topic {item['topic']!r}")
        courses.append(
            Course(
                course_id=item["course_id"],
                title=item["title"],
                summary=item["summary"],
                topic=item["topic"],
                lessons=tuple(item["lessons"]),
            )
        )
    return tuple(courses)


def load(root: Path = ROOT) -> Content:
    """Every course and lesson in the folder; a lesson is listed in course order."""
    checks = json.loads((root / "checks.json").read_text(encoding="utf-8"))
    lessons = {
        path.stem: read_lesson(path, checks, root)
        for path in sorted((root / "lessons").glob("*.md"))
    }
    return Content(courses=read_courses(root), lessons=lessons)
