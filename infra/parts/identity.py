"""Who signs in: the Cognito user pool with the groups `learners` and `admins` and the
attribute `custom:unit_id`, and the web client. (The China regions have no user pools;
their identity provider is to come behind the same claims.)"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cognito as cognito
from constructs import Construct

from infra.parts import keep_logical_id


class Identity(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, production: bool):
        super().__init__(scope, construct_id)
        removal = cdk.RemovalPolicy.RETAIN if production else cdk.RemovalPolicy.DESTROY
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
            removal_policy=removal,
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
        )
        keep_logical_id(self.client, "UsersWebA39D1A70")
