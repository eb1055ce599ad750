"""`python -m infra.first_admin`: the first administrator of a deployment with our own
identity (the China regions), where no console can create one yet: their profile and a
sign-in account with a temporary password (printed once; it must be changed at the
first sign-in). Uses the AWS credentials and region of the shell.

    python -m infra.first_admin --table <TableName output> --username city_admin \\
        --name 市法宣组管理员 --unit 530400 --level city
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "functions")]

from xuefa.core.errors import Duplicate  # noqa: E402
from xuefa.identity.passwords import hash_password  # noqa: E402
from xuefa.identity.repository import Account, DynamoIdentity  # noqa: E402
from xuefa.roster.accounts import temporary_password  # noqa: E402
from xuefa.roster.repository import AdminProfile, DynamoRoster  # noqa: E402
from xuefa.store.store import Store  # noqa: E402


def create(store: Store, username: str, name: str, unit_id: str, level: str) -> str:
    """The admin's profile and account; their temporary password. An existing account is
    left alone (Duplicate)."""
    password = temporary_password()
    account = Account(username, hash_password(password), ("admins",), unit_id, must_change=True)
    DynamoIdentity(store).create(account)
    DynamoRoster(store).put_admins([AdminProfile(username, name, unit_id, level)])
    return password


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m infra.first_admin", description=__doc__)
    parser.add_argument("--table", required=True, help="the stack's TableName output")
    parser.add_argument("--username", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--unit", required=True, help="the unit they administer (and below)")
    parser.add_argument("--level", default="city", choices=("city", "county", "unit"))
    args = parser.parse_args(argv)
    try:
        password = create(Store(args.table), args.username, args.name, args.unit, args.level)
    except Duplicate:
        print(f"{args.username} already has an account: reset it from the console instead")
        return 1
    print(f"{args.username}: temporary password {password} (to be changed at first sign-in)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
