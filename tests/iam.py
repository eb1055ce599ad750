"""What IAM is asked when a function calls AWS, and whether a role's policy allows it.

`requests_of` turns one botocore call (service, operation, the caller's parameters) into
the IAM requests it makes: action, resource ARN and condition keys. A transaction asks
for each of its items' actions (a TransactWriteItems of a Put and a Delete needs
dynamodb:PutItem and dynamodb:DeleteItem, each on its own table); a batch asks for the
batch action with every item's partition key as `dynamodb:LeadingKeys`.

`Policy` evaluates a role's statements as IAM does for one principal: an explicit Deny
wins, then any Allow whose action, resource and conditions all match. The template's
ARNs are resolved with `World`: the names the tests gave the stack's resources (the
table, the bucket, the signing keys, the user pool, the queue).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

PARTITION = "aws"
ACCOUNT = "123456789012"  # moto's


@dataclass(frozen=True)
class Request:
    action: str  # "dynamodb:PutItem"
    resource: str  # an ARN
    context: dict[str, list[str]] = field(default_factory=dict)  # condition keys

    def describe(self) -> str:
        keys = "; ".join(f"{k}={v}" for k, v in sorted(self.context.items()))
        return f"{self.action} on {self.resource}" + (f" ({keys})" if keys else "")


# --- calls to requests --------------------------------------------------------------

# Operations whose IAM action is not their own name.
S3_ACTIONS = {
    "HeadObject": "GetObject",
    "ListObjectsV2": "ListBucket",
    "ListObjects": "ListBucket",
    "HeadBucket": "ListBucket",
    "DeleteObjects": "DeleteObject",
    # A multipart upload's steps are all s3:PutObject to IAM.
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "CompleteMultipartUpload": "PutObject",
}
TRANSACT_ACTIONS = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
    "Get": "GetItem",
}


def requests_of(service: str, operation: str, params: dict[str, Any], region: str) -> list[Request]:
    if service == "dynamodb":
        return _dynamodb(operation, params, region)
    if service == "s3":
        return _s3(operation, params)
    if service == "kms":
        return [Request(f"kms:{operation}", _kms_arn(str(params.get("KeyId", "")), region))]
    if service == "sqs":
        url = str(params.get("QueueUrl", ""))
        name = url.rstrip("/").rsplit("/", 1)[-1] or str(params.get("QueueName", ""))
        action = {"SendMessageBatch": "SendMessage", "DeleteMessageBatch": "DeleteMessage"}
        return [
            Request(
                f"sqs:{action.get(operation, operation)}",
                f"arn:{PARTITION}:sqs:{region}:{ACCOUNT}:{name}",
            )
        ]
    if service == "cognito-idp":
        pool = str(params.get("UserPoolId", "*"))
        return [
            Request(
                f"cognito-idp:{operation}",
                f"arn:{PARTITION}:cognito-idp:{region}:{ACCOUNT}:userpool/{pool}",
            )
        ]
    if service == "secretsmanager":
        secret = str(params.get("SecretId", ""))
        if not secret.startswith("arn:"):
            secret = f"arn:{PARTITION}:secretsmanager:{region}:{ACCOUNT}:secret:{secret}"
        return [Request(f"secretsmanager:{operation}", secret)]
    # Anything else is asked for on "*": only a statement for that service can allow it.
    return [Request(f"{service}:{operation}", "*")]


def table_arn(table: str, region: str, index: str | None = None) -> str:
    arn = f"arn:{PARTITION}:dynamodb:{region}:{ACCOUNT}:table/{table}"
    return f"{arn}/index/{index}" if index else arn


def _kms_arn(key_id: str, region: str) -> str:
    if key_id.startswith("arn:"):
        return key_id
    if key_id.startswith("alias/"):
        return f"arn:{PARTITION}:kms:{region}:{ACCOUNT}:{key_id}"
    return f"arn:{PARTITION}:kms:{region}:{ACCOUNT}:key/{key_id}"


def _leading(item_or_key: dict[str, Any] | None, key_name: str = "pk") -> list[str]:
    value = (item_or_key or {}).get(key_name)
    if isinstance(value, dict):  # the low-level client's {"S": "..."}
        value = next(iter(value.values()), None)
    return [str(value)] if value is not None else []


def _query_leading(params: dict[str, Any]) -> list[str]:
    """The partition key a Query names: `<name> = <:value>` in its key condition."""
    expression = str(params.get("KeyConditionExpression", ""))
    names = params.get("ExpressionAttributeNames") or {}
    values = params.get("ExpressionAttributeValues") or {}
    key_name = "gsi1pk" if params.get("IndexName") else "pk"
    for name, placeholder in re.findall(r"([#\w]+)\s*=\s*(:\w+)", expression):
        if names.get(name, name) == key_name:
            return _leading({"v": values.get(placeholder)}, "v")
    return []


def _ask(action: str, table: str, region: str, index: Any, keys: list[str]) -> Request:
    context = {"dynamodb:LeadingKeys": keys} if keys else {}
    return Request(f"dynamodb:{action}", table_arn(table, region, index), context)


def _transaction(params: dict[str, Any], region: str) -> list[Request]:
    """Each item of a transaction is asked for as its own action, on its own table."""
    out = []
    for entry in params.get("TransactItems", []):
        ((kind, body),) = entry.items()
        keys = _leading(body.get("Item") or body.get("Key"))
        out.append(_ask(TRANSACT_ACTIONS[kind], str(body.get("TableName")), region, None, keys))
    return out


def _batch(operation: str, params: dict[str, Any], region: str) -> list[Request]:
    """A batch is asked for once per table, with every item's partition key."""
    out = []
    for table, entries in (params.get("RequestItems") or {}).items():
        keys: list[str] = []
        if operation == "BatchGetItem":
            for key in entries.get("Keys", []):
                keys += _leading(key)
        else:
            for entry in entries:
                put = entry.get("PutRequest", {}).get("Item")
                keys += _leading(put or entry.get("DeleteRequest", {}).get("Key"))
        out.append(_ask(operation, str(table), region, None, sorted(set(keys))))
    return out


