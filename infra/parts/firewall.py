"""AWS WAF in front of our own identity service: a regional web ACL on the identity API's
stage whose rate-based rule blocks a client address that sends more than
`SIGN_INS_PER_5_MIN` sign-ins in five minutes.

In the China regions AWS WAF exists at the regional level only (no web ACL on CloudFront
there), so it sits on the API stage, behind CloudFront: the client's address is the first
one of `X-Forwarded-For`, which CloudFront appends to and a client may prefill. The rule
therefore stops a careless flood, not a forger; what holds a forger is the login's lockout
and the owner's device token (`xuefa.identity.service`), and the stage's throttle.
`-c waf=off` leaves it out (it costs a web ACL and a rule a month, and requests).
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

# An office behind one NAT signs in together (a unit of 200 before the evening's exam,
# some twice); one address above this in five minutes is a script.
SIGN_INS_PER_5_MIN = 500


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
    )


class IdentityFirewall(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, api: Any, stage: str):
        super().__init__(scope, construct_id)
        sign_ins = wafv2.CfnWebACL.StatementProperty(
            byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(uri_path={}),
                positional_constraint="ENDS_WITH",  # with or without the stage in the path
                search_string="/sign-in",
                text_transformations=[
                    wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="LOWERCASE")
                ],
            )
        )
        flood = wafv2.CfnWebACL.RuleProperty(
            name="SignInFloodPerClient",
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(block={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="FORWARDED_IP",
                    forwarded_ip_config=wafv2.CfnWebACL.ForwardedIPConfigurationProperty(
                        header_name="X-Forwarded-For", fallback_behavior="NO_MATCH"
                    ),
                    limit=SIGN_INS_PER_5_MIN,
                    scope_down_statement=sign_ins,
                )
            ),
            visibility_config=_visibility("xuefa-sign-in-flood"),
        )
        self.acl = wafv2.CfnWebACL(
            self,
            "Acl",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            rules=[flood],
            visibility_config=_visibility("xuefa-identity"),
        )
        rest_api = api.get_resource("RestAPI")
        association = wafv2.CfnWebACLAssociation(
            self,
            "OnIdentityStage",
            resource_arn=cdk.Fn.sub(
                "arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/" + stage,
                {"Api": rest_api.ref},
            ),
            web_acl_arn=self.acl.attr_arn,
        )
        # The stage is made by SAM's transform from the API (`<api><stage>Stage`): the
        # association must wait for it.
        api_id = cdk.Stack.of(self).resolve(rest_api.logical_id)
        association.add_override("DependsOn", [f"{api_id}{stage}Stage"])
        cdk.Validations.of(association).acknowledge(
            cdk.Acknowledgment(
                id="CloudFormation-Validate::E3005",
                reason="the stage it waits for is made by SAM's transform of the API; "
                "cfn-lint, which applies the transform, finds it",
            )
        )
