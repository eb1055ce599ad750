"""What scripts leave behind, for a person to judge (#26, point 5).

Signals, counted per learner as progress reports land (a write only when one fires):
- `fast_checks`: an attention check answered within a second of being asked;
- `regular_reports`: six report intervals in a row within 200 ms of each other (the web
  app reports on visibility changes and with a jitter, so a person's spacing varies);
- `night_study`: time credited between 00:00 and 05:00 Asia/Shanghai (once a session);
- `shared_device`: the progress report's `device_id` seen for three learners or more.
Never a penalty: the city admin sees the list (and each account's credits) and decides.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xuefa.core.auth import Actor, in_subtree
from xuefa.core.clock import SHANGHAI, Clock
from xuefa.credits.attention import Outcome
from xuefa.credits.content_views import Review, ReviewItem, Signal
from xuefa.credits.review_repository import Flagged
from xuefa.credits.views import StudySession
from xuefa.roster.directory import Directory

FAST_CHECK_MS = 1000
REGULAR_SPREAD_MS = 200
REGULAR_RUN = 6
NIGHT_UNTIL_HOUR = 5
SHARED_DEVICE_LEARNERS = 3
KEPT_INTERVALS = 8
DETAILS = {
    "fast_checks": "{n} 次注意力检查在 1 秒内作答",
    "regular_reports": "{n} 个学习会话的进度上报间隔几乎完全一致",
    "night_study": "{n} 个学习会话在凌晨 0–5 点计时",
    "shared_device": "{detail}",
}
COLUMNS = [("student_no", "学号"), ("name", "姓名"), ("unit_id", "单位"), ("credits", "积分"),
           ("signals", "信号")]  # fmt: skip


@dataclass(frozen=True)
class Fired:
    code: str
    detail: str


def session_signals(
    session: StudySession, outcome: Outcome, now_ms: int, device_id: str | None, clock: Clock
) -> tuple[dict[str, Any], list[Fired]]:
    """What the session item keeps for the signals, and the signals this report fires."""
    assert session.last_report_ms is not None
    intervals = [*session.intervals, now_ms - session.last_report_ms][-KEPT_INTERVALS:]
    flags = list(session.flags)
    fired: list[Fired] = []
    if (
        outcome.cleared
        and session.check_issued_ms
        and now_ms - session.check_issued_ms < FAST_CHECK_MS
    ):
        fired.append(Fired("fast_checks", f"{now_ms - session.check_issued_ms} ms"))
    run = intervals[-REGULAR_RUN:]
    if len(run) == REGULAR_RUN and max(run) - min(run) <= REGULAR_SPREAD_MS:
        fired.append(Fired("regular_reports", f"{sum(run) // len(run)} ms"))
    hour = datetime.fromtimestamp(now_ms / 1000, SHANGHAI).hour
    if outcome.credited > 0 and hour < NIGHT_UNTIL_HOUR:
        fired.append(Fired("night_study", f"{hour}:00"))
    fired = [f for f in fired if f.code == "fast_checks" or f.code not in flags]
    flags += [f.code for f in fired if f.code != "fast_checks"]
    extra: dict[str, Any] = {"intervals": intervals, "flags": flags}
    if outcome.issued:
        extra["check_issued_ms"] = now_ms
    if device_id and not session.device_id:
        extra["device_id"] = device_id
    return extra, fired


class Reviewer:
    def __init__(self, records: Any, directory: Directory):
        self.records = records
        self.directory = directory

    def record(self, session: StudySession, fired: list[Fired], device_id: str | None) -> None:
        profile = {"student_no": session.student_no, "unit_id": session.unit_id or ""}
        for signal in fired:
            self.records.flag(session.year, profile, signal.code, signal.detail)
        if device_id and not session.device_id:
            seen = self.records.device_seen(session.year, device_id, session.student_no)
            if seen >= SHARED_DEVICE_LEARNERS:
                detail = f"同一设备（{device_id[:8]}…）用于 {seen} 名学员"
                self.records.flag(session.year, profile, "shared_device", detail)

    def list(self, actor: Actor, year: int, unit_id: str | None) -> Review:
        city = self.directory.city_admin(actor)
        scope = self.directory.unit(unit_id) if unit_id else city
        rows = self.records.flagged(year)
        profiles, credits = self.records.profiles_and_results(year, [r.student_no for r in rows])
        items = []
        for row in rows:
            no = row.student_no
            profile = profiles.get(no, {})
            if not in_subtree(str(profile.get("unit_path", "")), scope.path):
                continue
            items.append(
                ReviewItem(
                    student_no=no,
                    name=str(profile.get("name", "")),
                    unit_id=str(profile.get("unit_id", row.unit_id)),
                    credits=credits.get(no, 0),
                    signals=_signals(row),
                )
            )
        items.sort(key=lambda i: (-len(i.signals), i.student_no))
        return Review(items=items)


def _signals(row: Flagged) -> list[Signal]:
    signals = []
    for code, text in DETAILS.items():
        count = row.counts.get(code, 0)
        if count:
            detail = text.format(n=count, detail=row.details.get(code, ""))
            signals.append(Signal(code=code, detail=detail))
    return signals


def review_file(review: Review, file_format: str) -> tuple[bytes, str]:
    """The list as a CSV (UTF-8 with a BOM, for Excel) or an XLSX workbook."""
    rows = [
        [i.student_no, i.name, i.unit_id, i.credits, "；".join(s.detail for s in i.signals)]
        for i in review.items
    ]
    titles = [title for _, title in COLUMNS]
    if file_format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(titles)
        # Text cells that a spreadsheet could take for a formula are quoted as text.
        writer.writerows([[f"'{c}" if str(c)[:1] in "=+-@" else c for c in r] for r in rows])
        return out.getvalue().encode("utf-8-sig"), "text/csv; charset=utf-8"
    return _xlsx(titles, rows), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx(titles: list[str], rows: list[list[Any]]) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = workbook.add_worksheet("复核名单")
    bold = workbook.add_format({"bold": True})
    for col, title in enumerate(titles):
        sheet.write_string(0, col, title, bold)
    for r, row in enumerate(rows, 1):
        for col, value in enumerate(row):
            if isinstance(value, int):
                sheet.write_number(r, col, value)
            else:
                sheet.write_string(r, col, str(value))
    sheet.freeze_panes(1, 0)
    workbook.close()
    return out.getvalue()
