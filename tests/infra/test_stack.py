"""The CDK stack, checked with aws_cdk.assertions, and its template with cfn-lint."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.infra.conftest import NAG

pytestmark = [pytest.mark.xdist_group("infra")]

ROOT = Path(__file__).resolve().parents[2]
API_ROUTES = {
    "credits": {
        "/adjustments",
        "/catalogue",
        "/courses",
        "/courses/{course_id}",
        "/health",
        "/learners/{student_no}",
        "/learners/{student_no}/ledger",
        "/me",
        "/me/ledger",
        "/lessons",
        "/lessons/{lesson_id}",
        "/lessons/{lesson_id}/draft",
        "/lessons/{lesson_id}/media",
        "/lessons/{lesson_id}/media/complete",
        "/lessons/{lesson_id}/publish",
        "/lessons/{lesson_id}/retire",
        "/lessons/{lesson_id}/study",
        "/review",
        "/practice",
        "/practice/{set_id}/answers",
        "/notebook",
        "/notebook/{question_id}",
        "/me/topics",
        "/review/export",
        "/sessions",
        "/sessions/{session_id}/abandon",
        "/sessions/{session_id}/complete",
        "/sessions/{session_id}/progress",
    },
    "exams": {
        "/health",
        "/{year}",
        "/{year}/attempts",
        "/{year}/attempts/{attempt_no}",
        "/{year}/attempts/{attempt_no}/answers",
        "/{year}/attempts/{attempt_no}/submit",
        "/{year}/learners/{student_no}/attempts",
        "/{year}/overrides",
        "/{year}/overrides/bulk",
        "/{year}/questions",
        "/{year}/questions/export",
        "/{year}/questions/template",
        "/{year}/questions/xlsx",
        "/{year}/questions/{question_id}",
        "/{year}/questions/{question_id}/retire",
        "/{year}/analysis",
        "/{year}/corrections",
    },
    "reports": {
        "/bulletin",
        "/daily",
        "/dates",
        "/health",
        "/learners/{student_no}/archive",
        "/me/archive",
        "/me/certificates/{year}",
        "/learners/{student_no}/certificates/{year}",
        "/units/{unit_id}/certificates/{year}",
        "/progress",
        "/progress/export",
        "/progress/summary",
        "/runs",
        "/topics",
        "/verify/{code}",
        "/years/{year}",
    },
    "roster": {
        "/health",
        "/years",
        "/years/{year}",
        "/learners",
        "/learners/import",
        "/learners/{student_no}",
        "/learners/{student_no}/password-reset",
        "/learners/{student_no}/status",
        "/learners/{student_no}/transfer",
        "/imports/{import_id}",
        "/me",
        "/me/access",
        "/me/data",
        "/units",
        "/units/{unit_id}",
        "/units/{unit_id}/learners",
    },
}


def resources(raw: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in raw["Resources"].items() if v["Type"] == kind}


def test_the_table_has_the_codes_keys_pitr_and_deletion_protection(synthesized) -> None:
    from xuefa.store.table import create_table_request

    template, _, _ = synthesized
    request = create_table_request("x")
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": request["KeySchema"],
            "BillingMode": "PAY_PER_REQUEST",
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "DeletionProtectionEnabled": True,
            "TimeToLiveSpecification": {"AttributeName": "expires_at", "Enabled": True},
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "gsi1",
                    "KeySchema": request["GlobalSecondaryIndexes"][0]["KeySchema"],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
        },
    )
    template.has_resource("AWS::DynamoDB::Table", {"DeletionPolicy": "Retain"})


def test_the_bucket_is_private_encrypted_tls_only_with_a_lifecycle(synthesized) -> None:
    from aws_cdk.assertions import Match

    template, _, _ = synthesized
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "LifecycleConfiguration": {
                "Rules": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Prefix": "reports/daily/",
                                "ExpirationInDays": 400,
                                "Status": "Enabled",
                            }
                        ),
                        Match.object_like({"Prefix": "reports/years/", "Status": "Enabled"}),
                        Match.object_like(
                            {
                                "Prefix": "reports/exports/",
                                "ExpirationInDays": 1,
                                "Status": "Enabled",
                            }
                        ),
                        Match.object_like(
                            {
                                "Prefix": "analysis/parts/",
                                "ExpirationInDays": 7,
                                "Status": "Enabled",
                            }
                        ),
                    ]
                )
            },
        },
    )
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        Match.object_like(
                            {
                                "Effect": "Deny",
                                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                            }
                        )
                    ]
                )
            }
        },
    )


def test_outside_china_the_user_pool_groups_attribute_policy_and_client(global_template) -> None:
    from aws_cdk.assertions import Match

    synthesized = global_template
    template, _, _ = synthesized
    template.has_resource_properties(
        "AWS::Cognito::UserPool",
        {
            "Schema": Match.array_with(
                [
                    Match.object_like(
                        {"Name": "unit_id", "AttributeDataType": "String", "Mutable": True}
                    )
                ]
            ),
            "Policies": {
                "PasswordPolicy": Match.object_like(
                    {
                        "MinimumLength": 8,
                        "RequireUppercase": True,
                        "RequireLowercase": True,
                        "RequireNumbers": True,
                    }
                )
            },
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": True},
        },
    )
    groups = {
        g["Properties"]["GroupName"]
        for g in resources(synthesized[1], "AWS::Cognito::UserPoolGroup").values()
    }
    assert groups == {"learners", "admins"}
    template.has_resource_properties(
        "AWS::Cognito::UserPoolClient",
        {
            "GenerateSecret": False,
            "ExplicitAuthFlows": Match.array_with(
                ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH"]
            ),
        },
    )


@pytest.mark.parametrize("where", ["china", "global"])
def test_each_api_has_exactly_its_apps_routes_behind_the_authorizer(request, where) -> None:
    _, raw, _ = request.getfixturevalue("synthesized" if where == "china" else "global_template")
    apis = resources(raw, "AWS::Serverless::Api")
    seen = {}
    authorizer = "xuefa-identity" if where == "china" else "xuefa-cognito"
    for logical_id, api in apis.items():
        names = (*API_ROUTES, "identity")
        name = next(n for n in names if logical_id.lower().removeprefix("apps").startswith(n))
        body = api["Properties"]["DefinitionBody"]
        assert api["Properties"]["StageName"] == name  # /credits/me is stage credits, /me
        seen[name] = set(body["paths"])
        if name == "identity":  # public: it is where tokens come from
            assert "securityDefinitions" not in body
            continue
        declared = body["securityDefinitions"][authorizer]["x-amazon-apigateway-authorizer"]
        if where == "global":
            assert declared["providerARNs"] == [{"Fn::GetAtt": [_pool_id(raw), "Arn"]}]
        else:  # the identity app's authorizer function, cached per token for 5 minutes
            assert "Authorizer" in json.dumps(declared["authorizerUri"])
            assert declared["authorizerResultTtlInSeconds"] == 300
        for path, methods in body["paths"].items():
            for method, operation in methods.items():
                if method == "options":
                    continue
                secured = operation.get("security") == [{authorizer: []}]
                public = path == "/health" or (name, path) == ("reports", "/verify/{code}")
                assert secured is not public, (name, method, path)
    if where == "china":
        assert set(seen.pop("identity")) >= {"/sign-in", "/refresh", "/jwks.json"}
        permissions = [
            p for k, p in resources(raw, "AWS::Lambda::Permission").items() if "MayAuthorize" in k
        ]
        assert len(permissions) == 4  # API Gateway may call the authorizer for each API
    assert seen == API_ROUTES


def _pool_id(raw: dict[str, Any]) -> str:
    return next(iter(resources(raw, "AWS::Cognito::UserPool")))


def test_the_nightly_schedule_and_the_shard_queue_with_its_dead_letters(synthesized) -> None:
    _, raw, _ = synthesized
    functions = resources(raw, "AWS::Serverless::Function")
    nightly = next(f for k, f in functions.items() if "NightlyReport" in k)
    (event,) = nightly["Properties"]["Events"].values()
    assert event["Properties"]["Schedule"] == "cron(0 17 * * ? *)"
    shard = next(f for k, f in functions.items() if "ReportShard" in k)
    (source,) = shard["Properties"]["Events"].values()
    assert source["Type"] == "SQS"
    queues = resources(raw, "AWS::SQS::Queue")
    main = next(q for q in queues.values() if "RedrivePolicy" in q["Properties"])
    assert main["Properties"]["QueueName"] == "xuefa-prod-report-shards"
    assert main["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 3
    assert "xuefa-prod-report-shards" in json.dumps(source["Properties"]["Queue"])


def test_the_leavers_retention_runs_nightly_with_the_rosters_role(synthesized) -> None:
    """#29.4: its own schedule after the nightly report, the roster's role (which may
    delete the leaver's items by BatchWriteItem and their Cognito user), and how long
    leavers are kept from the stack."""
    _, raw, _ = synthesized
    functions = resources(raw, "AWS::Serverless::Function")
    job = next(f for k, f in functions.items() if "RosterRetention" in k)
    (event,) = job["Properties"]["Events"].values()
    assert event["Properties"]["Schedule"] == "cron(30 17 * * ? *)"  # 01:30 Shanghai
    api = next(f for k, f in functions.items() if "RosterApi" in k and "APIHandler" in k)
    assert job["Properties"]["Role"] == api["Properties"]["Role"]
    assert job["Properties"]["Environment"]["Variables"]["XUEFA_LEAVER_RETENTION_DAYS"] == "1826"
    assert job["Properties"]["Timeout"] == 300


def test_the_import_worker_consumes_its_queue_with_the_rosters_role(synthesized) -> None:
    _, raw, _ = synthesized
    functions = resources(raw, "AWS::Serverless::Function")
    worker = next(f for k, f in functions.items() if "RosterImport" in k)
    (source,) = worker["Properties"]["Events"].values()
    assert source["Type"] == "SQS"
    assert "xuefa-prod-roster-imports" in json.dumps(source["Properties"]["Queue"])
    assert worker["Properties"]["Timeout"] == 300
    assert source["Properties"]["ScalingConfig"] == {"MaximumConcurrency": 2}
    api = next(f for k, f in functions.items() if "RosterApi" in k and "APIHandler" in k)
    assert worker["Properties"]["Role"] == api["Properties"]["Role"]
    assert "XUEFA_IMPORT_QUEUE_URL" in api["Properties"]["Environment"]["Variables"]
    queues = resources(raw, "AWS::SQS::Queue")
    (imports,) = [
        q
        for q in queues.values()
        if q["Properties"].get("QueueName") == "xuefa-prod-roster-imports"
    ]
    assert imports["Properties"]["RedrivePolicy"]["maxReceiveCount"] == 3
    assert imports["Properties"]["VisibilityTimeout"] >= 6 * 300
    role = api["Properties"]["Role"]["Fn::GetAtt"][0]
    granted = [
        statement["Action"]
        for policy in resources(raw, "AWS::IAM::Policy").values()
        if {"Ref": role} in policy["Properties"]["Roles"]
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    flat = {a for actions in granted for a in (actions if isinstance(actions, list) else [actions])}
    assert {"sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage"} <= flat


def test_every_function_has_its_own_least_privilege_role(synthesized) -> None:
    _, raw, _ = synthesized
    roles = {
        f["Properties"]["Role"]["Fn::GetAtt"][0]
        for f in resources(raw, "AWS::Serverless::Function").values()
    }
    # One per app (the report's three functions share theirs), and the authorizer's.
    assert len(roles) == 6
    for policy in resources(raw, "AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = (
                statement["Action"]
                if isinstance(statement["Action"], list)
                else [statement["Action"]]
            )
            assert not any(a == "*" or a.endswith(":*") for a in actions), statement
            resource = json.dumps(statement["Resource"])
            assert resource != '"*"', statement
    text = json.dumps(resources(raw, "AWS::IAM::Policy"))
    assert "cognito-idp" not in text  # China: no user pool
    assert text.count("kms:Sign") == 1  # the identity app only signs tokens
    assert text.count("kms:GetPublicKey") == 2  # it and the authorizer read the public keys
    apps = json.dumps(
        {
            name: policy
            for name, policy in resources(raw, "AWS::IAM::Policy").items()
            if name.startswith("Apps")
        }
    )
    # Of the apps, reports (its files, and in a statement of its own the item analysis's
    # under analysis/, #28.1), credits (lessons' content, #26) and exams (the bank's
    # workbooks, #28) only (the site deploys too); credits on the content bucket's content/
    # and exports/ alone, exams on its exports/bank/ alone, and it only reads analysis/.
    assert apps.count("s3:PutObject") == 4
    exams = [
        statement
        for name, policy in resources(raw, "AWS::IAM::Policy").items()
        if name.startswith("AppsExamsRole")
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "ContentBucket" in json.dumps(statement["Resource"])
    ]
    assert [json.dumps(s["Action"]) for s in exams] == ['["s3:PutObject", "s3:GetObject"]']
    assert "exports/bank/*" in json.dumps(exams)
    exams_policies = json.dumps(
        [
            policy
            for name, policy in resources(raw, "AWS::IAM::Policy").items()
            if name.startswith("AppsExamsRole")
        ]
    )
    assert "analysis/*" in exams_policies
    credits = [
        statement
        for name, policy in resources(raw, "AWS::IAM::Policy").items()
        if name.startswith("AppsCreditsRole")
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "ContentBucket" in json.dumps(statement["Resource"])
    ]
    assert sorted(json.dumps(s["Action"]) for s in credits) == [
        '"s3:AbortMultipartUpload"', '["s3:PutObject", "s3:GetObject"]',
    ]  # fmt: skip
    assert "content/*" in json.dumps(credits) and "exports/*" in json.dumps(credits)


def test_the_cursor_key_is_generated_in_secrets_manager_and_in_no_template(synthesized) -> None:
    _, raw, _ = synthesized
    (secret_id,) = resources(raw, "AWS::SecretsManager::Secret")
    secret = raw["Resources"][secret_id]["Properties"]
    assert secret["GenerateSecretString"]["PasswordLength"] == 64
    assert "SecretString" not in secret
    for function in resources(raw, "AWS::Serverless::Function").values():
        variables = function["Properties"]["Environment"]["Variables"]
        assert "XUEFA_CURSOR_SECRET" not in variables
        assert variables["XUEFA_CURSOR_SECRET_ARN"] == {"Ref": secret_id}
    readers = [
        statement
        for policy in resources(raw, "AWS::IAM::Policy").values()
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        if "secretsmanager:GetSecretValue" in statement["Action"]
    ]
    assert len(readers) == 5  # one role per app, each on this secret alone
    assert all(statement["Resource"] == {"Ref": secret_id} for statement in readers)


def test_alarms_watch_errors_throttles_and_dead_letters(synthesized) -> None:
    _, raw, _ = synthesized
    alarms = resources(raw, "AWS::CloudWatch::Alarm").values()
    metrics = [a["Properties"]["MetricName"] for a in alarms]
    # credits, exams, roster and its import worker and retention job, the report's three
    # functions, identity and its authorizer
    assert metrics.count("Errors") == 10 and metrics.count("Throttles") == 10
    assert metrics.count("ApproximateNumberOfMessagesVisible") == 2  # shards, import chunks
    (unit_failed,) = [
        a["Properties"] for a in alarms if a["Properties"]["MetricName"] == "UnitReportFailed"
    ]
    assert unit_failed["Namespace"] == "xuefa" and unit_failed["Threshold"] == 1
    assert unit_failed["Dimensions"] == [{"Name": "service", "Value": "reports"}]


def test_outputs_name_the_apis_identity_and_bucket(synthesized, global_template) -> None:
    common = {"CreditsApiUrl", "ExamsApiUrl", "ReportsApiUrl", "RosterApiUrl", "ReportBucket"}
    common |= {"TableName", "WebUrl"}
    assert common | {"IdentityApiUrl", "Signing1Key"} <= set(synthesized[1]["Outputs"])
    outside = set(global_template[1]["Outputs"])
    assert common | {"UserPoolId", "UserPoolClientId"} <= outside
    assert "cognito:UserPool" not in json.dumps(global_template[1]["Outputs"])
    assert "UserPoolId" not in synthesized[1]["Outputs"]
    assert "IamCertificateId" not in global_template[1].get("Parameters", {})


def test_in_china_the_site_needs_an_icp_domain_and_an_origin_access_identity(synthesized) -> None:
    _, raw, _ = synthesized
    assert {"Domain", "IamCertificateId"} <= set(raw["Parameters"])
    assert not resources(raw, "AWS::CloudFront::Function")  # none in China
    (distribution,) = resources(raw, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert config["Aliases"] == [{"Ref": "Domain"}]
    assert config["ViewerCertificate"]["IamCertificateId"] == {"Ref": "IamCertificateId"}
    assert "OriginAccessIdentity" in json.dumps(config["Origins"])
    assert config["CustomErrorResponses"][0]["ResponsePagePath"] == "/index.html"


def test_the_web_apps_sit_in_a_private_bucket_behind_cloudfront(global_template) -> None:
    from aws_cdk.assertions import Match

    template, raw, _ = global_template
    template.has_resource_properties(
        "AWS::CloudFront::OriginAccessControl",
        {"OriginAccessControlConfig": Match.object_like({"SigningBehavior": "always"})},
    )
    (distribution,) = resources(raw, "AWS::CloudFront::Distribution").values()
    config = distribution["Properties"]["DistributionConfig"]
    assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "redirect-to-https"
    assert "OriginAccessControlId" in json.dumps(config["Origins"])
    behaviours = {b["PathPattern"]: b for b in config["CacheBehaviors"]}
    assert set(behaviours) == {"/credits/*", "/exams/*", "/reports/*", "/roster/*", "/content/*"}
    # Lessons' bodies and media (#26): read-only, same-origin, from the private bucket.
    content = behaviours.pop("/content/*")
    assert content["AllowedMethods"] == ["GET", "HEAD"]
    assert content["ViewerProtocolPolicy"] == "redirect-to-https"
    assert json.dumps(config["Origins"]).count("OriginAccessControlId") == 2
    for behaviour in behaviours.values():
        assert behaviour["ViewerProtocolPolicy"] == "https-only"
        assert "DELETE" in behaviour["AllowedMethods"] and "PUT" in behaviour["AllowedMethods"]
    pages = config["DefaultCacheBehavior"]["FunctionAssociations"][0]
    assert pages["EventType"] == "viewer-request"
    site = [
        b
        for b in resources(raw, "AWS::S3::Bucket").values()
        if "PublicAccessBlockConfiguration" in b["Properties"]
    ]
    assert all(b["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] for b in site)


def test_every_answer_carries_the_security_headers(synthesized, global_template) -> None:
    _, raw, _ = global_template
    (policy,) = resources(raw, "AWS::CloudFront::ResponseHeadersPolicy").values()
    security = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    csp = json.dumps(security["ContentSecurityPolicy"]["ContentSecurityPolicy"])
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert "cognito-idp" in csp
    (china,) = resources(synthesized[1], "AWS::CloudFront::ResponseHeadersPolicy").values()
    assert "cognito-idp" not in json.dumps(china)  # our identity is one of the same-origin APIs
    assert security["StrictTransportSecurity"]["AccessControlMaxAgeSec"] >= 31536000
    assert security["FrameOptions"]["FrameOption"] == "DENY"
    assert security["ContentTypeOptions"]["Override"] is True


def test_config_json_is_written_at_deploy_time_from_the_stacks_values(
    synthesized, global_template
) -> None:
    outside = resources(global_template[1], "Custom::CDKBucketDeployment")
    markers = json.dumps(next(d for n, d in outside.items() if "Pages" in n)["Properties"])
    assert "UsersWeb" in markers and "cognito-idp" in markers  # the client id, the endpoint
    _, raw, _ = synthesized
    deployments = resources(raw, "Custom::CDKBucketDeployment")
    pages = next(d for name, d in deployments.items() if "Pages" in name)
    assert len(pages["Properties"]["SourceObjectKeys"]) == 2  # the pages and config.json
    assert "cognito" not in json.dumps(pages["Properties"]["SourceMarkers"])
    assert pages["Properties"]["SystemMetadata"]["cache-control"] == "no-cache"
    assets = next(d for name, d in deployments.items() if "Assets" in name)
    assert "immutable" in assets["Properties"]["SystemMetadata"]["cache-control"]
    assert "DistributionId" not in json.dumps(deployments)  # no invalidation, no cloudfront:*


@pytest.mark.parametrize(
    ("where", "regions"),
    [("china", ["cn-north-1", "cn-northwest-1"]), ("global", ["ap-southeast-1"])],
)
def test_cfn_lint_finds_no_errors(request, where, regions) -> None:
    _, _, path = request.getfixturevalue("synthesized" if where == "china" else "global_template")
    result = subprocess.run(
        [
            # Its script: `python -m cfnlint` has no __main__ and ran nothing (found nothing).
            str(Path(sys.executable).with_name("cfn-lint")),
            "--format",
            "parseable",
            "--regions",
            *regions,
            "--",  # else --regions takes the template for a region too
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ":E" in line]
    assert errors == [], result.stdout
    assert result.returncode & ~(4 | 8) == 0, result.stderr  # it ran: warnings, infos at most


def test_stateful_resources_keep_their_logical_ids(synthesized, global_template) -> None:
    """A new logical id would make CloudFormation create a new table, pool, bucket, secret
    or queue and strand the data in the old one: these ids must never change."""
    pool = {
        "Users0A0EEA89": "AWS::Cognito::UserPool",
        "UsersWebA39D1A70": "AWS::Cognito::UserPoolClient",
        "Grouplearners": "AWS::Cognito::UserPoolGroup",
        "Groupadmins": "AWS::Cognito::UserPoolGroup",
    }
    outside = global_template[1]["Resources"]
    assert {name: outside[name]["Type"] for name in pool} == pool
    _, raw, _ = synthesized
    kept = {
        "TableCD117FA1": "AWS::DynamoDB::Table",
        "Reports65402A0A": "AWS::S3::Bucket",
        "CursorSecretABAE1358": "AWS::SecretsManager::Secret",
        "ReportShards0F4A3177": "AWS::SQS::Queue",
        "ReportShardsDLQCCB84E24": "AWS::SQS::Queue",
        "WebSiteD504717C": "AWS::S3::Bucket",
    }
    assert {name: raw["Resources"][name]["Type"] for name in kept} == kept


def test_cdk_nag_finds_nothing_neither_fixed_nor_justified(synthesized) -> None:
    """AwsSolutions: each finding is fixed in the stack or suppressed with its reason in
    infra/nag.py."""
    assert NAG == []


def test_buckets_and_cloudfront_log_their_access(synthesized) -> None:
    _, raw, _ = synthesized
    buckets = resources(raw, "AWS::S3::Bucket")
    logged = [b for b in buckets.values() if "LoggingConfiguration" in b["Properties"]]
    assert len(logged) == 3  # the report bucket, the site, the content; the log bucket not
    (distribution,) = resources(raw, "AWS::CloudFront::Distribution").values()
    assert "Logging" in distribution["Properties"]["DistributionConfig"]


def test_year_end_sets_are_kept_and_verification_is_throttled(synthesized) -> None:
    _, raw, _ = synthesized
    rules = [
        rule
        for bucket in resources(raw, "AWS::S3::Bucket").values()
        for rule in bucket["Properties"].get("LifecycleConfiguration", {}).get("Rules", [])
        if rule.get("Prefix", "").startswith("reports/")
    ]
    expiring = {rule["Prefix"] for rule in rules if "ExpirationInDays" in rule}
    assert expiring == {"reports/daily/", "reports/exports/"}  # reports/years/ stays for good
    apis = resources(raw, "AWS::Serverless::Api")
    reports = next(api for name, api in apis.items() if "Reports" in name)
    (setting,) = [s for s in reports["Properties"]["MethodSettings"] if s["ResourcePath"] != "/*"]
    assert setting["ResourcePath"] == "/~1verify~1{code}" and setting["ThrottlingRateLimit"] <= 10
    handlers = resources(raw, "AWS::Serverless::Function")
    report_handler = next(f for name, f in handlers.items() if "ReportsApi" in name)
    public = report_handler["Properties"]["Environment"]["Variables"]["XUEFA_PUBLIC_URL"]
    assert public == {"Fn::Join": ["", ["https://", {"Ref": "Domain"}]]}  # the QR's address


@pytest.mark.parametrize("where", ["china", "global"])
def test_every_api_stage_is_throttled(request, where) -> None:
    """Rate and burst on every method of every stage; the identity's the lowest (a hash a
    sign-in), the verification page's lower still."""
    _, raw, _ = request.getfixturevalue("synthesized" if where == "china" else "global_template")
    limits = {}
    for name, api in resources(raw, "AWS::Serverless::Api").items():
        settings = api["Properties"]["MethodSettings"]
        (stage_wide,) = [s for s in settings if (s["ResourcePath"], s["HttpMethod"]) == ("/*", "*")]
        assert 0 < stage_wide["ThrottlingRateLimit"] <= stage_wide["ThrottlingBurstLimit"], name
        limits[api["Properties"]["StageName"]] = stage_wide["ThrottlingRateLimit"]
    expected = {"credits", "exams", "reports", "roster"} | (
        {"identity"} if where == "china" else set()
    )
    assert set(limits) == expected
    if where == "china":
        assert limits["identity"] == min(limits.values())


