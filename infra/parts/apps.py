"""The four Chalice apps, each with its own least-privilege role (the stack owns the
roles: `manage_iam_role: false`). Chalice caches an imported `app` module, so a second app
would silently get the first one's routes: every app is packaged with those modules
cleared."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.parts.data import Data
from infra.parts.identity import Identity
from infra.parts.pipeline import ReportPipeline
from xuefa.dal.table import GSI_NAME

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
APPS = ("credits", "exams", "reports", "roster")
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


class Apps(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        stage: str,
        data: Data,
        identity: Identity,
        pipeline: ReportPipeline,
        root_unit: str,
    ):
        super().__init__(scope, construct_id)
        self.data, self.identity, self.pipeline = data, identity, pipeline
        environment = {
            "XUEFA_TABLE": data.table.table_name,
            "XUEFA_BUCKET": data.bucket.bucket_name,
            "XUEFA_USER_POOL_ID": identity.user_pool.user_pool_id,
            "XUEFA_REPORT_QUEUE_URL": pipeline.queue.queue_url,
            "XUEFA_REPORT_QUEUE_NAME": pipeline.queue_name,
            "XUEFA_ROOT_UNIT": root_unit,
            "XUEFA_CURSOR_SECRET_ARN": data.cursor_secret.secret_arn,
            "POWERTOOLS_METRICS_NAMESPACE": "xuefa",
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
        self.roles: dict[str, iam.Role] = {}
        self.apps: dict[str, Any] = {}
        for name in APPS:
            self.roles[name] = self._role(name)
            self.apps[name] = self._chalice(name, stage, self.roles[name], environment)

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
        table = self.data.table
        table_resources = [table.table_arn, f"{table.table_arn}/index/{GSI_NAME}"]
        role.add_to_policy(
            iam.PolicyStatement(actions=TABLE_READ + TABLE_WRITE, resources=table_resources)
        )
        self.data.cursor_secret.grant_read(role)
        if name == "roster":
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=COGNITO_ADMIN, resources=[self.identity.user_pool.user_pool_arn]
                )
            )
        if name == "reports":
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                    resources=[self.data.bucket.arn_for_objects("reports/*")],
                )
            )
            self.pipeline.queue.grant_send_messages(role)
            self.pipeline.queue.grant_consume_messages(role)
        return role

    def _chalice(self, name: str, stage: str, role: iam.Role, environment: dict[str, str]) -> Any:
        from chalice.cdk import Chalice

        fresh_app_modules()
        # Read at import by the app (the authorizer's pool, the shard queue's name).
        os.environ["XUEFA_USER_POOL_ARN"] = self.identity.user_pool.user_pool_arn
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
