"""The synthesized stack, shared by the infra tests: one synth per worker (China, our own
identity) in this process, and the global one (Cognito) in a process of its own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
NAG: list[str] = []  # cdk-nag's unsuppressed findings on the synthesized stack


@pytest.fixture(scope="session")
def synthesized(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Any, dict[str, Any], Path]:
    """One synth per worker. Session-scoped: xdist may run other modules' tests between
    these, and a module fixture would then synthesize again in the same process, which
    Chalice's packaging does not survive."""
    import os

    from aws_cdk.assertions import Template

    work = tmp_path_factory.mktemp("synth")
    saved = (os.getcwd(), dict(os.environ))
    os.chdir(work)  # chalice.out/ goes to the working directory
    os.environ.setdefault("AWS_DEFAULT_REGION", "cn-north-1")
    os.environ["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] = "20"
    try:
        sys.path.insert(0, str(ROOT / "infra"))
        from infra.app import build

        app, stack = build("prod", outdir=str(work / "cdk.out"), region="cn-north-1")
        assembly = app.synth()
        from infra.nag import findings

        NAG.extend(findings(assembly, stack.stack_name))
        template = Template.from_stack(stack)
        path = Path(assembly.directory) / f"{stack.stack_name}.template.json"
        return template, json.loads(path.read_text()), path
    finally:  # the other tests on this worker get their directory and environment back
        os.chdir(saved[0])
        os.environ.clear()
        os.environ.update(saved[1])


@pytest.fixture(scope="session")
def global_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any], Path]:
    """The production template for a global region (Cognito signs in), synthesized in a
    process of its own: Chalice's packaging does not survive a second synth in one."""
    import os

    from aws_cdk.assertions import Template

    out = tmp_path_factory.mktemp("synth-global")
    env = {
        **os.environ,
        "AWS_DEFAULT_REGION": "ap-southeast-1",
        "XUEFA_STAGE": "prod",
        "XUEFA_CDK_OUT": str(out),
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    subprocess.run(
        [sys.executable, str(ROOT / "infra" / "app.py")],
        cwd=out,
        env=env,
        check=True,
        capture_output=True,
    )
    path = out / "xuefa-prod.template.json"
    raw = json.loads(path.read_text())
    return Template.from_json(raw), raw, path