def test_the_identity_function_has_reserved_concurrency_the_others_do_not(synthesized) -> None:
    """A flood of unknown logins (each still an Argon2 hash) is held at the identity's own
    reservation and cannot take the concurrency the exams and credits run on."""
    _, raw, _ = synthesized
    reserved = {
        name: f["Properties"].get("ReservedConcurrentExecutions")
        for name, f in resources(raw, "AWS::Serverless::Function").items()
    }
    (handler,) = [n for n in reserved if n.startswith("AppsIdentityApi") and "APIHandler" in n]
    assert 10 <= reserved.pop(handler) <= 100
    assert set(reserved.values()) == {None}


def test_in_china_a_regional_web_acl_guards_the_identity_stage(
    synthesized, global_template
) -> None:
    """AWS WAF exists in the China regions at the regional level only: a web ACL on the
    identity API's stage, its rate-based rule on sign-ins per client address."""
    _, raw, _ = synthesized
    (acl,) = resources(raw, "AWS::WAFv2::WebACL").values()
    assert acl["Properties"]["Scope"] == "REGIONAL"
    (rule,) = acl["Properties"]["Rules"]
    rate = rule["Statement"]["RateBasedStatement"]
    assert rule["Action"] == {"Block": {}} and rate["AggregateKeyType"] == "FORWARDED_IP"
    assert rate["ScopeDownStatement"]["ByteMatchStatement"]["SearchString"] == "/sign-in"
    (association,) = resources(raw, "AWS::WAFv2::WebACLAssociation").values()
    target = json.dumps(association["Properties"]["ResourceArn"])
    identity_api = next(n for n in resources(raw, "AWS::Serverless::Api") if "Identity" in n)
    assert identity_api in target and "/stages/identity" in target
    assert association["DependsOn"] == [f"{identity_api}identityStage"]  # SAM's stage
    # Outside China Cognito signs in: no identity API, no web ACL for it.
    assert resources(global_template[1], "AWS::WAFv2::WebACL") == {}


