"""cdk-nag's AwsSolutions pack on the stack: every finding is fixed, or suppressed here
with the reason it does not apply. `make synth`, `make lint` and the infra tests run it;
an unsuppressed finding fails them (tests/infra)."""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks, NagPackSuppression, NagSuppressions

from infra.parts import in_china

# CDK's own custom resources (BucketDeployment, auto-delete of objects): CDK writes their
# roles and picks their runtimes; their rights are the asset bucket and the target bucket.
CDK_OWNED = [
    NagPackSuppression(
        id="AwsSolutions-IAM4",
        reason="CDK's custom resource role: AWSLambdaBasicExecutionRole, logs only",
    ),
    NagPackSuppression(
        id="AwsSolutions-IAM5",
        reason="CDK's BucketDeployment copies every object of the asset into the site bucket: "
        "object-level wildcards on those two buckets only",
    ),
    NagPackSuppression(id="AwsSolutions-L1", reason="runtime chosen and upgraded by CDK"),
]

BY_PATH = {
    "Apps/CreditsRole/Resource": "logs",
    "Apps/ExamsRole/Resource": "logs",
    "Apps/ReportsRole/Resource": "logs",
    "Apps/RosterRole/Resource": "logs",
    "Apps/IdentityRole/Resource": "logs",
    "Apps/AuthorizerRole/Resource": "logs",
}

LOGS = NagPackSuppression(
    id="AwsSolutions-IAM4",
    reason="AWSLambdaBasicExecutionRole: CloudWatch Logs writes for the function only; the "
    "function names are generated at deploy, so no narrower resource can be written here",
)
REPORT_OBJECTS = NagPackSuppression(
    id="AwsSolutions-IAM5",
    reason="the reports app writes and reads report files it names itself, all under "
    "reports/ of the report bucket (daily sets, exports), and the item analysis's under "
    "analysis/ (its parts and files, #28.1); nothing else in the bucket",
    applies_to=[
        "Resource::<Reports65402A0A.Arn>/reports/*",
        "Resource::<Reports65402A0A.Arn>/analysis/*",
    ],
)
ANALYSIS_READS = NagPackSuppression(
    id="AwsSolutions-IAM5",
    reason="the exams app reads (and links) the item analysis's files under analysis/ of "
    "the report bucket, which the reports app writes with names of its own (#28.1)",
    applies_to=["Resource::<Reports65402A0A.Arn>/analysis/*"],
)
CONTENT_OBJECTS = NagPackSuppression(
    id="AwsSolutions-IAM5",
    reason="the credits app writes lesson bodies and signs authors' uploads under content/ "
    "of the content bucket (keys it names: content/<year>/<lesson>/v<n>/...), and the review "
    "list's exports under exports/; nothing else in the bucket (#26)",
    applies_to=[
        "Resource::<ContentBucket.Arn>/content/*",
        "Resource::<ContentBucket.Arn>/exports/*",
    ],
)
STACK_WIDE = [
    NagPackSuppression(
        id="AwsSolutions-COG1",
        reason="8+ characters with upper, lower and a digit (the learners' phones and "
        "keyboards); temporary passwords are 12 random characters; sign-in lockout and "
        "back-off come with our own identity service (the China regions)",
    ),
    NagPackSuppression(
        id="AwsSolutions-COG2",
        reason="no second factor in the programme's rules: SMS MFA is unavailable in the China "
        "regions, which production moves to; admins' MFA is planned with that identity service",
    ),
    NagPackSuppression(
        id="AwsSolutions-COG8",
        reason="Cognito's Plus tier (threat protection) is a paid feature absent from the "
        "China regions; the pool is the global-region stand-in",
    ),
    NagPackSuppression(
        id="AwsSolutions-SMG4",
        reason="the secret signs paging cursors that live minutes; a new key only makes an "
        "open cursor fail with a 400, so it is rotated by replacing it, not by a rotation "
        "function",
    ),
    NagPackSuppression(
        id="AwsSolutions-CFR1",
        reason="state employees study wherever they are; every request past the static app "
        "needs a signed-in token",
    ),
    NagPackSuppression(
        id="AwsSolutions-CFR2",
        reason="AWS WAF in the China regions is regional only (no web ACL on CloudFront "
        "there): the identity API's stage has a regional web ACL (infra/parts/firewall.py), "
        "every API stage throttles, and all but sign-in and /health need a token",
    ),
    NagPackSuppression(
        id="AwsSolutions-CFR4",
        reason="with the default *.cloudfront.net certificate CloudFront allows TLSv1; the "
        "minimum is TLSv1.2_2021 as soon as the custom domain's certificate is attached",
    ),
]

