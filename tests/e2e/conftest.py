"""Starts the local stack as a subprocess on free ports, as `make run` would."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from infra.local.signin import id_token

ROOT = Path(__file__).resolve().parents[2]


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

    @property
    def local(self) -> dict[str, Any]:
        return json.loads((self.data_dir / "local.json").read_text())

    @property
    def url(self) -> str:
        return str(self.local["api_url"])

    def sign_in(self, username: str, password: str | None = None) -> str:
        return id_token(self.local, username, password)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        try:
            out, _ = self.process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, _ = self.process.communicate()
        self.output.extend(out.splitlines())
        return self.process.returncode


def start_stack(
    data_dir: Path,
    fresh: bool,
    port: int | None = None,
    history: bool = False,
    identity: str = "own",
) -> Stack:
    """The local stack as a subprocess; without the demo study history unless asked;
    with our own identity service (as in China, and `make run`) unless told Cognito."""
    port = port or free_port()
    moto_port = free_port()
    args = [sys.executable, "-m", "infra.local", "--port", str(port), "--moto-port", str(moto_port)]
    args += ["--data-dir", str(data_dir), "--quiet", "--pool-size", "2", "--identity", identity]
    if fresh:
        args.append("--fresh")
    if not history:
        args.append("--no-history")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "XUEFA_")) and k != "IDENTITY"
    }
    process = subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    output: list[str] = []
    deadline = time.monotonic() + 120
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise RuntimeError("local stack exited early:\n" + "\n".join(output))
        output.append(line.rstrip())
        if line.startswith("ready in"):
            break
    else:
        process.kill()
        raise RuntimeError("local stack did not become ready:\n" + "\n".join(output))
    # Keep draining output so that the child never blocks on a full pipe.
    stack = Stack(process, data_dir, port, moto_port, output)
    return stack


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    running = start_stack(tmp_path_factory.mktemp("xuefa-e2e"), fresh=True, history=True)
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
