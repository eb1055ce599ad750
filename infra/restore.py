"""Restore, tried (#29): the table to a point in time and the report bucket as it was then,
into a new stage's table and bucket, and a check of the copy against the original: item
counts by kind, and a sample of learners item by item (docs/runbooks/restore.md).

    python -m infra.restore --table <TableName> --bucket <ReportBucket> --stage restore1203 \
        --at 2026-12-03T01:30:00+08:00 [--sample 50] [--segments 8]

`--at` is any moment of the table's point-in-time window (the last 35 days, up to about
five minutes ago; `--latest` takes the latest restorable). The originals are only read.
The check compares the copy with the original as it is now: what changed after `--at` shows
as a difference, by kind and by learner, so a drill runs in a quiet hour with `--latest`,
and a real restore reads the differences as what the restore would undo.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from xuefa.store.table import PARTITION_KEY, SORT_KEY

LEARNER = "LEARNER#"  # xuefa.store.keys: every learner's items share this partition
TTL_ATTRIBUTE = "expires_at"  # infra/parts/data.py: a restored table has no TTL until told


@dataclass
class TableCheck:
    original: Counter[str] = field(default_factory=Counter)  # items by kind (the sort key's head)
    restored: Counter[str] = field(default_factory=Counter)
    learners: list[str] = field(default_factory=list)  # the sample, by partition key
    differing: dict[str, list[str]] = field(default_factory=dict)  # learner -> its sort keys

    @property
    def whole(self) -> bool:
        return self.original == self.restored and not self.differing


@dataclass
class BucketCheck:
    copied: int = 0
    found: int = 0  # keys in the new bucket
    sampled: int = 0
    differing: list[str] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return self.copied == self.found and not self.differing


@dataclass
class Restore:
    table: str
    bucket: str
    seconds: dict[str, float] = field(default_factory=dict)  # each step's wall time
    table_check: TableCheck = field(default_factory=TableCheck)
    bucket_check: BucketCheck = field(default_factory=BucketCheck)

    @property
    def whole(self) -> bool:
        return self.table_check.whole and self.bucket_check.whole


def restore_table(dynamodb: Any, source: str, target: str, at: datetime | None) -> None:
    """RestoreTableToPointInTime into a new table (its index comes with it), then what a
    restore leaves out: the TTL and point-in-time recovery of the copy itself."""
    moment: dict[str, Any] = (
        {"RestoreDateTime": at} if at is not None else {"UseLatestRestorableTime": True}
    )
    dynamodb.restore_table_to_point_in_time(
        SourceTableName=source, TargetTableName=target, **moment
    )
    # A big table takes hours on AWS: poll for as long as it takes (20 s apart).
    dynamodb.get_waiter("table_exists").wait(
        TableName=target, WaiterConfig={"Delay": 20, "MaxAttempts": 10_000}
    )
    dynamodb.update_time_to_live(
        TableName=target,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": TTL_ATTRIBUTE},
    )
    dynamodb.update_continuous_backups(
        TableName=target,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )


def versions_as_of(s3: Any, bucket: str, at: datetime, prefix: str = "") -> Iterator[Any]:
    """(key, version id) of each key as it was at `at`: its newest version written by then,
    unless that is a delete marker (the key did not exist then). S3 lists a version's time
    to the second: a write in the same second as `at` counts as before it. Keys come in
    order, a page at a time, so a province's millions of report files are never held at
    once."""
    pending: dict[str, tuple[datetime, str | None]] = {}
    pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix)
    for page in pages:
        last = ""
        for entry, deleted in [(v, False) for v in page.get("Versions", [])] + [
            (m, True) for m in page.get("DeleteMarkers", [])
        ]:
            key, written = entry["Key"], entry["LastModified"]
            last = max(last, key)
            if written > at:
                continue
            best = pending.get(key)
            if best is None or written > best[0]:
                pending[key] = (written, None if deleted else entry["VersionId"])
        # Every key before this page's last is complete: later pages hold later keys.
        for key in sorted(k for k in pending if k < last):
            _, version = pending.pop(key)
            if version is not None:
                yield key, version
    for key in sorted(pending):
        _, version = pending[key]
        if version is not None:
            yield key, version


def restore_bucket(
    s3: Any, source: str, target: str, at: datetime, region: str, prefix: str = ""
) -> dict[str, str]:
    """A new private, encrypted, versioned bucket holding each key as it was at `at`
    (a server-side copy of that version); the keys copied and their versions."""
    location = {} if region == "us-east-1" else {"LocationConstraint": region}
    s3.create_bucket(Bucket=target, **({"CreateBucketConfiguration": location} if location else {}))
    s3.put_public_access_block(
        Bucket=target,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_encryption(
        Bucket=target,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_versioning(Bucket=target, VersioningConfiguration={"Status": "Enabled"})
    copied: dict[str, str] = {}
    # Report files are kilobytes to a few MB: a plain CopyObject (up to 5 GB) does.
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(
            pool.map(
                lambda kv: s3.copy_object(
                    Bucket=target,
                    Key=kv[0],
                    CopySource={"Bucket": source, "Key": kv[0], "VersionId": kv[1]},
                ),
                _recording(versions_as_of(s3, source, at, prefix), copied),
            )
        )
    return copied


def _recording(pairs: Iterator[Any], into: dict[str, str]) -> Iterator[Any]:
    for key, version in pairs:
        into[key] = version
        yield key, version


def kinds(dynamodb: Any, table: str, segments: int) -> tuple[Counter[str], list[str]]:
    """Items by kind (the sort key up to its first `#`: PROFILE, YEAR, ATTEMPT…) and the
    learners' partitions, by a parallel scan of keys only."""
    counted: Counter[str] = Counter()
    learners: set[str] = set()

    def scan(segment: int) -> tuple[Counter[str], set[str]]:
        mine: Counter[str] = Counter()
        found: set[str] = set()
        pages = dynamodb.get_paginator("scan").paginate(
            TableName=table,
            ProjectionExpression="#p, #s",
            ExpressionAttributeNames={"#p": PARTITION_KEY, "#s": SORT_KEY},
            Segment=segment,
            TotalSegments=segments,
        )
        for page in pages:
            for item in page["Items"]:
                mine[item[SORT_KEY]["S"].split("#", 1)[0]] += 1
                partition = item[PARTITION_KEY]["S"]
                if partition.startswith(LEARNER):
                    found.add(partition)
        return mine, found

    with ThreadPoolExecutor(max_workers=segments) as pool:
        for mine, found in pool.map(scan, range(segments)):
            counted.update(mine)
            learners |= found
    return counted, sorted(learners)


