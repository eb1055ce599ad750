"""Alarms on every function's errors and throttles, on the report's dead letters and on a
unit left out of a report, and each API's URL as an output."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sqs as sqs
from constructs import Construct

# Which Lambda functions each app's package holds (Chalice's logical ids).
FUNCTIONS_OF = {
    "credits": ("APIHandler",),
    "exams": ("APIHandler",),
    "reports": ("APIHandler", "NightlyReport", "ReportShard"),
    "roster": ("APIHandler", "RosterImport", "RosterRetention"),
    "identity": ("APIHandler", "Authorizer"),  # with our own identity (China)
}
METRICS_NAMESPACE = "xuefa"  # xuefa.core.observability.NAMESPACE (infra does not import functions)
AT_LEAST_ONE = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD


class Monitoring(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, apps: dict[str, Any], dead_letters: sqs.Queue
    ):
        super().__init__(scope, construct_id)
        stack = cdk.Stack.of(self)
        for name, app in apps.items():
            for logical_id in FUNCTIONS_OF[name]:
                function = app.get_function(logical_id)
                for metric, label in (
                    (function.metric_errors(period=cdk.Duration.minutes(5)), "Errors"),
                    (function.metric_throttles(period=cdk.Duration.minutes(5)), "Throttles"),
                ):
                    self._alarm(
                        f"{name.capitalize()}{logical_id}{label}",
                        metric,
                        f"{name}/{logical_id}: {label.lower()} in 5 minutes",
                    )
            api = app.get_resource("RestAPI")
            cdk.CfnOutput(
                stack,
                f"{name.capitalize()}ApiUrl",
                value=cdk.Fn.sub(
                    "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/",
                    {"Api": api.ref, "Stage": name},
                ),
            )
        self._alarm(
            "ReportShardsDeadLetters",
            dead_letters.metric_approximate_number_of_messages_visible(
                period=cdk.Duration.minutes(5)
            ),
            "a report shard failed three times",
        )
        # A unit left out of a night's set (its files failed three times in the shard;
        # the rest of the set was written, the manifest names it, the log says why).
        self._alarm(
            "ReportUnitFailed",
            cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name="UnitReportFailed",
                dimensions_map={"service": "reports"},
                statistic="Sum",
                period=cdk.Duration.minutes(5),
            ),
            "a unit's report could not be written: see the reports log",
        )

    def _alarm(self, construct_id: str, metric: cloudwatch.IMetric, description: str) -> None:
        cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=1,
            evaluation_periods=1,
            comparison_operator=AT_LEAST_ONE,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
