"""The web apps on AWS: a private bucket behind CloudFront (origin access control), the
four APIs as CloudFront behaviours so the browser talks to one origin, security headers
on every answer, and `config.json` written at deploy time from the stack's own values."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.parts.identity import Identity

DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
# The same policy the local stack sends (infra/local/web.py): the page, the APIs and its
# fonts from its own origin; Cognito's endpoint for signing in (where it is used); never
# framed.
CSP = (
    "default-src 'self'; img-src 'self' data:; font-src 'self' data:; "
    "style-src 'self' 'unsafe-inline'; connect-src 'self'{identity}; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


def csp(identity: Identity, stack: cdk.Stack) -> str:
    """Our own identity is one of the same-origin APIs; Cognito has its own endpoint."""
    if identity.own:
        return CSP.format(identity="")
    return CSP.format(identity=f" https://cognito-idp.{stack.region}.{stack.url_suffix}")


# API paths arrive as /credits/me; each API's stage answers /me: drop the first segment.
STRIP_PREFIX = """
function handler(event) {
  var request = event.request;
  request.uri = request.uri.replace(/^\\/[a-z]+/, '') || '/';
  return request;
}
"""
# The apps route on the client: a path without a file extension is the app's page.
APP_PAGES = """
function handler(event) {
  var request = event.request;
  if (request.uri.indexOf('.') === -1) {
    request.uri = request.uri.indexOf('/admin') === 0 ? '/admin.html' : '/index.html';
  }
  return request;
}
"""


class WebHosting(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        apis: dict[str, Any],
        identity: Identity,
        removal: cdk.RemovalPolicy,
        access_logs: s3.IBucket,
    ):
        super().__init__(scope, construct_id)
        if not (DIST / "index.html").is_file():
            raise RuntimeError("web/dist is missing: run `make web` before synthesizing")
        stack = cdk.Stack.of(self)
        self.bucket = s3.Bucket(
            self,
            "Site",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            removal_policy=removal,
            auto_delete_objects=removal == cdk.RemovalPolicy.DESTROY,
            server_access_logs_bucket=access_logs,
            server_access_logs_prefix="web-bucket/",
        )
        headers = cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=csp(identity, stack),
                    override=True,
                ),
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=cdk.Duration.days(365),
                    include_subdomains=True,
                    override=True,
                ),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
            ),
        )
        pages = cloudfront.Function(
            self, "AppPages", code=cloudfront.FunctionCode.from_inline(APP_PAGES)
        )
        strip = cloudfront.Function(
            self, "ApiPrefix", code=cloudfront.FunctionCode.from_inline(STRIP_PREFIX)
        )
        api_behaviours = {
            f"/{name}/*": cloudfront.BehaviorOptions(
                origin=origins.HttpOrigin(
                    cdk.Fn.sub(
                        "${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
                        {"Api": app.get_resource("RestAPI").ref},
                    ),
                    origin_path="/api",
                    protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=strip, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            )
            for name, app in apis.items()
        }
        self.distribution = cloudfront.Distribution(
            self,
            "Distribution",
            comment="xuefa web apps and APIs",
            default_root_object="index.html",
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            enable_logging=True,
            log_bucket=access_logs,
            log_file_prefix="cloudfront/",
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(self.bucket),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=pages, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
            additional_behaviors=api_behaviours,
        )
        config = {"api_base": "", **identity.web_config(stack)}
        # Hashed assets first, cached for a year; then the pages and config.json, which
        # CloudFront must fetch anew (no-cache): a new page never names a missing asset, and
        # no invalidation (whose permission cannot be scoped to one distribution) is needed.
        assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            destination_bucket=self.bucket,
            sources=[s3deploy.Source.asset(str(DIST), exclude=["*.html"])],
            cache_control=[
                s3deploy.CacheControl.from_string("public, max-age=31536000, immutable")
            ],
            prune=False,  # old assets stay for pages still open on phones
        )
        page_files = s3deploy.BucketDeployment(
            self,
            "Pages",
            destination_bucket=self.bucket,
            sources=[
                s3deploy.Source.asset(str(DIST), exclude=["assets/*"]),
                s3deploy.Source.json_data("config.json", config),
            ],
            cache_control=[s3deploy.CacheControl.no_cache()],
            prune=False,
        )
        page_files.node.add_dependency(assets)
        cdk.CfnOutput(
            stack, "WebUrl", value=f"https://{self.distribution.distribution_domain_name}/"
        )
