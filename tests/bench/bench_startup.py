"""Startup benchmark: each app's import time as a ratio to `import boto3` alone (fresh
interpreter each time, median of runs), and each app's deployment package size
(`chalice package`).

    .venv/bin/python -m tests.bench.bench_startup
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("credits", "exams", "reports", "roster")
PROBE = "import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def import_seconds(module: str, cwd: Path, runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(module=module)],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        )
        samples.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(samples)


def import_ratios() -> dict[str, tuple[float, float]]:
    """app → (import ms, ratio to boto3)."""
    baseline = import_seconds("boto3", ROOT)
    ratios = {}
    for app in APPS:
        seconds = import_seconds("app", ROOT / "functions" / app)
        ratios[app] = (seconds * 1000, seconds / baseline)
    ratios["(boto3 alone)"] = (baseline * 1000, 1.0)
    return ratios


def package_sizes() -> dict[str, float]:
    """app → deployment.zip size in MB, as `chalice package` builds it for Lambda."""
    sizes = {}
    env = {**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "cn-north-1")}
    chalice = str(Path(sys.executable).with_name("chalice"))
    for app in APPS:
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(
                [chalice, "package", "--stage", "dev", out],
                cwd=ROOT / "functions" / app,
                env=env,
                capture_output=True,
                check=True,
            )
            sizes[app] = (Path(out) / "deployment.zip").stat().st_size / 1e6
    return sizes


def main() -> None:
    print("startup: import time (median of 7 fresh interpreters) and package size")
    for app, (ms, ratio) in import_ratios().items():
        print(f"  {app:<14} import {ms:6.1f} ms  ratio to boto3 {ratio:4.2f}")
    for app, mb in package_sizes().items():
        print(f"  {app:<14} package {mb:5.2f} MB")


if __name__ == "__main__":
    main()