BANK_FILES = NagPackSuppression(
    id="AwsSolutions-IAM5",
    reason="the exams app writes the question bank's template and export, keys it names "
    "itself (exports/bank/<year>/<kind>-<random>.xlsx), and signs their download links; "
    "nothing else in the content bucket (#28)",
    applies_to=["Resource::<ContentBucket.Arn>/exports/bank/*"],
)


ALARM_TOPIC = NagPackSuppression(
    id="AwsSolutions-SNS2",
    reason="the alarm topic carries CloudWatch's alarm notices (an alarm's name, state and "
    "runbook), no personal data; TLS is enforced on it (SNS3)",
)


CHINA_ORIGIN = NagPackSuppression(
    id="AwsSolutions-CFR7",
    reason="origin access control does not exist in CloudFront's China regions; the site "
    "bucket is reached through an origin access identity and blocks all public access",
)


def apply_nag(app: cdk.App, stack: cdk.Stack) -> None:
    cdk.Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    NagSuppressions.add_stack_suppressions(stack, STACK_WIDE)
    for path in BY_PATH:
        if stack.node.try_find_child(path.split("/")[0]) is None:
            continue
        if stack.node.find_child("Apps").node.try_find_child(path.split("/")[1]) is None:
            continue  # the identity app's roles exist with our own identity only
        NagSuppressions.add_resource_suppressions_by_path(
            stack, f"/{stack.stack_name}/{path}", [LOGS]
        )
    if in_china(stack):
        NagSuppressions.add_resource_suppressions_by_path(
            stack, f"/{stack.stack_name}/Web/Distribution/Resource", [CHINA_ORIGIN]
        )
    NagSuppressions.add_resource_suppressions_by_path(
        stack,
        f"/{stack.stack_name}/Apps/ReportsRole/DefaultPolicy/Resource",
        [REPORT_OBJECTS],
    )
    NagSuppressions.add_resource_suppressions_by_path(
        stack,
        f"/{stack.stack_name}/Apps/CreditsRole/DefaultPolicy/Resource",
        [CONTENT_OBJECTS],
    )
    NagSuppressions.add_resource_suppressions_by_path(
        stack,
        f"/{stack.stack_name}/Apps/ExamsRole/DefaultPolicy/Resource",
        [BANK_FILES, ANALYSIS_READS],
    )
    NagSuppressions.add_resource_suppressions_by_path(
        stack, f"/{stack.stack_name}/Monitoring/Alarms/Resource", [ALARM_TOPIC]
    )
    for child in stack.node.children:
        if child.node.id.startswith("Custom::"):
            NagSuppressions.add_resource_suppressions(child, CDK_OWNED, apply_to_children=True)


def findings(assembly: cdk.cx_api.CloudAssembly, stack_name: str) -> list[str]:
    """cdk-nag's unsuppressed findings on a synthesized stack."""
    artifact = assembly.get_stack_by_name(stack_name)
    return [
        f"{message.id}: {message.entry.data}"
        for message in artifact.messages
        if "AwsSolutions-" in str(message.entry.data) and message.level.name in ("ERROR", "WARNING")
    ]