def partition(dynamodb: Any, table: str, key: str) -> dict[str, Any]:
    items: dict[str, Any] = {}
    pages = dynamodb.get_paginator("query").paginate(
        TableName=table,
        KeyConditionExpression="#p = :p",
        ExpressionAttributeNames={"#p": PARTITION_KEY},
        ExpressionAttributeValues={":p": {"S": key}},
        ConsistentRead=True,
    )
    for page in pages:
        for item in page["Items"]:
            items[item[SORT_KEY]["S"]] = item
    return items


def check_table(
    dynamodb: Any, original: str, restored: str, sample: int, segments: int, seed: int = 29
) -> TableCheck:
    result = TableCheck()
    result.original, learners = kinds(dynamodb, original, segments)
    result.restored, _ = kinds(dynamodb, restored, segments)
    result.learners = random.Random(seed).sample(learners, min(sample, len(learners)))
    for learner in result.learners:
        before, after = (
            partition(dynamodb, original, learner),
            partition(dynamodb, restored, learner),
        )
        differing = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
        if differing:
            result.differing[learner] = differing
    return result


def check_bucket(
    s3: Any, source: str, target: str, copied: dict[str, str], sample: int, seed: int = 29
) -> BucketCheck:
    result = BucketCheck(copied=len(copied))
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=target):
        result.found += page.get("KeyCount", 0)
    keys = random.Random(seed).sample(sorted(copied), min(sample, len(copied)))
    result.sampled = len(keys)
    for key in keys:
        was = s3.get_object(Bucket=source, Key=key, VersionId=copied[key])["Body"].read()
        now = s3.get_object(Bucket=target, Key=key)["Body"].read()
        if hashlib.sha256(was).digest() != hashlib.sha256(now).digest():
            result.differing.append(key)
    return result


