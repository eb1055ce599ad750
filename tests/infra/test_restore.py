"""Restore, tried on moto (#29): the demo city's table restored to a point in time and its
report bucket as of a moment, into a new stage, checked against the original. moto's
RestoreTableToPointInTime copies the table as it is (it keeps no history), so what the
check must notice — a change after the moment — is made after the restore here."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from infra import restore
from infra.local import moto_patches, seed
from tests.helpers import ENV, REGION, TABLE
from xuefa.core.clock import SHANGHAI, FixedClock, local_date
from xuefa.store.store import Store
from xuefa.store.table import create_table_request

SOURCE_BUCKET = "xuefa-test-reports"


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any]]:
    saved = dict(os.environ)
    os.environ.update(ENV)
    os.environ.pop("AWS_ENDPOINT_URL", None)
    moto_patches.apply()
    try:
        with mock_aws():
            dynamodb, s3 = boto3.client("dynamodb"), boto3.client("s3")
            dynamodb.create_table(**create_table_request(TABLE))
            dynamodb.update_continuous_backups(
                TableName=TABLE,
                PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
            )
            store = Store(TABLE, client_factory=lambda: dynamodb)
            clock = FixedClock(datetime(2026, 11, 20, 10, tzinfo=SHANGHAI))
            day = local_date(clock.now())
            seed.seed_table(store, day, seed.put_years(store, day, ended=False), practice=False)
            s3.create_bucket(Bucket=SOURCE_BUCKET)
            s3.put_bucket_versioning(
                Bucket=SOURCE_BUCKET, VersioningConfiguration={"Status": "Enabled"}
            )
            yield dynamodb, s3
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _put(s3: Any, key: str, body: str) -> None:
    s3.put_object(Bucket=SOURCE_BUCKET, Key=key, Body=body.encode())


def _moment() -> datetime:
    """A moment between the writes before and after it: S3 lists a version's time to the
    second, so a second apart on each side."""
    time.sleep(1.1)
    moment = datetime.now(UTC)
    time.sleep(1.1)
    return moment


def test_a_restore_copies_the_table_and_each_report_as_it_was(aws) -> None:
    dynamodb, s3 = aws
    _put(s3, "reports/daily/2026-11-19/manifest.json", '{"v": 1}')
    _put(s3, "reports/daily/2026-11-19/units/530402-001.csv", "学号,姓名\n")
    _put(s3, "reports/exports/gone.csv", "exported")
    moment = _moment()
    # After the moment: a rewritten manifest, a deleted export, a new file. None of them
    # may reach the copy.
    _put(s3, "reports/daily/2026-11-19/manifest.json", '{"v": 2}')
    s3.delete_object(Bucket=SOURCE_BUCKET, Key="reports/exports/gone.csv")
    _put(s3, "reports/daily/2026-11-20/manifest.json", '{"v": 3}')
    _put(s3, "reports/exports/gone.csv", "exported again")  # back after it was gone

    plan = restore.Plan(TABLE, SOURCE_BUCKET, "drill", moment, REGION)
    done = restore.run(dynamodb, s3, plan)

    assert done.table == "xuefa-drill-table" and done.bucket == "xuefa-drill-reports"
    check = done.table_check
    assert check.whole, check
    assert check.original["PROFILE"] >= 310  # the demo's learners (and its admins' accounts)
    assert len(check.learners) == 50 and all(k.startswith("LEARNER#") for k in check.learners)
    files = {o["Key"]: o for o in s3.list_objects_v2(Bucket=done.bucket)["Contents"]}
    assert set(files) == {
        "reports/daily/2026-11-19/manifest.json",
        "reports/daily/2026-11-19/units/530402-001.csv",
        "reports/exports/gone.csv",
    }
    manifest = s3.get_object(Bucket=done.bucket, Key="reports/daily/2026-11-19/manifest.json")
    assert manifest["Body"].read() == b'{"v": 1}'
    gone = s3.get_object(Bucket=done.bucket, Key="reports/exports/gone.csv")["Body"].read()
    assert gone == b"exported"
    assert done.bucket_check.whole and done.bucket_check.copied == 3
    assert done.whole and set(done.seconds) == {"table", "bucket", "check", "total"}
    described = dynamodb.describe_time_to_live(TableName=done.table)["TimeToLiveDescription"]
    assert described["AttributeName"] == "expires_at"  # sign-in guards still expire there
    backups = dynamodb.describe_continuous_backups(TableName=done.table)
    pitr = backups["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"


def test_the_check_names_what_differs_from_the_original(aws) -> None:
    dynamodb, _ = aws
    moment = _moment()
    table = "xuefa-changed-table"
    restore.restore_table(dynamodb, TABLE, table, moment)
    # The original moves on after the moment: a learner's profile changes, an item is added.
    dynamodb.update_item(
        TableName=TABLE,
        Key={"pk": {"S": "LEARNER#530402000001"}, "sk": {"S": "PROFILE"}},
        UpdateExpression="SET #n = :n",
        ExpressionAttributeNames={"#n": "name"},
        ExpressionAttributeValues={":n": {"S": "改过的名字"}},
    )
    dynamodb.put_item(
        TableName=TABLE, Item={"pk": {"S": "LEARNER#530402000001"}, "sk": {"S": "LATE#1"}}
    )

    check = restore.check_table(dynamodb, TABLE, table, sample=400, segments=2)

    assert not check.whole
    assert check.original["LATE"] == 1 and check.restored["LATE"] == 0
    assert check.differing == {"LEARNER#530402000001": ["LATE#1", "PROFILE"]}
    lines: list[str] = []
    restore.report(restore.Restore(table=table, bucket="-", table_check=check), say=lines.append)
    assert "NOT whole: see above" in lines[-1]
    assert any("LATE" in line and "<- differs" in line for line in lines)


def test_the_command_line_wants_a_moment_with_its_offset(capsys) -> None:
    with pytest.raises(SystemExit):
        restore.main(["--table", "t", "--bucket", "b", "--stage", "s", "--at", "2026-12-03T01:30"])
    assert "offset" in capsys.readouterr().err
