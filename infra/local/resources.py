"""Creates the table, bucket, user pool and signing key that infra/ declares,
idempotently, against whatever endpoint boto3 is pointed at (moto here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xuefa.store.table import create_table_request

POOL_NAME = "xuefa-local"
CLIENT_NAME = "xuefa-web"
GROUPS = ("learners", "admins")
SIGNING_ALIAS = "alias/xuefa-local-signing"


@dataclass(frozen=True)
class Pool:
    pool_id: str
    client_id: str


def ensure_table(dynamodb: Any, table_name: str) -> None:
    if table_name not in dynamodb.list_tables()["TableNames"]:
        dynamodb.create_table(**create_table_request(table_name))


def ensure_content_bucket(s3: Any, bucket: str) -> None:
    """The content bucket, with the CORS rule infra/ gives it: the console PUTs to it
    with presigned URLs from another origin (moto's port here)."""
    ensure_bucket(s3, bucket)
    s3.put_bucket_cors(
        Bucket=bucket,
        CORSConfiguration={
            "CORSRules": [
                {
                    "AllowedMethods": ["PUT"],
                    "AllowedOrigins": ["*"],
                    "AllowedHeaders": ["Content-Type"],
                    "ExposeHeaders": ["ETag"],
                    "MaxAgeSeconds": 3600,
                }
            ]
        },
    )


def ensure_bucket(s3: Any, bucket: str) -> None:
    names = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
    if bucket not in names:
        s3.create_bucket(Bucket=bucket)


def ensure_pool(cognito: Any) -> Pool:
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    pool_id = next((p["Id"] for p in pools if p["Name"] == POOL_NAME), None)
    if pool_id is None:
        pool_id = cognito.create_user_pool(
            PoolName=POOL_NAME,
            Policies={
                "PasswordPolicy": {
                    "MinimumLength": 8,
                    "RequireUppercase": True,
                    "RequireLowercase": True,
                    "RequireNumbers": True,
                    "RequireSymbols": False,
                }
            },
            Schema=[{"Name": "unit_id", "AttributeDataType": "String", "Mutable": True}],
        )["UserPool"]["Id"]
    existing = {g["GroupName"] for g in cognito.list_groups(UserPoolId=pool_id)["Groups"]}
    for group in GROUPS:
        if group not in existing:
            cognito.create_group(UserPoolId=pool_id, GroupName=group)
    clients = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=60)["UserPoolClients"]
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == CLIENT_NAME), None)
    if client_id is None:
        client_id = cognito.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName=CLIENT_NAME,
            GenerateSecret=False,
            ExplicitAuthFlows=[
                "ALLOW_USER_PASSWORD_AUTH",
                "ALLOW_USER_SRP_AUTH",
                "ALLOW_REFRESH_TOKEN_AUTH",
            ],
        )["UserPoolClient"]["ClientId"]
    return Pool(pool_id=pool_id, client_id=client_id)


def ensure_user(
    cognito: Any, pool_id: str, username: str, password: str, unit_id: str, group: str
) -> None:
    """A signed-in-ready account (permanent password) in its group."""
    try:
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=username,
            TemporaryPassword=password,
            UserAttributes=[{"Name": "custom:unit_id", "Value": unit_id}],
            MessageAction="SUPPRESS",
        )
    except cognito.exceptions.UsernameExistsException:
        return
    cognito.admin_set_user_password(
        UserPoolId=pool_id, Username=username, Password=password, Permanent=True
    )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def ensure_signing_key(kms: Any) -> str:
    """The ARN of the asymmetric key that signs our own identity's tokens."""
    aliases = kms.list_aliases()["Aliases"]
    target = next((a.get("TargetKeyId") for a in aliases if a["AliasName"] == SIGNING_ALIAS), None)
    if target is None:
        target = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
        kms.create_alias(AliasName=SIGNING_ALIAS, TargetKeyId=target)
    return str(kms.describe_key(KeyId=target)["KeyMetadata"]["Arn"])
