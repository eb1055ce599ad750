"""The CDK app: `cdk synth -c stage=prod` (or `make synth STAGE=prod`)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "functions")]
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

import aws_cdk as cdk  # noqa: E402

from infra.nag import apply_nag, findings  # noqa: E402
from infra.stack import XuefaStack  # noqa: E402


def build(stage: str, outdir: str | None = None) -> tuple[cdk.App, XuefaStack]:
    app = cdk.App(outdir=outdir, context={"stage": stage})
    stack = XuefaStack(app, f"xuefa-{stage}", stage=stage)
    apply_nag(app, stack)
    return app, stack


def main() -> None:
    started = time.perf_counter()
    stage = os.environ.get("XUEFA_STAGE") or "dev"
    app, stack = build(stage, outdir=str(ROOT / "cdk.out"))
    problems = findings(app.synth(), stack.stack_name)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"synthesized xuefa-{stage} into cdk.out/ in {time.perf_counter() - started:.1f} s")
    if problems:
        raise SystemExit(f"cdk-nag: {len(problems)} finding(s) neither fixed nor justified")


if __name__ == "__main__":
    main()
