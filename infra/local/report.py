"""`python -m infra.local.report [--date YYYY-MM-DD]`: run the nightly report now against
the running local stack (as the city administrator), and list the files it wrote."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import requests

from infra.local.signin import id_token

ROOT = Path(__file__).resolve().parents[2]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--date", help="the day to report (default: yesterday)")
    parser.add_argument("--data-dir", default=str(ROOT / ".xuefa"))
    args = parser.parse_args()
    local = json.loads((Path(args.data_dir) / "local.json").read_text())
    token = id_token(local, "city_admin")
    headers = {"Authorization": token}
    if args.date:
        day = args.date
    else:
        from datetime import date, datetime, timedelta

        # Yesterday by the stack's clock (`make run TODAY=…` may run it on another day).
        now = requests.get(f"{local['api_url']}/_local/clock", timeout=10).json()["now"]
        today: date = datetime.fromisoformat(now).date()
        day = (today - timedelta(days=1)).isoformat()
    run = requests.post(
        f"{local['api_url']}/reports/runs", json={"date": day}, headers=headers, timeout=600
    )
    print(f"POST /reports/runs {day}: {run.status_code} {run.text}")
    if run.status_code != 202:
        return 1
    listing = requests.get(
        f"{local['api_url']}/reports/daily", params={"date": day}, headers=headers, timeout=60
    )
    files = listing.json().get("files", [])
    for file in files:
        print(
            f"  {file['unit_id']:<14} {file['kind']:<8} {file['format']:<5} {file['rows']:>5} rows"
        )
    print(f"{len(files)} files; download links in GET /reports/daily?date={day} (15 minutes each)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
