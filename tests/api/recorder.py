"""A pytest plugin that records every AWS call a function makes during the API tests
(`-p tests.api.recorder`, with XUEFA_RECORD_CALLS naming the JSON-lines file to write),
and in the local stacks the end-to-end tests start (`install`, called by the stack).

Which function: the one whose handler is running. Chalice's entry points are wrapped — an
app's REST handler (`Chalice.__call__`), its plain Lambda functions (the authorizer) and
its event handlers (the nightly schedule, the shard queue) — and each sets the function
for the calls made inside it. Calls made outside any handler (the tests' own seeding,
their checks of the table) are the tests', not a function's, and are left out.

What call: botocore's `before-parameter-build` event, which every operation of every
client emits with the caller's own parameters (presigned URLs included, which a role
must allow as much as a call). Registered on every botocore session, as moto registers
its own stub, so clients made by the apps' lazy factories carry it.
"""

from __future__ import annotations

import contextvars
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

# (app, handler): the function running now, or None in a test's own code.
RUNNING: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "running", default=None
)
# The names the resources had for the call (the tests move them between apps).
ENV_KEYS = (
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "XUEFA_TABLE",
    "XUEFA_BUCKET",
    "XUEFA_CONTENT_BUCKET",
    "XUEFA_SIGNING_KEYS",
    "XUEFA_USER_POOL_ID",
    "XUEFA_REPORT_QUEUE_URL",
    "XUEFA_REPORT_QUEUE_NAME",
    "XUEFA_IDENTITY",
)


class Recorder:
    def __init__(self, path: Path):
        self.path = path
        self.test = ""
        self.calls = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = path.open("a", encoding="utf-8")

    def record(self, model: Any, params: dict[str, Any]) -> None:
        running = RUNNING.get()
        if running is None:
            return
        from tests.iam import requests_of

        service = model.service_model.endpoint_prefix
        if service == "cognito-idp" or model.service_model.service_name == "cognito-idp":
            service = "cognito-idp"
        env = {k: os.environ[k] for k in ENV_KEYS if k in os.environ}
        region = env.get("AWS_DEFAULT_REGION") or env.get("AWS_REGION") or "us-east-1"
        requests = requests_of(service, model.name, params, region)
        line = {
            "test": self.test,
            "app": running[0],
            "handler": running[1],
            "service": service,
            "operation": model.name,
            "requests": [
                {"action": r.action, "resource": r.resource, "context": r.context} for r in requests
            ],
            "env": env,
        }
        self.file.write(json.dumps(line) + "\n")
        self.file.flush()
        self.calls += 1


RECORDER: Recorder | None = None


def _before_parameter_build(params: dict[str, Any], model: Any, **_: Any) -> None:
    if RECORDER is not None:
        RECORDER.record(model, params)


def _app_of_module(module_name: str) -> str:
    # infra.local.apps.load_module names each import xuefa_app_<app>_<n>
    parts = module_name.split("_")
    return parts[2] if module_name.startswith("xuefa_app_") and len(parts) > 3 else module_name


def _function(func: Any) -> tuple[str, str]:
    """(app, handler name) of a function Chalice wraps (`@app.lambda_function` wraps it
    once more, in a PureLambdaWrapper)."""
    func = getattr(func, "_original_func", func)
    return _app_of_module(str(getattr(func, "__module__", "?"))), str(
        getattr(func, "__name__", "?")
    )


def _running(app: str, handler: str, call: Any) -> Any:
    token = RUNNING.set((app, handler))
    try:
        return call()
    finally:
        RUNNING.reset(token)


def _wrap_chalice() -> None:
    from chalice import app as chalice_app

    rest = chalice_app.Chalice.__call__
    plain = chalice_app.LambdaFunction.__call__
    events = chalice_app.EventSourceHandler.__call__

    def rest_call(self: Any, event: Any, context: Any) -> Any:
        name = str(self.app_name).removeprefix("xuefa-")
        return _running(name, "app", lambda: rest(self, event, context))

    def plain_call(self: Any, event: Any, context: Any) -> Any:
        return _running(*_function(self.func), lambda: plain(self, event, context))

    def event_call(self: Any, event: Any, context: Any) -> Any:
        return _running(*_function(self.func), lambda: events(self, event, context))

    chalice_app.Chalice.__call__ = rest_call  # type: ignore[method-assign]
    chalice_app.LambdaFunction.__call__ = plain_call  # type: ignore[method-assign]
    chalice_app.EventSourceHandler.__call__ = event_call  # type: ignore[method-assign]
    _wrap_inline_shards()


def _wrap_inline_shards() -> None:
    """Without a queue (locally, in tests) the item analysis's and the regrade's shards run
    inside the exams API that started them; in AWS the reports function's `report-shard`
    handler runs them off the report queue, with its own role — so their calls are that
    function's."""
    from xuefa.analysis.job import ItemAnalysisJob
    from xuefa.corrections.job import CorrectionJob

    for job in (ItemAnalysisJob, CorrectionJob):
        inline = job._run_here
        if getattr(inline, "_recorded", False):
            continue
        job._run_here = _as_shard(inline)  # type: ignore[method-assign]


def _as_shard(inline: Any) -> Any:
    def run_here(self: Any, messages: list[dict[str, Any]]) -> None:
        _running("reports", "shard", lambda: inline(self, messages))

    run_here._recorded = True  # type: ignore[attr-defined]
    return run_here


def install(path: Path, test: str = "") -> Recorder:
    """Records from now on, in this process, into `path`: the pytest plugin's way, and the
    local stack's when an e2e test starts it with XUEFA_RECORD_CALLS (its calls are named
    after the test module that started it)."""
    global RECORDER
    RECORDER = Recorder(path)
    RECORDER.test = test
    import botocore.handlers

    # Every session made from now on (boto3's default one included) gets the hook...
    botocore.handlers.BUILTIN_HANDLERS.append(("before-parameter-build", _before_parameter_build))
    # ...and one made before, too.
    boto3 = sys.modules.get("boto3")
    if boto3 is not None and boto3.DEFAULT_SESSION is not None:
        boto3.DEFAULT_SESSION.events.register("before-parameter-build", _before_parameter_build)
    _wrap_chalice()
    return RECORDER


def pytest_configure(config: pytest.Config) -> None:
    target = os.environ.get("XUEFA_RECORD_CALLS")
    if not target:
        return
    path = Path(target)
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:  # one file per xdist worker: no two processes append to one file
        path = path.with_name(f"{path.stem}.{worker}{path.suffix}")
    install(path)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    if RECORDER is not None:
        RECORDER.test = item.nodeid
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item: pytest.Item) -> Any:
    if RECORDER is not None:  # fixtures may invoke functions too (the nightly run)
        RECORDER.test = item.nodeid
    return (yield)


def pytest_unconfigure(config: pytest.Config) -> None:
    if RECORDER is not None:
        RECORDER.file.close()
