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


def build(
    stage: str, outdir: str | None = None, region: str | None = None
) -> tuple[cdk.App, XuefaStack]:
    """The stack for one region: its partition (aws-cn in China) decides ARNs, endpoints
    and the identity provider (`-c identity=…` overrides)."""
    app = cdk.App(outdir=outdir, context={"stage": stage})
    region = region or os.environ.get("AWS_DEFAULT_REGION") or "cn-north-1"
    stack = XuefaStack(
        app,
        f"xuefa-{stage}",
        stage=stage,
        env=cdk.Environment(region=region, account=os.environ.get("CDK_DEFAULT_ACCOUNT")),
    )
    apply_nag(app, stack)
    return app, stack


def main() -> None:
    started = time.perf_counter()
    stage = os.environ.get("XUEFA_STAGE") or "dev"
    outdir = os.environ.get("XUEFA_CDK_OUT") or str(ROOT / "cdk.out")
    app, stack = build(stage, outdir=outdir)
    problems = findings(app.synth(), stack.stack_name)
    for problem in problems:
        print(problem, file=sys.stderr)
    took = time.perf_counter() - started
    print(f"synthesized xuefa-{stage} for {stack.region} into {outdir} in {took:.1f} s")
    if problems:
        raise SystemExit(f"cdk-nag: {len(problems)} finding(s) neither fixed nor justified")


if __name__ == "__main__":
    main()
