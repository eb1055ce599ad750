"""The whole system as one CDK stack: table, report bucket, user pool, queue, the four
Chalice apps with least-privilege roles, the nightly schedule, alarms and outputs.

The table's keys come from xuefa.store, the same definition the code and the local
stack use. Chalice caches an imported `app` module, so a second app would silently get
the first one's routes: every app is packaged with those modules cleared.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import (
    aws_cloudwatch as cloudwatch,
)
from aws_cdk import (
    aws_cognito as cognito,
)
from aws_cdk import (
    aws_dynamodb as dynamodb,
)
from aws_cdk import (
    aws_iam as iam,
)
from aws_cdk import (
    aws_s3 as s3,
)
from aws_cdk import (
    aws_secretsmanager as secretsmanager,
)
from aws_cdk import (
    aws_sqs as sqs,
)
from constructs import Construct

from xuefa.store import GSI_NAME, GSI_PARTITION_KEY, GSI_SORT_KEY, PARTITION_KEY, SORT_KEY

FUNCTIONS = Path(__file__).resolve().parents[1] / "functions"
APPS = ("credits", "exams", "reports", "roster")
# Which Lambda functions each app's package holds (Chalice's logical ids).
FUNCTIONS_OF = {
    "credits": ("APIHandler",),
    "exams": ("APIHandler",),
    "reports": ("APIHandler", "NightlyReport", "ReportShard"),
    "roster": ("APIHandler",),
}
TABLE_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
TABLE_WRITE = [
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
]
COGNITO_ADMIN = [
    "cognito-idp:AdminCreateUser",
    "cognito-idp:AdminAddUserToGroup",
    "cognito-idp:AdminDeleteUser",
    "cognito-idp:AdminDisableUser",
    "cognito-idp:AdminEnableUser",
    "cognito-idp:AdminUpdateUserAttributes",
    "cognito-idp:AdminSetUserPassword",
]


def fresh_app_modules() -> None:
    """Forget every imported app (and what it read from the environment at import)."""
    for name in list(sys.modules):
        if name in ("app", "chalicelib") or name.startswith(("app.", "chalicelib.", "xuefa_api")):
            del sys.modules[name]


class XuefaStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, **kwargs: Any):
        super().__init__(scope, construct_id, **kwargs)
        production = stage != "dev"
        removal = cdk.RemovalPolicy.RETAIN if production else cdk.RemovalPolicy.DESTROY

        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(
                name=PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=production,
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=removal,
        )
        self.table.add_global_secondary_index(
            index_name=GSI_NAME,
            partition_key=dynamodb.Attribute(
                name=GSI_PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(name=GSI_SORT_KEY, type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )

        self.bucket = s3.Bucket(
            self,
            "Reports",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            versioned=False,
            removal_policy=removal,
            auto_delete_objects=not production,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="old-daily-report-sets",
                    prefix="reports/daily/",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=cdk.Duration.days(30),
                        )
                    ],
                    expiration=cdk.Duration.days(400),
                ),
                # progress lists an admin downloaded: a link lives 15 minutes, the file a day
                s3.LifecycleRule(
                    id="progress-exports",
                    prefix="reports/exports/",
                    expiration=cdk.Duration.days(1),
                ),
            ],
        )

        self.user_pool = cognito.UserPool(
            self,
            "Users",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            custom_attributes={"unit_id": cognito.StringAttribute(mutable=True, max_len=64)},
            password_policy=cognito.PasswordPolicy(
                min_length=8,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=False,
                temp_password_validity=cdk.Duration.days(7),
            ),
            account_recovery=cognito.AccountRecovery.NONE,
            removal_policy=removal,
        )
        for group in ("learners", "admins"):
            cognito.CfnUserPoolGroup(
                self, f"Group-{group}", user_pool_id=self.user_pool.user_pool_id, group_name=group
            )
        self.client = self.user_pool.add_client(
            "Web",
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
            id_token_validity=cdk.Duration.hours(1),
        )

        self.dead_letters = sqs.Queue(
            self,
            "ReportShardsDLQ",
            retention_period=cdk.Duration.days(14),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        queue_name = f"xuefa-{stage}-report-shards"
        self.queue = sqs.Queue(
            self,
            "ReportShards",
            queue_name=queue_name,
            visibility_timeout=cdk.Duration.minutes(16),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=self.dead_letters),
        )

        # Signs paging cursors. Generated in AWS and read by the functions at a cold start:
        # no one types it, and it is in no template or environment variable.
        self.cursor_secret = secretsmanager.Secret(
            self,
            "CursorSecret",
            description="xuefa: the key that signs paging cursors",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
            removal_policy=removal,
        )

        environment = {
            "XUEFA_TABLE": self.table.table_name,
            "XUEFA_BUCKET": self.bucket.bucket_name,
            "XUEFA_USER_POOL_ID": self.user_pool.user_pool_id,
            "XUEFA_REPORT_QUEUE_URL": self.queue.queue_url,
            "XUEFA_REPORT_QUEUE_NAME": queue_name,
            "XUEFA_ROOT_UNIT": str(self.node.try_get_context("root_unit") or "530400"),
            "XUEFA_CURSOR_SECRET_ARN": self.cursor_secret.secret_arn,
            "POWERTOOLS_METRICS_NAMESPACE": "xuefa",
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
        self.apps: dict[str, Any] = {}
        self.roles: dict[str, iam.Role] = {}
        for name in APPS:
            role = self._role(name)
            self.roles[name] = role
            self.apps[name] = self._chalice(name, stage, role, environment)
        self._alarms()
        from infra.web import WebHosting

        self.web = WebHosting(
            self,
            "Web",
            apis=self.apps,
            user_pool_client_id=self.client.user_pool_client_id,
            removal=removal,
        )
        cdk.CfnOutput(self, "UserPoolId", value=self.user_pool.user_pool_id)
        cdk.CfnOutput(self, "UserPoolClientId", value=self.client.user_pool_client_id)
        cdk.CfnOutput(self, "ReportBucket", value=self.bucket.bucket_name)
        cdk.CfnOutput(self, "TableName", value=self.table.table_name)

    def _role(self, name: str) -> iam.Role:
        """Each app's role: its own log group, the table (and its index), and only what
        else that app needs — no `*` action or resource on the table or the bucket."""
        role = iam.Role(
            self,
            f"{name.capitalize()}Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AWSLambdaBasicExecutionRole"
                )
            ],
        )
        table_resources = [self.table.table_arn, f"{self.table.table_arn}/index/{GSI_NAME}"]
        role.add_to_policy(
            iam.PolicyStatement(actions=TABLE_READ + TABLE_WRITE, resources=table_resources)
        )
        self.cursor_secret.grant_read(role)
        if name == "roster":
            role.add_to_policy(
                iam.PolicyStatement(actions=COGNITO_ADMIN, resources=[self.user_pool.user_pool_arn])
            )
        if name == "reports":
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                    resources=[self.bucket.arn_for_objects("reports/*")],
                )
            )
            self.queue.grant_send_messages(role)
            self.queue.grant_consume_messages(role)
        return role

    def _chalice(self, name: str, stage: str, role: iam.Role, environment: dict[str, str]) -> Any:
        from chalice.cdk import Chalice

        fresh_app_modules()
        # Read at import by the app (the authorizer's pool, the shard queue's name).
        os.environ["XUEFA_USER_POOL_ARN"] = self.user_pool.user_pool_arn
        os.environ["XUEFA_REPORT_QUEUE_NAME"] = environment["XUEFA_REPORT_QUEUE_NAME"]
        try:
            return Chalice(
                self,
                f"{name.capitalize()}Api",
                source_dir=str(FUNCTIONS / name),
                preserve_logical_ids=False,
                stage_config={
                    "api_gateway_stage": "api",
                    "manage_iam_role": False,
                    "iam_role_arn": role.role_arn,
                    "lambda_timeout": 900 if name == "reports" else 30,
                    "lambda_memory_size": 1024,
                    "environment_variables": {**environment, "POWERTOOLS_SERVICE_NAME": name},
                },
            )
        finally:
            fresh_app_modules()

    def _alarms(self) -> None:
        for name, app in self.apps.items():
            for logical_id in FUNCTIONS_OF[name]:
                function = app.get_function(logical_id)
                for metric, label in (
                    (function.metric_errors(period=cdk.Duration.minutes(5)), "Errors"),
                    (function.metric_throttles(period=cdk.Duration.minutes(5)), "Throttles"),
                ):
                    cloudwatch.Alarm(
                        self,
                        f"{name.capitalize()}{logical_id}{label}",
                        metric=metric,
                        threshold=1,
                        evaluation_periods=1,
                        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                        alarm_description=f"{name}/{logical_id}: {label.lower()} in 5 minutes",
                    )
            api = app.get_resource("RestAPI")
            cdk.CfnOutput(
                self,
                f"{name.capitalize()}ApiUrl",
                value=cdk.Fn.sub(
                    "https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/api/",
                    {"Api": api.ref},
                ),
            )
        cloudwatch.Alarm(
            self,
            "ReportShardsDeadLetters",
            metric=self.dead_letters.metric_approximate_number_of_messages_visible(
                period=cdk.Duration.minutes(5)
            ),
            threshold=1,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description="a report shard failed three times",
        )