@dataclass(frozen=True)
class Plan:
    """What to restore: the originals, the new stage that names the copies, the moment
    (None: the latest restorable), and how much to check."""

    table: str
    bucket: str
    stage: str
    at: datetime | None
    region: str
    sample: int = 50
    segments: int = 4


def run(
    dynamodb: Any, s3: Any, plan: Plan, clock: Callable[[], float] = time.perf_counter
) -> Restore:
    """The whole restore and its check, each step timed (the recovery time it took)."""
    restore = Restore(table=f"xuefa-{plan.stage}-table", bucket=f"xuefa-{plan.stage}-reports")
    started = clock()
    restore_table(dynamodb, plan.table, restore.table, plan.at)
    restore.seconds["table"] = clock() - started
    at = plan.at
    if at is None:  # the bucket follows the table's moment
        described = dynamodb.describe_table(TableName=restore.table)["Table"]
        at = (
            described.get("RestoreSummary", {}).get("RestoreDateTime")
            or datetime.now().astimezone()
        )
    step = clock()
    copied = restore_bucket(s3, plan.bucket, restore.bucket, at, plan.region)
    restore.seconds["bucket"] = clock() - step
    step = clock()
    restore.table_check = check_table(
        dynamodb, plan.table, restore.table, plan.sample, plan.segments
    )
    restore.bucket_check = check_bucket(s3, plan.bucket, restore.bucket, copied, plan.sample)
    restore.seconds["check"] = clock() - step
    restore.seconds["total"] = clock() - started
    return restore


def report(restore: Restore, say: Callable[[str], None] = print) -> None:
    table, bucket = restore.table_check, restore.bucket_check
    say(f"restored table {restore.table}, bucket {restore.bucket}")
    for kind in sorted(table.original.keys() | table.restored.keys()):
        mark = "" if table.original[kind] == table.restored[kind] else "  <- differs"
        was, now = table.original[kind], table.restored[kind]
        say(f"  {kind:<12} original {was:>10}  restored {now:>10}{mark}")
    say(f"  learners sampled: {len(table.learners)}, differing: {len(table.differing)}")
    for learner, keys in table.differing.items():
        say(f"    {learner}: {', '.join(keys[:10])}{' …' if len(keys) > 10 else ''}")
    say(
        f"  report files: {bucket.copied} copied, {bucket.found} in the new bucket, "
        f"{bucket.sampled} sampled, {len(bucket.differing)} differing"
    )
    say("  took " + ", ".join(f"{step} {s:.1f} s" for step, s in restore.seconds.items()))
    say("whole: the copy matches the original" if restore.whole else "NOT whole: see above")


def main(argv: list[str] | None = None) -> int:
    import boto3

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--table", required=True, help="the original table (stack output TableName)"
    )
    parser.add_argument("--bucket", required=True, help="the original report bucket")
    parser.add_argument("--stage", required=True, help="names the copies xuefa-<stage>-…")
    when = parser.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", type=datetime.fromisoformat, help="ISO time with its offset")
    when.add_argument("--latest", action="store_true", help="the latest restorable time")
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument("--segments", type=int, default=8)
    args = parser.parse_args(argv)
    if args.at is not None and args.at.tzinfo is None:
        parser.error("--at needs its offset, e.g. 2026-12-03T01:30:00+08:00")
    session = boto3.session.Session()
    region = session.region_name or "cn-northwest-1"
    plan = Plan(args.table, args.bucket, args.stage, args.at, region, args.sample, args.segments)
    restore = run(session.client("dynamodb"), session.client("s3"), plan)
    report(restore)
    return 0 if restore.whole else 1


if __name__ == "__main__":
    sys.exit(main())
