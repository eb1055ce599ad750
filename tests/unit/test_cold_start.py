"""What a Lambda cold start imports: the app, and not the AWS SDK (Powertools takes only
botocore's top package), the X-Ray tracer, the spreadsheet writer or the response models:
those load when first needed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
DEFERRED = ("boto3", "botocore.client", "aws_xray_sdk", "xlsxwriter", "xuefa_api.responses")
PROBE = f"import sys, app; print(' '.join(m for m in {DEFERRED!r} if m in sys.modules))"


@pytest.mark.parametrize("name", ["credits", "exams", "reports", "roster"])
def test_importing_an_app_loads_nothing_heavy(name: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=FUNCTIONS / name,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.split() == []