def _dynamodb(operation: str, params: dict[str, Any], region: str) -> list[Request]:
    if operation in ("TransactWriteItems", "TransactGetItems"):
        return _transaction(params, region)
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return _batch(operation, params, region)
    table = str(params.get("TableName", ""))
    index = params.get("IndexName")
    if operation == "Query":
        return [_ask("Query", table, region, index, _query_leading(params))]
    if operation == "Scan":
        return [_ask("Scan", table, region, index, [])]
    return [_ask(operation, table, region, None, _leading(params.get("Item") or params.get("Key")))]


def _s3(operation: str, params: dict[str, Any]) -> list[Request]:
    bucket = str(params.get("Bucket", ""))
    action = f"s3:{S3_ACTIONS.get(operation, operation)}"
    if operation in ("ListObjectsV2", "ListObjects", "HeadBucket"):
        prefix = params.get("Prefix")
        context = {"s3:prefix": [str(prefix)]} if prefix is not None else {}
        return [Request(action, f"arn:{PARTITION}:s3:::{bucket}", context)]
    if operation == "DeleteObjects":
        objects = (params.get("Delete") or {}).get("Objects", [])
        return [Request(action, f"arn:{PARTITION}:s3:::{bucket}/{o['Key']}") for o in objects]
    if operation == "CopyObject":
        source = params.get("CopySource")
        if isinstance(source, dict):
            source = f"{source.get('Bucket')}/{source.get('Key')}"
        return [
            Request("s3:GetObject", f"arn:{PARTITION}:s3:::{str(source).lstrip('/')}"),
            Request("s3:PutObject", f"arn:{PARTITION}:s3:::{bucket}/{params.get('Key')}"),
        ]
    key = params.get("Key")
    resource = f"arn:{PARTITION}:s3:::{bucket}" + (f"/{key}" if key is not None else "")
    return [Request(action, resource)]


