"""moto's server, embedded in this process, with requests serialized.

DynamoDB applies each request atomically; moto's server runs requests on threads with no
lock, so two conditional writes could interleave and both succeed. One lock around the
backend app restores what the conditions rely on. The state can be kept across restarts
by pickling moto's backends to disk.
"""

from __future__ import annotations

import functools
import pickle
import threading
from pathlib import Path
from typing import Any

from infra.local.serving import Served

SERVICES = ("dynamodb", "s3", "cognito-idp", "sqs", "kms")


class SerializedApp:
    def __init__(self, app: Any):
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.lock:
            # Read the whole response inside the lock: moto builds it eagerly anyway.
            return list(self.app(environ, start_response))


class MotoHost:
    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        from infra.local import moto_patches

        moto_patches.apply()
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.app = SerializedApp(DomainDispatcherApplication(create_backend_app))
        self._server = Served(self.app, host, port)

    @property
    def port(self) -> int:
        return self._server.port

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self._server.start()

    def stop(self) -> None:
        self._server.stop()

    # --- keeping data across restarts ---------------------------------------------------

    def save(self, path: Path) -> None:
        with self.app.lock:
            data = dump_backends()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)

    def load(self, path: Path) -> bool:
        if not path.exists():
            return False
        data = path.read_bytes()
        with self.app.lock:
            load_backends(data)
        return True


def dump_backends(services: tuple[str, ...] = SERVICES) -> bytes:
    """moto's state of these services, pickled (every account and region)."""
    from moto.backends import get_backend

    _register_key_pickling()
    state = {name: dict(get_backend(name)) for name in services}  # type: ignore[call-overload]
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def load_backends(data: bytes) -> None:
    """moto's state as `dump_backends` took it, in place of what it holds now."""
    from moto.backends import get_backend

    _register_key_pickling()
    state = pickle.loads(data)
    for name, accounts in state.items():
        backend = get_backend(name)
        for account_id, regions in accounts.items():
            backend[account_id] = regions


@functools.cache  # once: it makes a key to learn the key's type
def _register_key_pickling() -> None:
    """moto's Cognito keeps its signing key as a `cryptography` object, which pickle cannot
    take; carry it as PEM instead."""
    import copyreg

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    def reduce_key(key: Any) -> Any:
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return (_load_key, (pem,))

    key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    copyreg.pickle(type(key), reduce_key)


def _load_key(pem: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(pem, None)
