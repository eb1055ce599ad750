"""Who was in a unit at a report's cut-off, from the dated history on the profile."""

from datetime import datetime

from xuefa.core.clock import SHANGHAI
from xuefa.reports.rows import LEARNER_COLUMNS, ROLLUP_COLUMNS, membership_at, ranked

CUTOFF = datetime(2026, 11, 20, 0, 0, tzinfo=SHANGHAI)  # 24:00 of 19 November

PROFILE = {
    "student_no": "530402000001",
    "unit_id": "530402-002",
    "status": "resigned",
    "history": [
        {"at": "2025-11-30T00:00:00+08:00", "event": "created", "unit_id": "530402-001"},
        {
            "at": "2026-11-19T23:59:59+08:00",
            "event": "transfer",
            "from_unit_id": "530402-001",
            "to_unit_id": "530402-003",
        },
        {
            "at": "2026-11-20T00:00:00+08:00",
            "event": "transfer",
            "from_unit_id": "530402-003",
            "to_unit_id": "530402-002",
        },
        {"at": "2026-11-21T09:00:00+08:00", "event": "resigned"},
    ],
}


def test_a_transfer_before_midnight_counts_one_at_midnight_does_not() -> None:
    assert membership_at(PROFILE, CUTOFF) == ("530402-003", "active")


def test_later_events_do_not_reach_back() -> None:
    assert membership_at(PROFILE, datetime(2026, 11, 22, tzinfo=SHANGHAI)) == (
        "530402-002",
        "resigned",
    )


def test_not_yet_registered_is_in_no_unit() -> None:
    assert membership_at(PROFILE, datetime(2025, 11, 30, tzinfo=SHANGHAI))[0] is None


def test_a_profile_without_history_is_taken_as_it_is() -> None:
    bare = {"student_no": "1", "unit_id": "u", "status": "retired"}
    assert membership_at(bare, CUTOFF) == ("u", "retired")


def test_the_report_speaks_the_notices_words() -> None:
    assert [title for _, title in LEARNER_COLUMNS] == [
        "学号", "姓名", "单位", "积分", "学时", "日常学法成绩", "考试最高分",
        "考试次数", "考试成绩", "年度学法成绩", "是否合格",
    ]  # fmt: skip
    assert ROLLUP_COLUMNS[-2:] == [("avg_total", "平均年度学法成绩"), ("rank", "名次")]


def test_a_bulletin_ranks_by_pass_rate_then_average_with_shared_ranks() -> None:

    rows = [
        {"unit_id": "a", "pass_rate": 50.0, "avg_total": 60.0},
        {"unit_id": "b", "pass_rate": 80.0, "avg_total": 55.0},
        {"unit_id": "c", "pass_rate": 50.0, "avg_total": 70.0},
        {"unit_id": "d", "pass_rate": 50.0, "avg_total": 60.0},
    ]
    assert [(r["unit_id"], r["rank"]) for r in ranked(rows)] == [
        ("a", 3),
        ("b", 1),
        ("c", 2),
        ("d", 3),
    ]
