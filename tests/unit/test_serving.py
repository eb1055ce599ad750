"""The local stack's server: keeps connections alive and stops cleanly."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest
import requests

from infra.local.serving import Served


def hello(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Length", "2"), ("Content-Type", "text/plain")])
    return [b"ok"]


def test_one_connection_serves_many_requests() -> None:
    served = Served(hello, "127.0.0.1", 0)
    served.start()
    try:
        http = requests.Session()
        ports = set()
        for _ in range(5):
            response = http.get(f"http://127.0.0.1:{served.port}/", stream=True)
            connection = response.raw._connection
            assert connection is not None
            ports.add(connection.sock.getsockname()[1])
            assert response.text == "ok"
            assert response.headers.get("Connection", "").lower() != "close"
        assert len(ports) == 1
    finally:
        served.stop()


def test_stopping_with_open_connections_raises_nowhere(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures: list[Any] = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    with caplog.at_level(logging.ERROR, logger="waitress"):
        for _ in range(10):
            served = Served(hello, "127.0.0.1", 0)
            served.start()
            http = requests.Session()
            for _ in range(3):
                http.get(f"http://127.0.0.1:{served.port}/")
            served.stop()
            assert not served._thread.is_alive()
    assert failures == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