# --- the template's side --------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """The physical names the tests gave the stack's resources, to resolve the template's
    references into the ARNs the recorded calls name."""

    region: str
    table: str
    bucket: str
    signing_keys: tuple[str, ...] = ()
    user_pool_id: str = ""
    queue_name: str = ""
    content_bucket: str = ""

    @classmethod
    def of(cls, env: dict[str, str], resources: Sequence[str] = ()) -> World:
        """From the environment at the call; a name it lacks (a test that undid its
        environment while the function kept the names it had read) from the call itself."""
        queue = env.get("XUEFA_REPORT_QUEUE_URL", "").rstrip("/").rsplit("/", 1)[-1]
        tables = [r.split(":table/", 1)[1].split("/")[0] for r in resources if ":table/" in r]
        buckets = [r.split(":::", 1)[1].split("/")[0] for r in resources if ":s3:::" in r]
        return cls(
            region=env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or "us-east-1",
            table=env.get("XUEFA_TABLE") or next(iter(tables), ""),
            bucket=env.get("XUEFA_BUCKET") or next(iter(buckets), ""),
            signing_keys=tuple(k for k in env.get("XUEFA_SIGNING_KEYS", "").split(",") if k),
            user_pool_id=env.get("XUEFA_USER_POOL_ID", ""),
            queue_name=queue or env.get("XUEFA_REPORT_QUEUE_NAME", ""),
            content_bucket=env.get("XUEFA_CONTENT_BUCKET", ""),
        )


class Unresolved(str):
    """A part of the template this resolver cannot name: it matches no ARN."""


class Resolver:
    def __init__(self, template: dict[str, Any], world: World):
        self.resources: dict[str, Any] = template["Resources"]
        self.world = world
        # Generations in the order they are declared: the first one signs.
        self.keys = [
            lid
            for lid, r in self.resources.items()
            if r["Type"] == "AWS::KMS::Key" and r["Properties"].get("KeyUsage") == "SIGN_VERIFY"
        ]

    def _bound(self, lid: str) -> dict[str, str]:
        """Ref and Arn of a resource the tests stand in for ({} when none does)."""
        w, kind = self.world, self.resources[lid]["Type"]
        if kind == "AWS::DynamoDB::Table":
            return {"Ref": w.table, "Arn": table_arn(w.table, w.region)}
        if kind == "AWS::S3::Bucket" and "server_access" not in lid and lid.startswith("Reports"):
            return {"Ref": w.bucket, "Arn": f"arn:{PARTITION}:s3:::{w.bucket}"}
        if kind == "AWS::S3::Bucket" and lid.startswith("ContentBucket") and w.content_bucket:
            return {"Ref": w.content_bucket, "Arn": f"arn:{PARTITION}:s3:::{w.content_bucket}"}
        if kind == "AWS::KMS::Key" and lid in self.keys:
            position = self.keys.index(lid)
            if position < len(w.signing_keys):
                arn = w.signing_keys[position]
                return {"Ref": arn.rsplit("/", 1)[-1], "Arn": arn}
        if kind == "AWS::Cognito::UserPool" and w.user_pool_id:
            arn = f"arn:{PARTITION}:cognito-idp:{w.region}:{ACCOUNT}:userpool/{w.user_pool_id}"
            return {"Ref": w.user_pool_id, "Arn": arn}
        if kind == "AWS::SQS::Queue" and "RedrivePolicy" in self.resources[lid]["Properties"]:
            arn = f"arn:{PARTITION}:sqs:{w.region}:{ACCOUNT}:{w.queue_name}"
            return {"Arn": arn}
        return {}

    def __call__(self, value: Any) -> str:
        if isinstance(value, str):
            return value
        if isinstance(value, dict) and len(value) == 1:
            ((fn, arg),) = value.items()
            if fn == "Ref":
                pseudo = {
                    "AWS::Partition": PARTITION,
                    "AWS::Region": self.world.region,
                    "AWS::AccountId": ACCOUNT,
                    "AWS::URLSuffix": "amazonaws.com",
                }
                if arg in pseudo:
                    return pseudo[arg]
                return self._bound(arg).get("Ref") or Unresolved(f"<Ref {arg}>")
            if fn == "Fn::GetAtt":
                lid, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self._bound(lid).get(attribute) or Unresolved(f"<{lid}.{attribute}>")
            if fn == "Fn::Join":
                separator, parts = arg
                resolved = [self(p) for p in parts]
                joined = separator.join(resolved)
                if any(isinstance(p, Unresolved) for p in resolved):
                    return Unresolved(joined)
                return joined
        return Unresolved(f"<{value!r}>")

    def all_of(self, resources: list[Any]) -> list[str]:
        """A statement's resources. One that names every signing key of the stack names
        every key the tests sign with: a rotation test runs with two generations where
        the template (one generation in its context) declares one."""
        out = [self(r) for r in resources]
        named = {r["Fn::GetAtt"][0] for r in resources if isinstance(r, dict) and "Fn::GetAtt" in r}
        if self.keys and set(self.keys) <= named:
            out += [k for k in self.world.signing_keys if k not in out]
        return out


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def wildcard(pattern: str, *, case: bool = True) -> re.Pattern[str]:
    """IAM's `*` (any characters, `/` and `:` included) and `?` (one character)."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(f"^{body}$", 0 if case else re.IGNORECASE)


def _matches(patterns: list[str], value: str, *, case: bool = True) -> bool:
    return any(
        not isinstance(p, Unresolved) and wildcard(p, case=case).match(value) for p in patterns
    )


def _condition_holds(operator: str, key: str, wanted: list[str], request: Request) -> bool:
    """The operators our policies use; any other fails closed (a role would need it
    understood here before it can allow anything)."""
    quantifier, _, test = operator.rpartition(":")
    present = request.context.get(key)

    def one(value: str) -> bool:
        if test == "StringEquals":
            return value in wanted
        if test == "StringLike":
            return any(wildcard(w).match(value) for w in wanted)
        if test == "StringNotEquals":
            return value not in wanted
        if test == "StringNotLike":
            return not any(wildcard(w).match(value) for w in wanted)
        raise NotImplementedError(operator)

    if quantifier == "ForAllValues":
        # IAM: true for an absent key too, which is why a LeadingKeys statement must be
        # paired with actions that always carry a key (a Scan would pass it).
        return all(one(v) for v in present or [])
    if quantifier == "ForAnyValue":
        return any(one(v) for v in present or [])
    if not present:
        return test.startswith("StringNot")
    return all(one(v) for v in present)


@dataclass(frozen=True)
class Statement:
    effect: str
    actions: list[str]
    resources: list[str]
    conditions: dict[str, dict[str, list[str]]]
    source: str  # the policy's logical id, for the report

    def covers(self, request: Request) -> bool:
        if not _matches(self.actions, request.action, case=False):
            return False
        if not _matches(self.resources, request.resource):
            return False
        try:
            return all(
                _condition_holds(operator, key, [str(v) for v in _listed(values)], request)
                for operator, tests in self.conditions.items()
                for key, values in tests.items()
            )
        except NotImplementedError:
            return False


class Policy:
    """Every statement attached to one role: its inline policies and the AWS::IAM::Policy
    resources that name it (managed policies add only CloudWatch Logs)."""

    def __init__(self, template: dict[str, Any], role: str, resolve: Resolver):
        self.role = role
        self.statements: list[Statement] = []
        resources = template["Resources"]
        documents = []
        for policy in resources[role]["Properties"].get("Policies", []):
            documents.append((f"{role}.{policy.get('PolicyName')}", policy["PolicyDocument"]))
        for lid, resource in resources.items():
            if resource["Type"] == "AWS::IAM::Policy" and {"Ref": role} in resource[
                "Properties"
            ].get("Roles", []):
                documents.append((lid, resource["Properties"]["PolicyDocument"]))
        for source, document in documents:
            for s in _listed(document["Statement"]):
                self.statements.append(
                    Statement(
                        effect=s["Effect"],
                        actions=[str(a) for a in _listed(s.get("Action", []))],
                        resources=resolve.all_of(_listed(s.get("Resource", []))),
                        conditions=s.get("Condition", {}),
                        source=source,
                    )
                )

    def allows(self, request: Request) -> bool:
        if any(s.effect == "Deny" and s.covers(request) for s in self.statements):
            return False
        return any(s.effect == "Allow" and s.covers(request) for s in self.statements)

    def nearest(self, request: Request) -> str:
        """What the role has for this action, for a failure to show."""
        near = [
            s
            for s in self.statements
            if s.effect == "Allow" and _matches(s.actions, request.action, case=False)
        ]
        if not near:
            return "no statement of the role names this action"
        return "; ".join(
            f"{s.source} allows it on {s.resources}"
            + (f" when {s.conditions}" if s.conditions else "")
            for s in near
        )


def function_roles(template: dict[str, Any]) -> dict[tuple[str, str], str]:
    """(app, handler) → the role's logical id, for every function in the template. The
    app comes from the construct's id (Apps<App>Api…), the handler is `app.<name>`."""
    out = {}
    for lid, resource in template["Resources"].items():
        if resource["Type"] not in ("AWS::Serverless::Function", "AWS::Lambda::Function"):
            continue
        match = re.match(r"^Apps([A-Z][a-z]+)Api", lid)
        role = resource["Properties"].get("Role")
        if not match or not isinstance(role, dict) or "Fn::GetAtt" not in role:
            continue
        handler = str(resource["Properties"].get("Handler", "")).split(".", 1)[-1]
        out[(match.group(1).lower(), handler)] = role["Fn::GetAtt"][0]
    return out
