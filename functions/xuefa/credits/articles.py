"""An article lesson's body: Markdown in, sanitized HTML and its sections out.

markdown-it-py renders CommonMark with raw HTML off; nh3 (ammonia) then keeps only a
small safe set of tags, attributes and URL schemes, so neither a pasted `<script>`,
an `onerror=` nor a `javascript:` link reaches a learner's page, whatever the author
(or a stolen admin session) wrote. Headings get anchors `s-<n>`; a heading or a
paragraph that opens with a legal article (第十二条, 第12条) gets `art-<12>`, so other
things (a check, a question's explanation) can link to 第十二条 of the lesson.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

ALLOWED_TAGS = {
    "h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "strong", "em", "del", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"*": {"id"}, "a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}
ARTICLE = re.compile(r"^\s*第([零〇一二两三四五六七八九十百千\d]+)条")
DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6}
DIGITS |= {"七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    level: int


@dataclass(frozen=True)
class Rendered:
    html: str
    sections: list[Section]


def chinese_number(text: str) -> int:
    """十二 → 12, 一百零三 → 103, 二十 → 20, 12 → 12."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char in DIGITS:
            digit = DIGITS[char]
        else:
            total += (digit or 1) * UNITS[char]
            digit = 0
    return total + digit


def article_number(text: str) -> int | None:
    match = ARTICLE.match(text)
    return chinese_number(match[1]) if match else None


@cache
def _parser() -> Any:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render(markdown: str) -> Rendered:
    """The article's safe HTML with anchors, and its sections in order."""
    tokens = _parser().parse(markdown)
    sections = _anchor(tokens)
    html = _parser().renderer.render(tokens, _parser().options, {})
    return Rendered(html=sanitize(html), sections=sections)


def sanitize(html: str) -> str:
    """Only the safe subset: no script or style (content and all), no event handlers,
    no style attributes, no javascript: or data: URLs."""
    import nh3

    return str(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            clean_content_tags={"script", "style"},
            link_rel="noopener noreferrer",
        )
    )


def _anchor(tokens: list[Any]) -> list[Section]:
    """Give headings and article paragraphs their ids (on the token, before rendering)."""
    sections: list[Section] = []
    used: set[str] = set()
    headings, level = 0, 1
    for i, token in enumerate(tokens):
        if token.type not in ("heading_open", "paragraph_open") or i + 1 >= len(tokens):
            continue
        text = tokens[i + 1].content.strip()
        number = article_number(text)
        if token.type == "heading_open":
            headings += 1
            level = int(token.tag[1])
            anchor, title, at = f"s-{headings}", text, level
        elif number is not None:
            anchor, title, at = "", ARTICLE.match(text)[0].strip(), min(level + 1, 6)  # type: ignore[index]
        else:
            continue
        if number is not None:
            anchor = _unique(f"art-{number}", used)
        used.add(anchor)
        token.attrSet("id", anchor)
        sections.append(Section(anchor=anchor, title=title[:80], level=at))
    return sections


def _unique(anchor: str, used: set[str]) -> str:
    """The same article cited twice keeps its first anchor; the next gets `-2`."""
    if anchor not in used:
        return anchor
    n = 2
    while f"{anchor}-{n}" in used:
        n += 1
    return f"{anchor}-{n}"
