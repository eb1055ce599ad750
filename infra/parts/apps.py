"""The Chalice apps, each with its own least-privilege role (the stack owns the roles:
`manage_iam_role: false`): the four services and, with our own identity, the identity
app, whose authorizer function stands in front of the four APIs. Chalice caches an
imported `app` module, so a second app would silently get the first one's routes: every
app is packaged with those modules
cleared."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.parts.data import Data
from infra.parts.identity import Identity
from infra.parts.pipeline import ReportPipeline
from xuefa.store.table import GSI_NAME

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
APPS = ("credits", "exams", "reports", "roster")
IDENTITY_APP = "identity"
# Where the four APIs' own-identity authorizer is declared in each API's definition.
AUTHORIZER_URI = ".".join(
    [
        "DefinitionBody.securityDefinitions.xuefa-identity",
        "x-amazon-apigateway-authorizer.authorizerUri",
    ]
)
TABLE_READ = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"]
TABLE_WRITE = [
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:BatchWriteItem",
    "dynamodb:ConditionCheckItem",
]
# Each API stage's throttle, requests a second (rate, burst): above it API Gateway answers
# 429 before any function runs. Sized from the exam evening (README, "Figures"): 100k
# learners an hour is ~28 starting a second, each saving ~50 answers, so exams ~1,500/s;
# the five together stay well inside the account's own API Gateway quota.
STAGE_THROTTLE = {
    "exams": (2000, 4000),
    "credits": (1000, 2000),
    "roster": (300, 600),
    "reports": (300, 600),
    # One Argon2id hash a sign-in (64 MiB, ~0.1-0.3 s): 100 a second is 3.5x the evening's
    # ~28, and needs at most ~30 functions at once (IDENTITY_CONCURRENCY).
    "identity": (100, 200),
}
# The identity function's reserved concurrency: its stage's 100/s x 0.3 s = 30 at once, with
# room; a flood of unknown logins (each still hashed) is held at this many and can never
# take the account's unreserved concurrency (1,000 by default) from exams or credits.
# `-c identity_concurrency=N` changes it.
IDENTITY_CONCURRENCY = 40
# How long the records of a learner who left are kept before the roster's nightly
# retention job deletes them (#29.4); `-c leaver_retention_days=N` (at least 180) changes it.
LEAVER_RETENTION_DAYS = 5 * 365 + 1
# The identity function answers anyone (sign-in is public): it reaches only its own items,
# by partition key (xuefa.store.keys.Keys.account / sign_in_guard, refresh_token, audit),
# and only with actions that name a key — a Scan would pass `ForAllValues` with no keys.
IDENTITY_TABLE = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",  # a successful sign-in deletes the login's guard item
    "dynamodb:ConditionCheckItem",
]
IDENTITY_PARTITIONS = ["ACCOUNT#*", "REFRESH#*"]
# Its audit entries (sign-in events, 等保's security audit) it may only add — a Put under
# attribute_not_exists — never read, change or delete (#29.5).
AUDIT_PARTITIONS = ["AUDIT#*"]
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
        public_url: str,
    ):
        super().__init__(scope, construct_id)
        self.data, self.identity, self.pipeline = data, identity, pipeline
        environment = {
            "XUEFA_TABLE": data.table.table_name,
            "XUEFA_BUCKET": data.bucket.bucket_name,
            "XUEFA_CONTENT_BUCKET": data.content.bucket_name,
            **self._identity_environment(stage),
            "XUEFA_REPORT_QUEUE_URL": pipeline.queue.queue_url,
            "XUEFA_REPORT_QUEUE_NAME": pipeline.queue_name,
            "XUEFA_ROOT_UNIT": root_unit,
            "XUEFA_PUBLIC_URL": public_url,
            "XUEFA_CURSOR_SECRET_ARN": data.cursor_secret.secret_arn,
            "POWERTOOLS_METRICS_NAMESPACE": "xuefa",
            "POWERTOOLS_LOG_LEVEL": "INFO",
        }
        self.roles: dict[str, iam.Role] = {}
        self.apps: dict[str, Any] = {}
        names = (*APPS, IDENTITY_APP) if identity.own else APPS
        for name in names:
            self.roles[name] = self._role(name)
            self.apps[name] = self._chalice(name, stage, self.roles[name], environment)
        # The import worker: one chunk of 50 learners takes 5–15 s; its queue's visibility
        # is 6× this (stage_config's per-function settings lose to its own lambda_timeout).
        self.apps["roster"].get_resource("RosterImport").add_property_override("Timeout", 300)
        # The leavers' retention (#29.4): up to 200 learners a night, a few calls each.
        self.apps["roster"].get_resource("RosterRetention").add_property_override("Timeout", 300)
        if identity.own:
            self._authorize_with_own_identity()
            self._reserve_identity_concurrency()
        for name in names:
            self._throttle(name)

    def _throttle(self, name: str) -> None:
        """Every stage: its rate and burst for every method. And anyone may check a
        certificate's code, without a token: a few a second, so nobody walks the code space
        (100 bits would outlast them anyway)."""
        rate, burst = STAGE_THROTTLE[name]
        settings: list[dict[str, Any]] = [
            {
                "ResourcePath": "/*",
                "HttpMethod": "*",
                "ThrottlingRateLimit": rate,
                "ThrottlingBurstLimit": burst,
            }
        ]
        if name == "reports":
            settings.append(
                {
                    "ResourcePath": "/~1verify~1{code}",
                    "HttpMethod": "GET",
                    "ThrottlingRateLimit": 10,
                    "ThrottlingBurstLimit": 20,
                }
            )
        self.apps[name].get_resource("RestAPI").add_property_override("MethodSettings", settings)

    def _reserve_identity_concurrency(self) -> None:
        chosen = self.node.try_get_context("identity_concurrency") or IDENTITY_CONCURRENCY
        handler = self.apps[IDENTITY_APP].get_resource("APIHandler")
        handler.add_property_override("ReservedConcurrentExecutions", int(chosen))

    def _identity_environment(self, stage: str) -> dict[str, str]:
        if self.identity.own:
            return {
                "XUEFA_IDENTITY": "own",
                "XUEFA_SIGNING_KEYS": ",".join(k.key_arn for k in self.identity.signing_keys),
                "XUEFA_TOKEN_ISSUER": f"urn:xuefa:{stage}",
            }
        assert self.identity.user_pool is not None
        return {
            "XUEFA_IDENTITY": "cognito",
            "XUEFA_USER_POOL_ID": self.identity.user_pool.user_pool_id,
        }

    def _authorize_with_own_identity(self) -> None:
        """The identity app's authorizer function in front of the four APIs: each API's
        definition gets the function's invocation URI, and API Gateway the right to call it."""
        stack = cdk.Stack.of(self)
        identity = self.apps[IDENTITY_APP]
        # Chalice gives every function of an app the app's role; the authorizer gets its own.
        authorizer = identity.get_resource("Authorizer")
        authorizer.add_property_override("Role", self._authorizer_role().role_arn)
        authorizer.add_property_override("Timeout", 10)
        function_arn = identity.get_function("Authorizer").function_arn
        uri = cdk.Fn.sub(
            "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/"
            "${Fn}/invocations",
            {"Fn": function_arn},
        )
        for name in APPS:
            api = self.apps[name].get_resource("RestAPI")
            api.add_property_override(AUTHORIZER_URI, uri)
            lambda_.CfnPermission(
                self,
                f"{name.capitalize()}MayAuthorize",
                action="lambda:InvokeFunction",
                function_name=function_arn,
                principal="apigateway.amazonaws.com",
                source_arn=stack.format_arn(
                    service="execute-api", resource=api.ref, resource_name="authorizers/*"
                ),
            )

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
        if name == IDENTITY_APP:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=IDENTITY_TABLE,
                    resources=[table.table_arn],
                    conditions={
                        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": IDENTITY_PARTITIONS}
                    },
                )
            )
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["dynamodb:PutItem"],
                    resources=[table.table_arn],
                    conditions={
                        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": AUDIT_PARTITIONS}
                    },
                )
            )
        else:
            role.add_to_policy(
                iam.PolicyStatement(actions=TABLE_READ + TABLE_WRITE, resources=table_resources)
            )
        self.data.cursor_secret.grant_read(role)
        if name == "roster" and self.identity.own:
            # Our own identity's accounts: a reset clears the login's guard item, and a
            # learner whose creation failed leaves no account behind; nothing else is deleted.
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["dynamodb:DeleteItem"],
                    resources=[table.table_arn],
                    conditions={"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["ACCOUNT#*"]}},
                )
            )
        if name == "roster" and self.identity.user_pool is not None:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=COGNITO_ADMIN, resources=[self.identity.user_pool.user_pool_arn]
                )
            )
        if name == IDENTITY_APP:
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["kms:Sign", "kms:GetPublicKey"],
                    resources=[k.key_arn for k in self.identity.signing_keys],
                )
            )
        if name == "reports":
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:PutObject", "s3:GetObject", "s3:DeleteObject"],
                    resources=[self.data.bucket.arn_for_objects("reports/*")],
                )
            )
            # The item analysis's shards (#28.1) spool their parts and write its files.
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:PutObject", "s3:GetObject"],
                    resources=[self.data.bucket.arn_for_objects("analysis/*")],
                )
            )
            self.pipeline.queue.grant_send_messages(role)
            self.pipeline.queue.grant_consume_messages(role)
        if name == "exams":
            # The item analysis (#28.1) is started here and run by the reports function:
            # its shards are sent on the report queue, and the result is read (and
            # linked) from analysis/ — never written.
            self.pipeline.queue.grant_send_messages(role)
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:GetObject"],
                    resources=[self.data.bucket.arn_for_objects("analysis/*")],
                )
            )
            # Before a year's first analysis completes its manifest is missing: S3 says so
            # (404) only to a role that may list the bucket, else 403, a 500 for the city.
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:ListBucket"], resources=[self.data.bucket.bucket_arn]
                )
            )
        if name == "credits":
            # Lesson bodies written at publish, presigned uploads (single and multipart:
            # both s3:PutObject), and the review list's export read back by its link.
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:PutObject", "s3:GetObject"],
                    resources=[
                        self.data.content.arn_for_objects("content/*"),
                        self.data.content.arn_for_objects("exports/*"),
                    ],
                )
            )
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:AbortMultipartUpload"],
                    resources=[self.data.content.arn_for_objects("content/*")],
                )
            )
        if name == "exams":
            # The bank's template and export (#27, #28): written, then read back by their
            # 15-minute link; under exports/bank/ alone (the bucket keeps exports a day).
            role.add_to_policy(
                iam.PolicyStatement(
                    actions=["s3:PutObject", "s3:GetObject"],
                    resources=[self.data.content.arn_for_objects("exports/bank/*")],
                )
            )
        if name == "roster":  # a large import's chunks: sent by the API, consumed by its worker
            self.pipeline.imports.grant_send_messages(role)
            self.pipeline.imports.grant_consume_messages(role)
        return role

    def _authorizer_role(self) -> iam.Role:
        """The authorizer reads the signing keys' public halves, and nothing else."""
        role = iam.Role(
            self,
            "AuthorizerRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name(
                    "service-role/AWSLambdaBasicExecutionRole"
                )
            ],
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["kms:GetPublicKey"],
                resources=[k.key_arn for k in self.identity.signing_keys],
            )
        )
        self.roles["authorizer"] = role
        return role

    def _chalice(self, name: str, stage: str, role: iam.Role, environment: dict[str, str]) -> Any:
        from chalice.cdk import Chalice

        fresh_app_modules()
        # Read at import by the app (its authorizer, the shard queue's name).
        os.environ["XUEFA_IDENTITY"] = self.identity.provider
        if self.identity.user_pool is not None:
            os.environ["XUEFA_USER_POOL_ARN"] = self.identity.user_pool.user_pool_arn
        os.environ["XUEFA_REPORT_QUEUE_NAME"] = environment["XUEFA_REPORT_QUEUE_NAME"]
        os.environ["XUEFA_IMPORT_QUEUE_NAME"] = self.pipeline.imports_name
        own: dict[str, str] = {}
        if name == "roster":  # where its import chunks go; how long leavers are kept
            kept = self.node.try_get_context("leaver_retention_days") or LEAVER_RETENTION_DAYS
            own = {
                "XUEFA_IMPORT_QUEUE_URL": self.pipeline.imports.queue_url,
                "XUEFA_IMPORT_QUEUE_NAME": self.pipeline.imports_name,
                "XUEFA_LEAVER_RETENTION_DAYS": str(int(kept)),
            }
        try:
            return Chalice(
                self,
                f"{name.capitalize()}Api",
                source_dir=str(FUNCTIONS / name),
                preserve_logical_ids=False,
                stage_config={
                    # Each API's stage is named after its service, so `/credits/me` on the
                    # one domain is stage `credits`, route `/me`: no path rewriting needed
                    # in front of it (CloudFront Functions do not exist in China).
                    "api_gateway_stage": name,
                    "manage_iam_role": False,
                    "iam_role_arn": role.role_arn,
                    "lambda_timeout": 900 if name == "reports" else 30,
                    "lambda_memory_size": 1024,
                    "environment_variables": {
                        **environment,
                        **own,
                        "POWERTOOLS_SERVICE_NAME": name,
                    },
                },
            )
        finally:
            fresh_app_modules()
