"""The demo PDF lesson (#26.6) renders at seed time: a real PDF of three to six pages, the
count it reports is the count a reader finds, and its Chinese text comes out as text (a
learner's reader can search and select it; a font fallback would give boxes)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from infra.local import content
from infra.local.content import document

DOCUMENT_IDS = sorted(
    i for i, lesson in content.load().lessons.items() if lesson.kind == "document"
)


def test_there_is_one_document_lesson_with_its_source() -> None:
    assert DOCUMENT_IDS == ["r-qw-02"]
    lesson = content.load().lessons["r-qw-02"]
    assert lesson.document_source is not None and lesson.document_source.is_file()


def test_the_document_renders_to_three_to_six_pages_as_reported() -> None:
    rendered = document.render("r-qw-02")
    assert rendered.pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(rendered.pdf))
    assert 3 <= len(reader.pages) <= 6
    assert rendered.pages == len(reader.pages)
    assert reader.metadata is not None and "学法用法" in str(reader.metadata.title)


def test_each_section_starts_its_own_page_in_readable_chinese() -> None:
    reader = PdfReader(io.BytesIO(document.render("r-qw-02").pdf))
    texts = [page.extract_text() for page in reader.pages]
    assert "关于完善国家工作人员学法用法制度的意见" in texts[0]
    headings = ["一、为什么要完善学法用法制度", "二、学什么", "三、怎样学", "四、怎样考"]
    for number, heading in enumerate(headings, start=1):
        assert heading in texts[number]
    assert "宪法第二十七条" in "".join(texts)


def test_a_section_too_long_for_a_page_still_renders_and_counts_its_pages() -> None:
    long = "# 标题\n\n" + "\n\n".join(["## 一节", *["很长的一段文字。" * 40] * 12])
    rendered = document.render_source(long, "标题")
    assert rendered.pages == len(PdfReader(io.BytesIO(rendered.pdf)).pages) > 2
