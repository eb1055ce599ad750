"""A WSGI app on a loopback port, served on a background thread by waitress.

Werkzeug's development server closes the connection after every response ("they aren't
handled well by Python's http.server"), so each request paid a TCP connect and a new
thread, twice over for a request whose app then calls moto. API Gateway and DynamoDB keep
connections alive and so do their clients (browsers, boto3); waitress does too.
"""

from __future__ import annotations

import threading
from typing import Any

THREADS = 16  # requests worked on at once; more wait in a queue, connected
# Kept-alive connections cost no thread, but waitress stops accepting new ones beyond its
# limit (100) until an idle one times out (120 s): a hundred racing clients, each with its
# own connection pool, stalled for minutes.
CONNECTION_LIMIT = 4096


class Served:
    def __init__(self, app: Any, host: str, port: int, threads: int = THREADS):
        from waitress.server import create_server

        self._server: Any = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            connection_limit=CONNECTION_LIMIT,
            ident="xuefa-local",  # the Server header
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        from waitress import wasyncore

        # Closed from its own loop: closing the sockets from this thread raced with the
        # loop's poll (an exception on the server thread). An empty map ends the loop.
        # Requests in flight finish first (their last act is to wake the loop).
        server = self._server
        server.task_dispatcher.shutdown(timeout=5)
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        self._thread.join(timeout=5)
