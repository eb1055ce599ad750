"""The role check (tests/iam.py) refuses what IAM would refuse: each item of a transaction
as its own action, a key outside the LeadingKeys, a resource outside the ARN."""

from __future__ import annotations

from typing import Any

from tests.iam import Policy, Resolver, World, function_roles, requests_of

REGION = "us-east-1"
WORLD = World(region=REGION, table="xuefa-test", bucket="xuefa-test-reports")
TABLE_ARN = {"Fn::GetAtt": ["TableCD117FA1", "Arn"]}


def template(*statements: dict[str, Any]) -> dict[str, Any]:
    return {
        "Resources": {
            "TableCD117FA1": {"Type": "AWS::DynamoDB::Table", "Properties": {}},
            "Reports65402A0A": {"Type": "AWS::S3::Bucket", "Properties": {}},
            "AppsIdentityRoleA1": {"Type": "AWS::IAM::Role", "Properties": {}},
            "AppsIdentityRoleDefaultPolicy": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "Roles": [{"Ref": "AppsIdentityRoleA1"}],
                    "PolicyDocument": {"Statement": list(statements)},
                },
            },
            "AppsIdentityApiChaliceAppAPIHandlerX": {
                "Type": "AWS::Serverless::Function",
                "Properties": {
                    "Handler": "app.app",
                    "Role": {"Fn::GetAtt": ["AppsIdentityRoleA1", "Arn"]},
                },
            },
        }
    }


def allow(actions: list[str], resource: Any, condition: dict[str, Any] | None = None) -> Any:
    statement = {"Effect": "Allow", "Action": actions, "Resource": resource}
    return {**statement, "Condition": condition} if condition else statement


def policy(*statements: dict[str, Any]) -> Policy:
    raw = template(*statements)
    role = function_roles(raw)[("identity", "app")]
    return Policy(raw, role, Resolver(raw, WORLD))


SIGN_IN = {  # a successful sign-in: the guard item deleted, an audit entry put
    "TransactItems": [
        {"Delete": {"TableName": "xuefa-test", "Key": {"pk": {"S": "ACCOUNT#a"}}}},
        {"Put": {"TableName": "xuefa-test", "Item": {"pk": {"S": "AUDIT#2026#d"}}}},
    ]
}


def test_a_transaction_asks_for_each_items_action() -> None:
    asked = requests_of("dynamodb", "TransactWriteItems", SIGN_IN, REGION)
    assert [r.action for r in asked] == ["dynamodb:DeleteItem", "dynamodb:PutItem"]
    without_delete = policy(allow(["dynamodb:PutItem", "dynamodb:UpdateItem"], TABLE_ARN))
    assert [without_delete.allows(r) for r in asked] == [False, True]


def test_leading_keys_allow_only_the_named_partitions() -> None:
    narrowed = policy(
        allow(
            ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
            TABLE_ARN,
            {"ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["ACCOUNT#*", "AUDIT#*"]}},
        )
    )
    asked = requests_of("dynamodb", "TransactWriteItems", SIGN_IN, REGION)
    assert all(narrowed.allows(r) for r in asked)
    (other,) = requests_of(
        "dynamodb",
        "GetItem",
        {"TableName": "xuefa-test", "Key": {"pk": {"S": "LEARNER#1"}}},
        REGION,
    )
    assert not narrowed.allows(other)


def test_a_joined_arn_is_resolved_and_other_buckets_or_tables_are_refused() -> None:
    reports = {"Fn::Join": ["", [{"Fn::GetAtt": ["Reports65402A0A", "Arn"]}, "/reports/*"]]}
    bucket = policy(allow(["s3:GetObject"], reports), allow(["dynamodb:Query"], TABLE_ARN))
    (inside,) = requests_of(
        "s3", "GetObject", {"Bucket": "xuefa-test-reports", "Key": "reports/a"}, REGION
    )
    (outside,) = requests_of(
        "s3", "GetObject", {"Bucket": "xuefa-test-reports", "Key": "web/a"}, REGION
    )
    assert bucket.allows(inside) and not bucket.allows(outside)
    query = {"TableName": "xuefa-test", "IndexName": "gsi1", "KeyConditionExpression": "#pk = :pk"}
    (on_index,) = requests_of("dynamodb", "Query", query, REGION)
    assert not bucket.allows(on_index)  # the table's ARN does not cover its index
