"""Starts the local stack as a subprocess on free ports, as `make run` would."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.signin import id_token
from tests.logscan import assert_clean_lines

ROOT = Path(__file__).resolve().parents[2]
# The moments the stacks of the tests run at (Asia/Shanghai), never the day CI runs on: the
# demo's current year is the study year of that moment, its exam window open around it.
MID_YEAR = "2027-06-15T10:00"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    process: subprocess.Popen[str]
    data_dir: Path
    port: int
    moto_port: int
    output: list[str]
    drain: threading.Thread | None = field(default=None, repr=False)

    @property
    def local(self) -> dict[str, Any]:
        return json.loads((self.data_dir / "local.json").read_text())

    @property
    def url(self) -> str:
        return str(self.local["api_url"])

    def sign_in(self, username: str, password: str | None = None) -> str:
        return id_token(self.local, username, password)

    def now(self) -> datetime:
        """The stack's clock (Asia/Shanghai)."""
        answer = requests.get(self.url + "/_local/clock", timeout=10)
        return datetime.fromisoformat(answer.json()["now"])

    def today(self) -> date:
        return self.now().date()

    def yesterday(self) -> str:
        return (self.today() - timedelta(days=1)).isoformat()

    def set_clock(self, at: str) -> datetime:
        """Move the stack's clock to `at` (ISO 8601, Asia/Shanghai unless it says)."""
        answer = requests.post(self.url + "/_local/clock", json={"at": at}, timeout=10)
        assert answer.status_code == 200, answer.text
        return datetime.fromisoformat(answer.json()["now"])

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.drain is not None:
            self.drain.join(timeout=10)
        assert_clean_lines(self.output, "the local stack")  # #29.4: no personal data logged
        return self.process.returncode


def _drain(process: subprocess.Popen[str], output: list[str], ready: threading.Event) -> None:
    """Reads the stack's output to its end, so that the child never blocks on a full pipe
    (under load waitress warns of its queue depth on every request)."""
    assert process.stdout is not None
    for line in process.stdout:
        output.append(line.rstrip())
        if line.startswith("ready in"):
            ready.set()
    ready.set()  # the stack exited: whoever waits sees it


def start_stack(  # noqa: PLR0913 (each a choice a test makes)
    data_dir: Path,
    fresh: bool,
    history: bool = False,
    identity: str = "own",
    today: str = MID_YEAR,
    nightly: bool = False,
    faults: str | None = None,
) -> Stack:
    """The local stack as a subprocess, its clock from `today`; without the demo study
    history and the nightly schedule unless asked; with our own identity service (as in
    China, and `make run`) unless told Cognito. Its output is kept in `Stack.output` (and
    shown when it fails to start)."""
    port = free_port()
    moto_port = free_port()
    args = [sys.executable, "-m", "infra.local", "--port", str(port), "--moto-port", str(moto_port)]
    args += ["--data-dir", str(data_dir), "--quiet", "--pool-size", "2", "--identity", identity]
    if fresh:
        args.append("--fresh")
    if not history:
        args.append("--no-history")
    if not nightly:
        args.append("--no-nightly")
    args += ["--today", today]
    if faults is not None:  # the fault injector (#29), its rates set over /_local/faults
        args += ["--faults", faults]
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "XUEFA_")) and k not in ("IDENTITY", "TODAY")
    }
    recording = os.environ.get("XUEFA_RECORD_CALLS")
    if recording:  # `make test` checks the stack's calls against the roles too
        env["XUEFA_RECORD_CALLS"] = str(Path(recording).with_name(f"calls.stack-{port}.jsonl"))
        started_by = os.environ.get("PYTEST_CURRENT_TEST", "an e2e test").split(" ")[0]
        env["XUEFA_RECORD_TEST"] = f"{started_by} (its local stack)"
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output: list[str] = []
    ready = threading.Event()
    drain = threading.Thread(target=_drain, args=(process, output, ready), daemon=True)
    drain.start()
    if not ready.wait(timeout=300):
        process.kill()
        raise RuntimeError("local stack did not become ready:\n" + "\n".join(output))
    if process.poll() is not None or not any(line.startswith("ready in") for line in output):
        raise RuntimeError("local stack exited early:\n" + "\n".join(output))
    stack = Stack(process, data_dir, port, moto_port, output, drain)
    return stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # The fault injector (#29) installed, every rate 0 until test_faults sets one.
    running = start_stack(
        tmp_path_factory.mktemp("xuefa-e2e"), fresh=True, history=True, faults="{}"
    )
    try:
        assert requests.get(running.url + "/health", timeout=5).status_code == 200
        yield running
    finally:
        if running.process.poll() is None:
            running.stop()


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of the module's own, for a fuzzer that creates units and learners and
    changes them (the shared stack's data stays as the other tests expect)."""
    running = start_stack(tmp_path_factory.mktemp("xuefa-own"), fresh=True)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def cognito_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The stack with Cognito (moto's user pool) signing people in, as outside China."""
    running = start_stack(tmp_path_factory.mktemp("xuefa-cognito"), fresh=True, identity="cognito")
    try:
        yield running
    finally:
        running.stop()
