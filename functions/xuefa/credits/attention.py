"""Served time means attention (#26, point 4): what one progress report is worth.

A report says how long the page was visible since the last one and, for a video, which
stretches were played. The server credits the least of the wall-clock time since the
last accepted report, the visible time, and (video) the seconds played for the first
time; never beyond what the lesson needs, and nothing while a check is pending. Plain
values in, plain values out: the repository holds the result with a condition on the
session's last report, so two tabs (or a script firing in parallel) count once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

Segment = tuple[float, float]
# A session keeps at most this many merged played stretches (a learner who skips
# around a lot still has a small item; beyond it the oldest are joined).
MAX_SEGMENTS = 40


@dataclass(frozen=True)
class Attention:
    """A lesson session's accounting state, as the session item holds it."""

    served_seconds: int
    needed_seconds: int
    last_report_ms: int
    video: bool = False
    played: tuple[Segment, ...] = ()
    pending_check: str | None = None
    next_check_at: int = 0  # served seconds at which the next check is asked
    checks_issued: int = 0


@dataclass(frozen=True)
class Report:
    visible_ms: int
    played: Sequence[Segment] = ()
    answered: str | None = None  # the check id answered (any key clears it)


@dataclass(frozen=True)
class Outcome:
    state: Attention
    credited: int
    issued: str | None = None  # the check asked in this answer, if any
    cleared: bool = False

    @property
    def paused(self) -> bool:
        return self.state.pending_check is not None


def merge(segments: Sequence[Segment]) -> tuple[Segment, ...]:
    """Sorted, overlapping or touching stretches joined; empty or reversed ones dropped."""
    ordered = sorted((float(a), float(b)) for a, b in segments if b > a >= 0)
    joined: list[Segment] = []
    for start, end in ordered:
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], end))
        else:
            joined.append((start, end))
    while len(joined) > MAX_SEGMENTS:
        # Join the two closest neighbours: the gap between them counts as played, at
        # most a little; never more than a long skip.
        gaps = [joined[i + 1][0] - joined[i][1] for i in range(len(joined) - 1)]
        i = gaps.index(min(gaps))
        joined[i : i + 2] = [(joined[i][0], joined[i + 1][1])]
    return tuple(joined)


def length(segments: Sequence[Segment]) -> float:
    return sum(end - start for start, end in segments)


def newly_played(before: Sequence[Segment], report: Sequence[Segment]) -> float:
    """Seconds of `report` not played before (so replaying or skipping earns nothing)."""
    return length(merge([*before, *report])) - length(merge(before))


def account(
    state: Attention,
    report: Report,
    now_ms: int,
    every_s: int,
    checks: Sequence[str],
) -> Outcome:
    """The report's worth and the session's next state. `checks` are the lesson version's
    check ids, asked in turn every `every_s` seconds of served time."""
    wall_ms = max(0, now_ms - state.last_report_ms)
    # A report counted late (another container's clock a little behind) never moves the
    # last report back: the time between stays counted once.
    now_ms = max(now_ms, state.last_report_ms)
    if state.pending_check is not None:
        cleared = report.answered == state.pending_check
        after = replace(
            state,
            last_report_ms=now_ms,
            pending_check=None if cleared else state.pending_check,
        )
        # The paused time is gone either way: the count resumes from this answer.
        return Outcome(after, 0, cleared=cleared)
    candidates = [wall_ms / 1000, report.visible_ms / 1000]
    played = state.played
    if state.video:
        candidates.append(newly_played(state.played, report.played))
        played = merge([*state.played, *report.played])
    room = max(0, state.needed_seconds - state.served_seconds)
    credited = max(0, min(int(min(candidates)), room))
    served = state.served_seconds + credited
    after = replace(state, served_seconds=served, last_report_ms=now_ms, played=played)
    return _maybe_check(after, credited, every_s, checks)


def _maybe_check(state: Attention, credited: int, every_s: int, checks: Sequence[str]) -> Outcome:
    """Ask the next check once served time passes its mark, unless the lesson is done."""
    due = state.next_check_at or every_s
    if not checks or state.served_seconds < due or state.served_seconds >= state.needed_seconds:
        return Outcome(replace(state, next_check_at=due), credited)
    issued = checks[state.checks_issued % len(checks)]
    after = replace(
        state,
        pending_check=issued,
        next_check_at=state.served_seconds + every_s,
        checks_issued=state.checks_issued + 1,
    )
    return Outcome(after, credited, issued=issued)
