"""Certificates (合格证明) of a passed, closed study year: a one-page PDF rendered from the
frozen archive and nothing else, carrying a code anyone can check (`/reports/verify/…`)
and a QR code of that address.

Codes are 20 characters of Crockford's base32 (100 random bits; no I, L, O or U to
misread), shown in groups of four. reportlab's built-in CID font STSong-Light draws the
Chinese text, so the package carries no font file.
"""

from __future__ import annotations

import io
import re
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 20
# As a client may type it: any case, with or without the dashes between groups.
CODE_PATTERN = r"^[0-9A-Za-z]{4}(-?[0-9A-Za-z]{4}){4}$"
FONT = "STSong-Light"


def certificate_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def shown_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def canonical_code(text: str) -> str | None:
    """The stored form of a code as typed (O read as 0, I and L as 1), or None."""
    if not re.fullmatch(CODE_PATTERN, text):
        return None
    code = text.replace("-", "").upper().translate(str.maketrans("OIL", "011"))
    return code if all(c in ALPHABET for c in code) else None


def masked_name(name: str) -> str:
    """张*华, 李*: enough for the person to recognise, too little to look anyone up."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def _figure(value: Any) -> str:
    number = float(value)
    return f"{number:.2f}".rstrip("0").rstrip(".")


def render_certificate(record: Mapping[str, Any], issuer: str, verify_url: str) -> bytes:
    """The PDF of a frozen, passed year (`record` as the archive holds it)."""
    return render_certificates([(record, verify_url)], issuer, str(record["student_no"]))


def render_certificates(
    certified: Sequence[tuple[Mapping[str, Any], str]], issuer: str, subject: str
) -> bytes:
    """One PDF, a page a certificate (a unit's, for its administrator to print)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, pageCompression=1)
    year = certified[0][0]["year"] if certified else ""
    page.setTitle(f"{year}年度学法考试合格证明 {subject}")
    page.setAuthor(issuer)
    for record, verify_url in certified:
        _page(page, record, issuer, verify_url)
    page.save()
    return out.getvalue()


def _page(page: Any, record: Mapping[str, Any], issuer: str, verify_url: str) -> None:
    from reportlab.lib.pagesizes import A4

    width, height = A4
    page.setLineWidth(2)
    page.rect(40, 40, width - 80, height - 80)
    page.setFont(FONT, 30)
    page.drawCentredString(width / 2, height - 150, "合格证明")
    page.setFont(FONT, 14)
    y = height - 230
    for line in _statement(record):
        page.drawString(90, y, line)
        y -= 32
    page.drawRightString(width - 90, 250, issuer)
    page.drawRightString(width - 90, 222, str(record["closed_at"])[:10])
    _qr_code(page, verify_url, (90, 140), 96)
    page.setFont(FONT, 10)
    page.drawString(90, 118, f"验证码：{shown_code(str(record['certificate']))}")
    page.drawString(90, 100, f"验证网址：{verify_url}")
    page.showPage()


def _statement(record: Mapping[str, Any]) -> list[str]:
    return [
        f"姓名：{record['name']}",
        f"学号：{record['student_no']}",
        f"单位：{record['unit']}",
        f"年度：{record['year']}年度",
        f"年度学法成绩：{_figure(record['total'])}分"
        f"（日常学法成绩{_figure(record['credit_score'])}分，"
        f"考试成绩{_figure(record['exam_score'])}分）",
        "",
        f"该同志参加{record['year']}年度网络在线学法用法及考试，",
        "成绩合格，特此证明。",
    ]


def _qr_code(page: Any, text: str, at: tuple[float, float], size: float) -> None:
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    qr = QrCodeWidget(text)
    left, bottom, right, top = qr.getBounds()
    scale = [size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    drawing = Drawing(size, size, transform=scale)
    drawing.add(qr)
    renderPDF.draw(drawing, page, *at)
