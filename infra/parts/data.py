"""The data: one DynamoDB table (keys from xuefa.store.table, the same definition the code and
the local stack use), the report bucket, the content bucket (lessons' bodies and media), and
the key that signs paging cursors."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.parts import keep_logical_id
from xuefa.store.table import GSI_NAME, GSI_PARTITION_KEY, GSI_SORT_KEY, PARTITION_KEY, SORT_KEY

PITR_DAYS = 35  # DynamoDB's point-in-time window: a restore reaches back this far


class Data(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, production: bool):
        super().__init__(scope, construct_id)
        removal = cdk.RemovalPolicy.RETAIN if production else cdk.RemovalPolicy.DESTROY
        self.table = dynamodb.Table(
            self,
            "Table",
            partition_key=dynamodb.Attribute(
                name=PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            deletion_protection=production,
            # Sign-in guards and refresh tokens of our own identity remove themselves.
            time_to_live_attribute="expires_at",
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            removal_policy=removal,
        )
        self.table.add_global_secondary_index(
            index_name=GSI_NAME,
            partition_key=dynamodb.Attribute(
                name=GSI_PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(name=GSI_SORT_KEY, type=dynamodb.AttributeType.STRING),
            projection_type=dynamodb.ProjectionType.ALL,
        )
        keep_logical_id(self.table, "TableCD117FA1")

        # Server access logs of the report bucket and the web site (and CloudFront's):
        # who downloaded what, kept a year. The log bucket logs to nowhere, by nature.
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,  # CloudFront's logs
            removal_policy=removal,
            auto_delete_objects=not production,
            lifecycle_rules=[s3.LifecycleRule(expiration=cdk.Duration.days(365))],
        )
        self.bucket = s3.Bucket(
            self,
            "Reports",
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="reports-bucket/",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            # A restore takes each key's version as of a moment (infra/restore.py); old
            # versions are kept as long as the table's point-in-time window (35 days).
            versioned=True,
            removal_policy=removal,
            auto_delete_objects=not production,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="old-daily-report-sets",
                    prefix="reports/daily/",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=cdk.Duration.days(30),
                        )
                    ],
                    expiration=cdk.Duration.days(400),
                ),
                # a closed year's set and certificates: kept for good, rarely read after a while
                s3.LifecycleRule(
                    id="year-end-sets",
                    prefix="reports/years/",
                    transitions=[
                        s3.Transition(
                            storage_class=s3.StorageClass.INFREQUENT_ACCESS,
                            transition_after=cdk.Duration.days(90),
                        )
                    ],
                ),
                # progress lists an admin downloaded: a link lives 15 minutes, the file a day
                s3.LifecycleRule(
                    id="progress-exports",
                    prefix="reports/exports/",
                    expiration=cdk.Duration.days(1),
                ),
                # the item analysis's shards' papers (#28.1): read once, by its final step
                s3.LifecycleRule(
                    id="analysis-parts",
                    prefix="analysis/parts/",
                    expiration=cdk.Duration.days(7),
                ),
                # what a restore can reach back to, as far as the table's PITR window
                s3.LifecycleRule(
                    id="old-versions",
                    noncurrent_version_expiration=cdk.Duration.days(PITR_DAYS),
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
                ),
                s3.LifecycleRule(id="expired-delete-markers", expired_object_delete_marker=True),
            ],
        )
        keep_logical_id(self.bucket, "Reports65402A0A")

        # Lesson bodies and media (#26): private, read only through the web distribution
        # at /content/* (origin access control); authors upload straight to it with
        # presigned PUTs from the console (CORS: PUT only; the signature is the grant).
        self.content = s3.Bucket(
            self,
            "Content",
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="content-bucket/",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            removal_policy=removal,
            auto_delete_objects=not production,
            cors=[
                s3.CorsRule(
                    allowed_methods=[s3.HttpMethods.PUT],
                    allowed_origins=["*"],
                    allowed_headers=["Content-Type"],
                    exposed_headers=["ETag"],  # a multipart upload's parts are named by it
                    max_age=3600,
                )
            ],
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="abandoned-uploads",
                    abort_incomplete_multipart_upload_after=cdk.Duration.days(7),
                ),
                # the review list an admin downloaded: a link lives 15 minutes, the file a day
                s3.LifecycleRule(
                    id="review-exports", prefix="exports/", expiration=cdk.Duration.days(1)
                ),
            ],
        )
        keep_logical_id(self.content, "ContentBucket")

        # Signs paging cursors. Generated in AWS and read by the functions at a cold start:
        # no one types it, and it is in no template or environment variable.
        self.cursor_secret = secretsmanager.Secret(
            self,
            "CursorSecret",
            description="xuefa: the key that signs paging cursors",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                password_length=64, exclude_punctuation=True
            ),
            removal_policy=removal,
        )
        keep_logical_id(self.cursor_secret, "CursorSecretABAE1358")
