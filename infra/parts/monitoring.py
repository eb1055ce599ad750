"""Alarms for each way the system can fail, each naming its runbook (docs/runbooks/), sent to
one SNS topic; the operators' dashboard (infra/parts/dashboard.py); each API's URL as an
output."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from infra.parts.dashboard import Dashboard, api_metric
from infra.parts.pipeline import ReportPipeline

# Which Lambda functions each app's package holds (Chalice's logical ids).
FUNCTIONS_OF = {
    "credits": ("APIHandler",),
    "exams": ("APIHandler",),
    "reports": ("APIHandler", "NightlyReport", "ReportShard"),
    "roster": ("APIHandler", "RosterImport", "RosterRetention"),
    "identity": ("APIHandler", "Authorizer"),  # with our own identity (China)
}
METRICS_NAMESPACE = "xuefa"  # xuefa.core.observability.NAMESPACE (infra does not import functions)
AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
RUNBOOKS = Path(__file__).resolve().parents[2] / "docs" / "runbooks"
FIVE_MINUTES = cdk.Duration.minutes(5)
# p95 above which an API is slow for a learner (ms): a sign-in hashes a password (Argon2id,
# ~0.1-0.3 s), everything else is a read or a transaction (tens of ms, README "Figures").
SLOW_P95_MS = {"identity": 2000}
SLOW_P95_MS_DEFAULT = 1000
# The account's Lambda concurrency quota (1,000 unless raised): alarmed at 80 %.
CONCURRENCY_QUOTA = 1000


@dataclass(frozen=True)
class Rule:
    """How an alarm fires: at least `threshold`, over `periods` periods of the metric's."""

    threshold: float = 1
    periods: int = 1
    missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        apps: dict[str, Any],
        pipeline: ReportPipeline,
        table: dynamodb.Table,
    ):
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        self.alarms: list[cloudwatch.Alarm] = []
        # Every alarm tells this topic; `-c alarm_email=…` subscribes the on-duty mailbox.
        self.topic = sns.Topic(
            self, "Alarms", display_name=f"xuefa {stage} alarms", enforce_ssl=True
        )
        email = self.node.try_get_context("alarm_email")
        if email:
            self.topic.add_subscription(subscriptions.EmailSubscription(str(email)))
        for name, app in apps.items():
            self._function_alarms(name, app)
            self._api_alarms(name)
            api = app.get_resource("RestAPI")
            cdk.CfnOutput(
                stack,
                f"{name.capitalize()}ApiUrl",
                value=cdk.Fn.sub(
                    "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/",
                    {"Api": api.ref, "Stage": name},
                ),
            )
        self._report_alarms(apps["reports"], pipeline)
        self._table_alarms(table)
        quota = int(self.node.try_get_context("concurrency_quota") or CONCURRENCY_QUOTA)
        self.alarm(
            "LambdaConcurrencyHigh",
            cloudwatch.Metric(
                namespace="AWS/Lambda",
                metric_name="ConcurrentExecutions",
                statistic="Maximum",
                period=FIVE_MINUTES,
            ),
            f"functions running at once reached 80 % of the account's {quota}",
            "lambda-concurrency",
            Rule(threshold=quota * 0.8),
        )
        # Alarmed beside its queue (pipeline.py); told the same topic, named the same way.
        pipeline.import_dead_letters_alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(pipeline.import_dead_letters_alarm)
        Dashboard(
            self,
            "Dashboard",
            stage=stage,
            apps=apps,
            functions_of=FUNCTIONS_OF,
            pipeline=pipeline,
            table=table,
            alarms=self.alarms,
        )

    def _function_alarms(self, name: str, app: Any) -> None:
        for logical_id in FUNCTIONS_OF[name]:
            function = app.get_function(logical_id)
            for metric, label, runbook in (
                (function.metric_errors(period=FIVE_MINUTES), "Errors", "function-errors"),
                (
                    function.metric_throttles(period=FIVE_MINUTES),
                    "Throttles",
                    "function-throttles",
                ),
            ):
                self.alarm(
                    f"{name.capitalize()}{logical_id}{label}",
                    metric,
                    f"{name}/{logical_id}: {label.lower()} in 5 minutes",
                    runbook,
                )

    def _api_alarms(self, name: str) -> None:
        label = name.capitalize()
        self.alarm(
            f"{label}Api5xx",
            api_metric(name, "5XXError", "Sum", FIVE_MINUTES),
            f"the {name} API answered 10 or more 5xx in 5 minutes",
            "api-5xx",
            Rule(threshold=10),
        )
        slow = SLOW_P95_MS.get(name, SLOW_P95_MS_DEFAULT)
        self.alarm(
            f"{label}ApiSlow",
            api_metric(name, "Latency", "p95", FIVE_MINUTES),
            f"the {name} API's p95 latency stayed above {slow} ms for 15 minutes",
            "api-latency",
            Rule(threshold=slow, periods=3),
        )

    def _report_alarms(self, reports: Any, pipeline: ReportPipeline) -> None:
        self.alarm(
            "ReportShardsDeadLetters",
            pipeline.dead_letters.metric_approximate_number_of_messages_visible(
                period=FIVE_MINUTES
            ),
            "a report shard failed three times",
            "report-dead-letters",
        )
        self.alarm(
            "ReportQueueBacklog",
            pipeline.queue.metric_approximate_age_of_oldest_message(period=FIVE_MINUTES),
            "a report shard has waited an hour on the queue",
            "report-queue-backlog",
            Rule(threshold=3600),
        )
        # A unit left out of a night's set (its files failed three times in the shard;
        # the rest of the set was written, the manifest names it, the log says why).
        self.alarm(
            "ReportUnitFailed",
            cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name="UnitReportFailed",
                dimensions_map={"service": "reports"},
                statistic="Sum",
                period=FIVE_MINUTES,
            ),
            "a unit's report could not be written: see the reports log",
            "report-unit-failed",
        )
        nightly = reports.get_function("NightlyReport")
        # No start in a day: the schedule, its rule or the function is gone (missing data is
        # the failure here).
        self.alarm(
            "NightlyReportMissing",
            nightly.metric_invocations(period=cdk.Duration.days(1), statistic="Sum"),
            "the nightly report did not start in the last 24 hours",
            "nightly-missing",
            Rule(missing=cloudwatch.TreatMissingData.BREACHING),
            below=True,
        )
        for logical_id, limit_s in (("NightlyReport", 600), ("ReportShard", 720)):
            self.alarm(
                f"{logical_id}Slow",
                reports.get_function(logical_id).metric_duration(
                    period=FIVE_MINUTES, statistic="Maximum"
                ),
                f"reports/{logical_id} ran longer than {limit_s} s of its 900 s",
                "nightly-slow",
                Rule(threshold=limit_s * 1000),
            )

    def _table_alarms(self, table: dynamodb.Table) -> None:
        for metric_name, index in (
            ("ReadThrottleEvents", None),
            ("WriteThrottleEvents", None),
            ("WriteThrottleEvents", "gsi1"),  # a throttled index holds back the table's writes
        ):
            dimensions = {"TableName": table.table_name}
            if index:
                dimensions["GlobalSecondaryIndexName"] = index
            self.alarm(
                f"Table{metric_name}{'Index' if index else ''}",
                cloudwatch.Metric(
                    namespace="AWS/DynamoDB",
                    metric_name=metric_name,
                    dimensions_map=dimensions,
                    statistic="Sum",
                    period=FIVE_MINUTES,
                ),
                f"the table{' index ' + index if index else ''} throttled 10 or more "
                f"{'reads' if 'Read' in metric_name else 'writes'} in 5 minutes",
                "dynamodb-throttles",
                Rule(threshold=10),
            )

    def alarm(
        self,
        construct_id: str,
        metric: cloudwatch.IMetric,
        what: str,
        runbook: str,
        rule: Rule = Rule(),
        *,
        below: bool = False,
    ) -> cloudwatch.Alarm:
        """An alarm whose description says what happened and which runbook to open."""
        if not (RUNBOOKS / f"{runbook}.md").is_file():
            raise ValueError(f"no runbook docs/runbooks/{runbook}.md for {construct_id}")
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=rule.threshold,
            evaluation_periods=rule.periods,
            comparison_operator=(
                cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD if below else AT_LEAST
            ),
            treat_missing_data=rule.missing,
            alarm_description=f"{what}. Runbook: docs/runbooks/{runbook}.md",
        )
        alarm.add_alarm_action(actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm
