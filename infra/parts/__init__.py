"""The stack's parts, one construct each: data, identity, the report pipeline, the apps,
monitoring and the web apps. Each is small enough to read at once."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk


def keep_logical_id(resource: Any, logical_id: str) -> None:
    """Stateful resources keep the logical id they had before the stack was split into
    constructs: a new id would make CloudFormation create a new table (or pool, bucket,
    secret, queue) and leave the data behind in the old one."""
    child = resource.node.default_child
    assert isinstance(child, cdk.CfnResource)
    child.override_logical_id(logical_id)


def in_china(stack: cdk.Stack) -> bool:
    """The AWS China partition (Beijing, Ningxia): no Cognito user pools, no CloudFront
    Functions or origin access control, and an ICP-filed domain for the site."""
    return stack.region.startswith("cn-")
