"""Operations by the book (#29): every alarm names a runbook that exists, each way the system
can fail has an alarm that tells the on-duty topic, and the dashboard shows what an
operator watches on an exam evening."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.infra.test_stack import resources

pytestmark = [pytest.mark.xdist_group("infra")]

ROOT = Path(__file__).resolve().parents[2]
RUNBOOK = re.compile(r"Runbook: (docs/runbooks/[a-z0-9-]+\.md)")


def _alarms(raw: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources(raw, "AWS::CloudWatch::Alarm").items()}


def test_every_alarm_names_a_runbook_that_exists(synthesized, global_template) -> None:
    for _, raw, _ in (synthesized, global_template):
        alarms = _alarms(raw)
        assert len(alarms) > 30
        for logical_id, alarm in alarms.items():
            found = RUNBOOK.search(alarm["AlarmDescription"])
            assert found, f"{logical_id} names no runbook"
            runbook = ROOT / found.group(1)
            assert runbook.is_file(), f"{logical_id}: {found.group(1)} does not exist"
            text = runbook.read_text()
            for part in ("What it means", "How to see it", "What to do", "When to call whom"):
                assert f"**{part}.**" in text, f"{found.group(1)} lacks '{part}'"


def test_each_way_of_failing_is_alarmed_and_tells_the_topic(synthesized) -> None:
    _, raw, _ = synthesized
    alarms = _alarms(raw)
    (topic,) = resources(raw, "AWS::SNS::Topic")
    for logical_id, alarm in alarms.items():
        assert alarm["AlarmActions"] == [{"Ref": topic}], logical_id
    watched = {(a["Namespace"], a["MetricName"]) for a in alarms.values()}
    assert {
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/Lambda", "Duration"),  # the nightly run and its shards
        ("AWS/Lambda", "Invocations"),  # the nightly run did not start
        ("AWS/Lambda", "ConcurrentExecutions"),
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/ApiGateway", "Latency"),
        ("AWS/DynamoDB", "ReadThrottleEvents"),
        ("AWS/DynamoDB", "WriteThrottleEvents"),
        ("AWS/SQS", "ApproximateNumberOfMessagesVisible"),  # dead letters
        ("AWS/SQS", "ApproximateAgeOfOldestMessage"),
        ("xuefa", "UnitReportFailed"),
    } <= watched
    apis = {
        a["Dimensions"][0]["Value"]
        for a in alarms.values()
        if a["Namespace"] == "AWS/ApiGateway" and a["MetricName"] == "Latency"
    }
    assert apis == {
        f"xuefa-{name}" for name in ("credits", "exams", "reports", "roster", "identity")
    }
    (missing,) = [a for a in alarms.values() if a["MetricName"] == "Invocations"]
    assert missing["TreatMissingData"] == "breaching"  # no data is the failure
    assert missing["ComparisonOperator"] == "LessThanThreshold"


def test_the_dashboard_shows_what_an_exam_evening_needs(synthesized) -> None:
    _, raw, _ = synthesized
    (dashboard,) = resources(raw, "AWS::CloudWatch::Dashboard").values()
    assert dashboard["Properties"]["DashboardName"] == "xuefa-prod"
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in ("SignIns", "AttemptsStarted", "AnswersSaved", "AttemptsSubmitted"):
        assert f'\\"{metric}\\"' in body, metric
    for metric in ("5XXError", "Latency", "ReadThrottleEvents", "WriteThrottleEvents"):
        assert metric in body
    assert '\\"p95\\"' in body  # latency per API as its 95th percentile
    assert "ApproximateAgeOfOldestMessage" in body and "Duration" in body
    assert "alarm" in body  # every alarm's state
