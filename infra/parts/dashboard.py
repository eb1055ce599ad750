"""The operators' CloudWatch dashboard, `xuefa-<stage>`: what learners do a minute, errors,
each API's p95 latency, the table's throttles, the report queue and its dead letters, the
nightly run's length, and every alarm's state (README, "Operations")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from infra.parts.pipeline import ReportPipeline

MINUTE = cdk.Duration.minutes(1)
# The apps' business metrics (CloudWatch EMF from Powertools, namespace xuefa, dimension
# service): what a learner does, counted where it succeeded.
ACTIVITY = (
    ("identity", "SignIns", "sign-ins"),
    ("exams", "AttemptsStarted", "exam starts"),
    ("exams", "AnswersSaved", "answer saves"),
    ("exams", "AttemptsSubmitted", "submits"),
)


def api_metric(
    name: str, metric: str, statistic: str, period: cdk.Duration, label: str | None = None
) -> cloudwatch.Metric:
    """API Gateway's own metric for one of our APIs: Chalice names each API after its app
    (the OpenAPI title, `xuefa-<name>`), and its stage after the service. (A label makes an
    alarm's metric an expression: alarms go without.)"""
    return cloudwatch.Metric(
        namespace="AWS/ApiGateway",
        metric_name=metric,
        dimensions_map={"ApiName": f"xuefa-{name}", "Stage": name},
        statistic=statistic,
        period=period,
        label=label,
    )


def business(service: str, metric: str, label: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace="xuefa",
        metric_name=metric,
        dimensions_map={"service": service},
        statistic="Sum",
        period=MINUTE,
        label=label,
    )


class Dashboard(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        apps: Mapping[str, Any],
        functions_of: Mapping[str, Sequence[str]],
        pipeline: ReportPipeline,
        table: dynamodb.Table,
        alarms: Sequence[cloudwatch.IAlarm],
    ):
        super().__init__(scope, construct_id)
        self.dashboard = cloudwatch.Dashboard(
            self,
            "Resource",
            dashboard_name=f"xuefa-{stage}",
            default_interval=cdk.Duration.hours(3),
        )
        activity = [business(s, m, label) for s, m, label in ACTIVITY if s in apps]
        errors: list[cloudwatch.IMetric] = [
            apps[name].get_function(fn).metric_errors(period=MINUTE, label=f"{name}/{fn}")
            for name, functions in functions_of.items()
            if name in apps
            for fn in functions
        ]
        server_errors = [api_metric(name, "5XXError", "Sum", MINUTE, name) for name in apps]
        latency = [api_metric(name, "Latency", "p95", MINUTE, name) for name in apps]
        throttles = [
            table.metric(name, statistic="Sum", period=MINUTE, label=name)
            for name in ("ReadThrottleEvents", "WriteThrottleEvents")
        ]
        consumed = [
            table.metric(name, statistic="Sum", period=MINUTE, label=name)
            for name in ("ConsumedReadCapacityUnits", "ConsumedWriteCapacityUnits")
        ]
        reports = apps["reports"]
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(
                markdown=f"# xuefa {stage}\nEach alarm names its runbook under "
                "`docs/runbooks/` in the repository; the exam window's plan is "
                "`docs/runbooks/exam-window-capacity.md`.",
                width=24,
                height=2,
            )
        )
        self.dashboard.add_widgets(
            graph("Learners a minute: sign-ins, starts, saves, submits", activity),
            graph("Errors a minute: functions, and 5xx per API", errors, right=server_errors),
        )
        self.dashboard.add_widgets(
            graph("p95 latency per API (ms)", latency),
            graph(
                "DynamoDB: throttled requests (left), consumed units a minute (right)",
                throttles,
                right=consumed,
            ),
        )
        self.dashboard.add_widgets(
            graph(
                "Report queue: waiting shards and dead letters (left), oldest age s (right)",
                [
                    pipeline.queue.metric_approximate_number_of_messages_visible(
                        period=MINUTE, label="shards waiting"
                    ),
                    pipeline.dead_letters.metric_approximate_number_of_messages_visible(
                        period=MINUTE, label="shard dead letters"
                    ),
                    pipeline.import_dead_letters.metric_approximate_number_of_messages_visible(
                        period=MINUTE, label="import dead letters"
                    ),
                ],
                right=[
                    pipeline.queue.metric_approximate_age_of_oldest_message(
                        period=MINUTE, label="oldest shard (s)"
                    )
                ],
            ),
            graph(
                "The nightly run: its start and the longest shard (ms, max an hour)",
                [
                    reports.get_function(fn).metric_duration(
                        period=cdk.Duration.hours(1), statistic="Maximum", label=fn
                    )
                    for fn in ("NightlyReport", "ReportShard")
                ],
            ),
        )
        self.dashboard.add_widgets(
            graph(
                "Lambda: functions running at once (account)",
                [
                    cloudwatch.Metric(
                        namespace="AWS/Lambda",
                        metric_name="ConcurrentExecutions",
                        statistic="Maximum",
                        period=MINUTE,
                        label="concurrent executions",
                    )
                ],
            ),
            cloudwatch.AlarmStatusWidget(title="Alarms", alarms=list(alarms), width=12, height=8),
        )


def graph(
    title: str,
    left: Sequence[cloudwatch.IMetric],
    *,
    right: Sequence[cloudwatch.IMetric] = (),
) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(
        title=title, left=list(left), right=list(right), width=12, height=8
    )
