"""The whole system as one CDK stack, put together from its parts (infra/constructs/):
data, identity, the report pipeline, the four apps, monitoring and the web apps."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from infra.parts import in_china
from infra.parts.apps import Apps
from infra.parts.data import Data
from infra.parts.firewall import IdentityFirewall
from infra.parts.identity import Identity
from infra.parts.monitoring import Monitoring
from infra.parts.pipeline import ReportPipeline
from infra.parts.web import IcpDomain, WebHosting


def identity_provider(stack: cdk.Stack) -> str:
    """`-c identity=own|cognito`; by default our own where Cognito user pools do not exist
    (the China partition), Cognito elsewhere."""
    chosen = stack.node.try_get_context("identity")
    if chosen in ("own", "cognito"):
        return str(chosen)
    if chosen is not None:
        raise ValueError(f"identity must be own or cognito, not {chosen!r}")
    if cdk.Token.is_unresolved(stack.region):
        raise ValueError("give the stack a region (the partition decides the identity)")
    return "own" if in_china(stack) else "cognito"


def firewall_wanted(stack: cdk.Stack, production: bool) -> bool:
    """`-c waf=on|off`; by default on in production: regional AWS WAF exists in every
    region the stack deploys to, the China ones included (README, "Sign-in under attack")."""
    chosen = stack.node.try_get_context("waf")
    if chosen is None:
        return production
    if str(chosen) not in ("on", "off"):
        raise ValueError(f"waf must be on or off, not {chosen!r}")
    return str(chosen) == "on"


class XuefaStack(cdk.Stack):
    def __init__(self, scope: Construct, construct_id: str, *, stage: str, **kwargs: Any):
        super().__init__(scope, construct_id, **kwargs)
        production = stage != "dev"
        removal = cdk.RemovalPolicy.RETAIN if production else cdk.RemovalPolicy.DESTROY
        data = Data(self, "Data", production=production)
        identity = Identity(
            self,
            "Identity",
            production=production,
            provider=identity_provider(self),
            key_generations=str(self.node.try_get_context("signing_keys") or "1").split(","),
        )
        pipeline = ReportPipeline(self, "Pipeline", stage=stage)
        icp_domain = IcpDomain.parameters(self) if in_china(self) else None
        # Where a certificate's QR code sends the public: the ICP domain in China; elsewhere
        # `-c public_url=…` (the distribution's address is known only after a deploy).
        public_url = (
            f"https://{icp_domain.name}"
            if icp_domain
            else str(self.node.try_get_context("public_url") or "")
        )
        apps = Apps(
            self,
            "Apps",
            stage=stage,
            data=data,
            identity=identity,
            pipeline=pipeline,
            root_unit=str(self.node.try_get_context("root_unit") or "530400"),
            public_url=public_url,
        )
        if identity.own and firewall_wanted(self, production):
            IdentityFirewall(self, "IdentityFirewall", api=apps.apps["identity"], stage="identity")
        Monitoring(
            self, "Monitoring", stage=stage, apps=apps.apps, pipeline=pipeline, table=data.table
        )
        WebHosting(
            self,
            "Web",
            apis=apps.apps,
            identity=identity,
            icp_domain=icp_domain,
            removal=removal,
            access_logs=data.access_logs,
            content=data.content,
        )
        if identity.user_pool is not None and identity.client is not None:
            cdk.CfnOutput(self, "UserPoolId", value=identity.user_pool.user_pool_id)
            cdk.CfnOutput(self, "UserPoolClientId", value=identity.client.user_pool_client_id)
        for key in identity.signing_keys:
            cdk.CfnOutput(self, f"{key.node.id}Key", value=key.key_arn)
        cdk.CfnOutput(self, "ReportBucket", value=data.bucket.bucket_name)
        cdk.CfnOutput(self, "TableName", value=data.table.table_name)