def test_the_web_client_cannot_write_the_unit_claim(global_template) -> None:
    """A user writes only what the app client names (an empty list would mean all of
    them): never `custom:unit_id`, which the ID token still carries."""
    _, raw, _ = global_template
    (client,) = resources(raw, "AWS::Cognito::UserPoolClient").values()
    writes = client["Properties"]["WriteAttributes"]
    assert writes and "custom:unit_id" not in writes
    assert "custom:unit_id" in client["Properties"]["ReadAttributes"]


def test_the_content_bucket_is_private_tls_only_and_takes_presigned_puts(synthesized) -> None:
    """Lessons' bodies and media (#26): never public; read through the distribution."""
    _, raw, _ = synthesized
    buckets = resources(raw, "AWS::S3::Bucket")
    content = buckets["ContentBucket"]["Properties"]
    assert all(content["PublicAccessBlockConfiguration"].values())
    (cors,) = content["CorsConfiguration"]["CorsRules"]
    assert (cors["AllowedMethods"], cors["ExposedHeaders"]) == (["PUT"], ["ETag"])
    rules = {r["Id"]: r for r in content["LifecycleConfiguration"]["Rules"]}
    assert rules["abandoned-uploads"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 7
    assert rules["review-exports"]["ExpirationInDays"] == 1
    policies = [
        p["Properties"]["PolicyDocument"]
        for p in resources(raw, "AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": "ContentBucket"}
    ]
    assert "aws:SecureTransport" in json.dumps(policies)
