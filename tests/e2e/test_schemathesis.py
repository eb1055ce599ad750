"""schemathesis's own CLI against the local stack, as a new user would run it: every
check, every phase (examples, coverage, fuzzing, stateful through the document's links),
as a learner, a county administrator and the city administrator, reports no failure.
What a schema cannot say is in schemathesis.toml, with why.

`make test` runs a bounded, seeded number of examples; `make fuzz` many more, unseeded."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import ROOT, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("schemathesis")]

EXAMPLES = os.environ.get("XUEFA_ST_EXAMPLES", "10")
SEED = os.environ.get("XUEFA_ST_SEED", "2017")  # "random" in make fuzz
ROLES = ("530402000001", "county_530402", "city_admin")  # the least powerful first


def test_schemathesis_finds_nothing_for_anyone(own_stack: Stack, tmp_path: Path) -> None:
    # Signed in before any run: a run may reset or retire the next role's account.
    tokens = {who: own_stack.sign_in(who) for who in ROLES}
    st = str(Path(sys.executable).with_name("st"))
    failed = []
    for who, token in tokens.items():
        command = [st, "run", f"{own_stack.url}/openapi.json", "--url", own_stack.url]
        command += ["-H", f"Authorization: {token}", "--checks", "all", "--max-examples", EXAMPLES]
        command += ["--phases", "examples,coverage,fuzzing,stateful"]
        command += [] if SEED == "random" else ["--seed", SEED]
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
        (tmp_path / f"{who}.log").write_text(run.stdout + run.stderr)
        if run.returncode != 0:
            failed.append(f"--- as {who} (exit {run.returncode}):\n{run.stdout[-6000:]}")
    assert failed == [], "\n".join(failed)
