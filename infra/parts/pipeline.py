"""The nightly report's fan-out: one SQS message per county or city department, and a
dead-letter queue for a shard that failed three times; and the roster's import chunks,
likewise (a chunk given up on its third try is reported to the admin by line first)."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.parts import keep_logical_id


class ReportPipeline(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str):
        super().__init__(scope, construct_id)
        self.dead_letters = sqs.Queue(
            self,
            "ReportShardsDLQ",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        keep_logical_id(self.dead_letters, "ReportShardsDLQCCB84E24")
        self.queue_name = f"xuefa-{stage}-report-shards"
        self.queue = sqs.Queue(
            self,
            "ReportShards",
            queue_name=self.queue_name,
            visibility_timeout=cdk.Duration.minutes(16),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=self.dead_letters),
        )
        keep_logical_id(self.queue, "ReportShards0F4A3177")
        self.imports_name = f"xuefa-{stage}-roster-imports"
        self.import_dead_letters = sqs.Queue(
            self,
            "RosterImportsDLQ",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.imports = sqs.Queue(
            self,
            "RosterImports",
            queue_name=self.imports_name,
            # AWS's advice for a Lambda source: six times the function's timeout (300 s).
            visibility_timeout=cdk.Duration.minutes(30),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                max_receive_count=3, queue=self.import_dead_letters
            ),
        )
        # Alarmed here, beside its queue (Monitoring alarms the rest and tells its topic).
        self.import_dead_letters_alarm = cloudwatch.Alarm(
            self,
            "RosterImportsDeadLetters",
            metric=self.import_dead_letters.metric_approximate_number_of_messages_visible(
                period=cdk.Duration.minutes(5)
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description="a roster import chunk failed three times (its rows were "
            "reported to the admin by line). Runbook: docs/runbooks/roster-import-dead-letters.md",
        )
