"""The rule of point 4 (#26) as plain code: what a progress report is worth; and the
article sanitizer."""

from __future__ import annotations

import pytest

from xuefa.credits.articles import article_number, render, sanitize
from xuefa.credits.attention import Attention, Report, account, merge, newly_played

START = 1_000_000_000_000  # ms
EVERY = 600
CHECKS = ["q1", "q2", "q3"]


def state(**changes: object) -> Attention:
    base = {"served_seconds": 0, "needed_seconds": 1200, "last_report_ms": START}
    return Attention(**{**base, **changes})  # type: ignore[arg-type]


def at(seconds: float) -> int:
    return START + int(seconds * 1000)


def test_a_hidden_page_earns_nothing() -> None:
    outcome = account(state(), Report(visible_ms=0), at(300), EVERY, CHECKS)
    assert (outcome.credited, outcome.state.served_seconds) == (0, 0)
    assert outcome.state.last_report_ms == at(300)  # the hidden time is gone


def test_a_report_claiming_more_than_the_wall_clock_earns_the_wall_clock() -> None:
    outcome = account(state(), Report(visible_ms=3_600_000), at(120), EVERY, CHECKS)
    assert outcome.credited == 120


def test_two_tabs_earn_once() -> None:
    first = account(state(), Report(visible_ms=300_000), at(300), EVERY, CHECKS)
    second = account(first.state, Report(visible_ms=300_000), at(301), EVERY, CHECKS)
    assert (first.credited, second.credited, second.state.served_seconds) == (300, 1, 301)


def test_a_video_skipped_ahead_earns_only_what_played_for_the_first_time() -> None:
    video = state(video=True, played=((0.0, 100.0),))
    skipped = Report(visible_ms=300_000, played=[(50, 110), (1190, 1200)])
    outcome = account(video, skipped, at(300), EVERY, CHECKS)
    assert outcome.credited == 20
    assert outcome.state.played == ((0.0, 110.0), (1190.0, 1200.0))
    replay = account(outcome.state, Report(300_000, [(0, 110)]), at(600), EVERY, CHECKS)
    assert replay.credited == 0


def test_never_beyond_what_the_lesson_needs() -> None:
    near = state(served_seconds=1100, next_check_at=1800)
    assert account(near, Report(300_000), at(300), EVERY, CHECKS).state.served_seconds == 1200


def test_an_unanswered_check_pauses_the_count_and_any_answer_resumes_it() -> None:
    asked = account(state(served_seconds=500, next_check_at=600), Report(300_000), at(300),
                    EVERY, CHECKS)  # fmt: skip
    assert (asked.issued, asked.paused, asked.state.served_seconds) == ("q1", True, 800)
    ignored = account(asked.state, Report(300_000), at(600), EVERY, CHECKS)
    assert (ignored.credited, ignored.paused) == (0, True)
    other = account(ignored.state, Report(1000, answered="q2"), at(601), EVERY, CHECKS)
    assert other.paused  # an answer to another check clears nothing
    answered = account(other.state, Report(1000, answered="q1"), at(602), EVERY, CHECKS)
    assert (answered.credited, answered.paused, answered.cleared) == (0, False, True)
    after = account(answered.state, Report(300_000), at(902), EVERY, CHECKS)
    assert (after.credited, after.issued) == (300, None)  # the next check at 1400
    assert after.state.next_check_at == 1400


def test_checks_are_asked_in_turn_and_none_once_the_lesson_is_served() -> None:
    s = state(needed_seconds=4000)
    issued = []
    for n in range(1, 11):
        outcome = account(s, Report(300_000, answered=s.pending_check), at(300 * n), EVERY, CHECKS)
        issued.append(outcome.issued)
        s = outcome.state
    assert [i for i in issued if i] == ["q1", "q2", "q3"]
    done = state(served_seconds=1100, next_check_at=1200)
    assert account(done, Report(300_000), at(300), EVERY, CHECKS).issued is None


def test_played_stretches_merge_and_stay_few() -> None:
    assert merge([(5, 10), (0, 5), (20, 30), (25, 26), (9, 3)]) == ((0, 10), (20, 30))
    many = merge([(i * 10, i * 10 + 1) for i in range(100)])
    assert len(many) == 40
    assert newly_played([(0, 10)], [(5, 15)]) == 5


@pytest.mark.parametrize(
    "dirty",
    [
        "<script>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        '<p onclick="alert(1)" style="color:red">x</p>',
        '<svg onload="alert(1)"></svg>',
        '<iframe src="https://evil.example"></iframe>',
    ],
)
def test_the_sanitizer_refuses_script_handlers_and_javascript_links(dirty: str) -> None:
    clean = sanitize(dirty).lower()
    for bad in ("<script", "alert(1)</", "onerror", "onclick", "onload", "javascript:", "<iframe",
                "style="):  # fmt: skip
        assert bad not in clean, clean


def test_markdown_keeps_its_safe_subset_and_anchors_articles() -> None:
    rendered = render("# 总则\n\n第一百零三条 内容\n\n## 第12条 标题\n\n**粗** [链](https://a.cn)")
    assert [(s.anchor, s.title) for s in rendered.sections] == [
        ("s-1", "总则"), ("art-103", "第一百零三条"), ("art-12", "第12条 标题"),
    ]  # fmt: skip
    assert "<strong>粗</strong>" in rendered.html and 'rel="noopener noreferrer"' in rendered.html
    assert [article_number(t) for t in ("第二十条", "第十条", "第5条", "第一条之一", "一条")] == [
        20, 10, 5, 1, None,
    ]  # fmt: skip
