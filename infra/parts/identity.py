"""Who signs in. Two providers behind the same claims (`cognito:username`,
`cognito:groups`, `custom:unit_id`), chosen per deployment:

- `cognito`: a Cognito user pool with the groups `learners` and `admins`, the attribute
  `custom:unit_id`, and the web client — where user pools exist;
- `own`: our own identity service (the `identity` app: accounts in the table, Argon2id,
  a Lambda authorizer) whose tokens asymmetric KMS keys sign — the AWS China regions,
  which have no user pools. The first key signs, every key verifies: to rotate, put a new
  generation first in the `signing_keys` context, deploy, and drop the old one after a
  token's lifetime (15 minutes); nobody is signed out.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_kms as kms
from constructs import Construct

from infra.parts import keep_logical_id


class Identity(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        production: bool,
        provider: str,
        key_generations: list[str],
    ):
        super().__init__(scope, construct_id)
        self.provider = provider
        self.removal = cdk.RemovalPolicy.RETAIN if production else cdk.RemovalPolicy.DESTROY
        self.user_pool: cognito.UserPool | None = None
        self.client: cognito.UserPoolClient | None = None
        self.signing_keys: list[kms.Key] = []
        if provider == "cognito":
            self._user_pool()
        else:
            self.signing_keys = [
                kms.Key(
                    self,
                    f"Signing{generation}",
                    description=f"xuefa: signs sign-in tokens (generation {generation})",
                    key_spec=kms.KeySpec.RSA_2048,
                    key_usage=kms.KeyUsage.SIGN_VERIFY,
                    removal_policy=self.removal,
                )
                for generation in key_generations
            ]

    def _user_pool(self) -> None:
        self.user_pool = cognito.UserPool(
            self,
            "Users",
            self_sign_up_enabled=False,
            sign_in_aliases=cognito.SignInAliases(username=True),
            custom_attributes={"unit_id": cognito.StringAttribute(mutable=True, max_len=64)},
            password_policy=cognito.PasswordPolicy(
                min_length=8,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=False,
                temp_password_validity=cdk.Duration.days(7),
            ),
            account_recovery=cognito.AccountRecovery.NONE,
            removal_policy=self.removal,
        )
        keep_logical_id(self.user_pool, "Users0A0EEA89")
        for group in ("learners", "admins"):
            cfn_group = cognito.CfnUserPoolGroup(
                self, f"Group-{group}", user_pool_id=self.user_pool.user_pool_id, group_name=group
            )
            cfn_group.override_logical_id(f"Group{group}")
        self.client = self.user_pool.add_client(
            "Web",
            auth_flows=cognito.AuthFlow(user_password=True, user_srp=True),
            generate_secret=False,
            prevent_user_existence_errors=True,
            id_token_validity=cdk.Duration.hours(1),
            # A user may write only what this client names: never `custom:unit_id`, which
            # the roster sets as an admin (the apps take an admin's unit from our own
            # record anyway). An empty list would mean "all", so one harmless attribute.
            write_attributes=cognito.ClientAttributes().with_standard_attributes(locale=True),
            read_attributes=cognito.ClientAttributes()
            .with_standard_attributes(locale=True)
            .with_custom_attributes("unit_id"),
        )
        keep_logical_id(self.client, "UsersWebA39D1A70")

    @property
    def own(self) -> bool:
        return self.provider == "own"

    def web_config(self, stack: cdk.Stack) -> dict[str, str]:
        """What the web apps read from `config.json` to sign people in."""
        if self.own:
            return {"identity": "own", "identity_endpoint": "/identity"}
        assert self.client is not None
        return {
            "identity": "cognito",
            "cognito_endpoint": cdk.Fn.sub("https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/"),
            "region": stack.region,
            "client_id": self.client.user_pool_client_id,
        }
