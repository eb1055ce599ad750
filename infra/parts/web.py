"""The web apps on AWS: a private bucket behind CloudFront (origin access control), the
four APIs as CloudFront behaviours so the browser talks to one origin, security headers
on every answer, and `config.json` written at deploy time from the stack's own values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from infra.parts import in_china
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


@dataclass(frozen=True)
class IcpDomain:
    """In China a distribution serves only an ICP-filed domain, with its certificate
    imported into IAM: both are parameters every deploy there must be given."""

    name: str
    certificate_id: str

    @classmethod
    def parameters(cls, stack: cdk.Stack) -> IcpDomain:
        domain = cdk.CfnParameter(
            stack,
            "Domain",
            description="The ICP-filed domain the learners open (e.g. xuefa.example.gov.cn)",
            allowed_pattern=r"^[a-z0-9.-]+\.[a-z]{2,}$",
        )
        certificate = cdk.CfnParameter(
            stack,
            "IamCertificateId",
            description="The id of that domain's certificate, imported into IAM",
            min_length=1,
        )
        return cls(domain.value_as_string, certificate.value_as_string)


class WebHosting(Construct):
    def _site_origin(self, china: bool) -> cloudfront.IOrigin:
        """Origin access control, or in China (where it does not exist) an identity."""
        if china:
            return origins.S3BucketOrigin.with_origin_access_identity(self.bucket)
        return origins.S3BucketOrigin.with_origin_access_control(self.bucket)

    @staticmethod
    def _content_behaviour(
        content: s3.IBucket, china: bool, headers: cloudfront.IResponseHeadersPolicy
    ) -> cloudfront.BehaviorOptions:
        """Lessons' bodies and media, same-origin (#26): the private content bucket
        through origin access control (an identity in China); a version's objects never
        change, so they are cached for good; video seeks with Range requests."""
        origin = (
            origins.S3BucketOrigin.with_origin_access_identity(content)
            if china
            else origins.S3BucketOrigin.with_origin_access_control(content)
        )
        return cloudfront.BehaviorOptions(
            origin=origin,
            viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
            allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
            cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
            response_headers_policy=headers,
        )

    def _app_pages(self) -> cloudfront.FunctionAssociation:
        pages = cloudfront.Function(
            self, "AppPages", code=cloudfront.FunctionCode.from_inline(APP_PAGES)
        )
        return cloudfront.FunctionAssociation(
            function=pages, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
        )

    def _icp_domain(self, domain: IcpDomain) -> None:
        """In China the distribution serves the ICP-filed domain with its IAM certificate."""
        distribution = self.distribution.node.default_child
        assert isinstance(distribution, cloudfront.CfnDistribution)
        distribution.add_property_override("DistributionConfig.Aliases", [domain.name])
        distribution.add_property_override(
            "DistributionConfig.ViewerCertificate",
            {
                "IamCertificateId": domain.certificate_id,
                "SslSupportMethod": "sni-only",
                "MinimumProtocolVersion": "TLSv1.2_2021",
            },
        )

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        apis: dict[str, Any],
        identity: Identity,
        icp_domain: IcpDomain | None,
        removal: cdk.RemovalPolicy,
        access_logs: s3.IBucket,
        content: s3.IBucket | None = None,
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
        china = in_china(stack)
        api_behaviours = {
            f"/{name}/*": cloudfront.BehaviorOptions(
                origin=origins.HttpOrigin(
                    cdk.Fn.sub(
                        "${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}",
                        {"Api": app.get_resource("RestAPI").ref},
                    ),
                    protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                response_headers_policy=headers,
            )
            for name, app in apis.items()
        }
        if content is not None:
            api_behaviours["/content/*"] = self._content_behaviour(content, china, headers)
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
                origin=self._site_origin(china),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=headers,
                function_associations=[] if china else [self._app_pages()],
            ),
            additional_behaviors=api_behaviours,
            # China: no CloudFront Functions; a page path is not a file, so S3's 403 is
            # answered with the learners' app, which hands /admin… over to the console.
            error_responses=[
                cloudfront.ErrorResponse(
                    http_status=403, response_http_status=200, response_page_path="/index.html"
                )
            ]
            if china
            else None,
        )
        if icp_domain is not None:
            self._icp_domain(icp_domain)
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
