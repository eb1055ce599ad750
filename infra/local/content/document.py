"""The demo PDF lesson (#26.6), drawn at seed time from documents/<lesson_id>.md with
reportlab (already the product's dependency for certificates) and its built-in CID font
STSong-Light, so no font file ships.

The source is a small Markdown subset: `# ` the title (the cover page, with the paragraphs
under it), `## ` a section (each starts a new page), and plain paragraphs; the page count
is therefore the cover plus one page a section, as long as a section fits on its page.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent
FONT = "STSong-Light"


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


def _styles() -> dict[str, Any]:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    base = {"fontName": FONT, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle("title", fontSize=24, leading=34, spaceBefore=180, **base),
        "section": ParagraphStyle("section", fontSize=18, leading=26, spaceAfter=14, **base),
        "body": ParagraphStyle(
            "body", fontSize=12.5, leading=22, firstLineIndent=25, spaceAfter=8, **base
        ),
    }


def _flowables(source: str) -> list[Any]:
    from reportlab.platypus import PageBreak, Paragraph

    styles = _styles()
    story: list[Any] = []
    for block in (part.strip() for part in source.split("\n\n")):
        if block.startswith("## "):
            story += [PageBreak(), Paragraph(block[3:], styles["section"])]
        elif block.startswith("# "):
            story.append(Paragraph(block[2:], styles["title"]))
        elif block:
            story.append(Paragraph(" ".join(block.splitlines()), styles["body"]))
    return story


def render_source(source: str, title: str) -> Rendered:
    """The PDF of a source text, with a page number at each page's foot."""
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    pages = [0]

    def foot(canvas: Any, doc: Any) -> None:
        pages[0] = doc.page
        canvas.setFont(FONT, 9)
        canvas.drawCentredString(A4[0] / 2, 30, f"— {doc.page} —")

    doc = SimpleDocTemplate(out, pagesize=A4, title=title, author="学法", leftMargin=64)
    doc.rightMargin = 64
    doc.build(_flowables(source), onFirstPage=foot, onLaterPages=foot)
    return Rendered(pdf=out.getvalue(), pages=pages[0])


def render(lesson_id: str, root: Path = ROOT) -> Rendered:
    """The document lesson's PDF; its title is the source's first line."""
    source = (root / "documents" / f"{lesson_id}.md").read_text(encoding="utf-8")
    return render_source(source, source.splitlines()[0].lstrip("# ").strip())
