"""`python -m infra.local`: the whole system on localhost with demo data.

One process: moto's server (DynamoDB, S3, KMS, Cognito) on one loopback port, the apps
behind a local API Gateway on another. Sign-in is our own identity service (as in the
AWS China regions, production's home) unless `--identity cognito` is given. Ctrl-C stops
it cleanly and keeps the data in .xuefa/ for the next start, unless --fresh is given.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import secrets
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from infra.local.tokens import Authorize
    from xuefa.core.clock import Clock

ROOT = Path(__file__).resolve().parents[2]
TABLE = "xuefa-local"
BUCKET = "xuefa-local-reports"
CONTENT_BUCKET = "xuefa-local-content"
REGION = "us-east-1"
ISSUER = "xuefa-local"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m infra.local", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("XUEFA_PORT", "8000")))
    parser.add_argument(
        "--moto-port",
        type=int,
        default=int(os.environ.get("XUEFA_MOTO_PORT", "0")),
        help="moto's port (default: the API port + 1)",
    )
    parser.add_argument("--data-dir", default=str(ROOT / ".xuefa"))
    parser.add_argument("--fresh", action="store_true", help="forget kept data and seed anew")
    parser.add_argument("--pool-size", type=int, default=4, help="app instances per service")
    parser.add_argument("--quiet", action="store_true", help="no access log lines")
    parser.add_argument(
        "--identity",
        choices=("own", "cognito"),
        default=os.environ.get("IDENTITY") or os.environ.get("XUEFA_IDENTITY") or "own",
        help="who signs people in: our own identity service (default, as in China) or Cognito",
    )
    parser.add_argument(
        "--today",
        default=os.environ.get("XUEFA_TODAY") or os.environ.get("TODAY") or None,
        help="run the stack's clock from this moment (2027-06-15T10:00, Asia/Shanghai; a date "
        "alone is 09:00 of it); default: now",
    )
    parser.add_argument(
        "--no-nightly",
        action="store_true",
        help="do not run the nightly schedule (01:00 by the stack's clock, and at start)",
    )
    parser.add_argument(
        "--no-history",
        action="store_true",
        help="seed the city without the weeks of study before today (faster)",
    )
    parser.add_argument(
        "--faults",
        default=os.environ.get("XUEFA_FAULTS") or None,
        help="inject AWS faults (#29): JSON such as '{\"rate\": 0.05}' (infra/local/faults.py); "
        "GET/POST /_local/faults reads and changes them",
    )
    return parser.parse_args(argv)


def configure_environment(data_dir: Path, moto_endpoint: str) -> None:
    """What Lambda's environment would hold; set before any app is imported."""
    secret_file = data_dir / "cursor-secret"
    if not secret_file.exists():
        secret_file.write_text(secrets.token_hex(32))
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "local",
            "AWS_SECRET_ACCESS_KEY": "local",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_ENDPOINT_URL": moto_endpoint,
            "XUEFA_TABLE": TABLE,
            "XUEFA_BUCKET": BUCKET,
            "XUEFA_CONTENT_BUCKET": CONTENT_BUCKET,
            "XUEFA_CURSOR_SECRET": secret_file.read_text().strip(),
            "POWERTOOLS_METRICS_NAMESPACE": "xuefa",
            # CloudWatch EMF lines would fill the terminal; Lambda has them on.
            "POWERTOOLS_METRICS_DISABLED": os.environ.get("POWERTOOLS_METRICS_DISABLED", "true"),
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            # Every response is checked against the OpenAPI document's model: a drift is
            # a 500 here (and in the e2e tests and the fuzz), never on AWS.
            "XUEFA_CHECK_RESPONSES": "true",
        }
    )


def main(argv: list[str] | None = None) -> int:
    started = time.perf_counter()
    args = parse_args(argv)
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    snapshot = data_dir / "moto-state.pickle"
    if args.fresh and snapshot.exists():
        snapshot.unlink()

    from infra.local.moto_host import MotoHost

    moto = MotoHost(args.host, args.moto_port or args.port + 1)
    restored = moto.load(snapshot)
    moto.start()
    configure_environment(data_dir, moto.endpoint)
    recording = os.environ.get("XUEFA_RECORD_CALLS")
    if recording:  # an e2e test's stack: its functions' AWS calls are checked against roles
        from tests.api.recorder import install

        install(Path(recording), os.environ.get("XUEFA_RECORD_TEST", "an e2e stack"))
    # Where a certificate's QR code points: this stack (on the port given, 8000 by default).
    os.environ["XUEFA_PUBLIC_URL"] = f"http://{args.host}:{args.port}"

    import boto3

    from infra.local import resources, seed
    from infra.local.apps import APPS, IDENTITY, load_app, load_module
    from infra.local.gateway import AppPool, Gateway, health, serve_json
    from infra.local.schedule import CLOCK_PATH, Nightly, clock_route, dated, starting_moment
    from infra.local.timing import AwsCallTiming
    from xuefa.core.clock import RunningClock, use_clock
    from xuefa.store.store import Store

    clock = RunningClock(starting_moment(args.today))
    use_clock(clock)  # before any app is built: the apps' one clock is the stack's
    timing = AwsCallTiming()
    timing.install()  # before any client exists: clients copy the session's hooks
    injector, planned = _faults(args.faults)  # quiet until the city is seeded
    resources.ensure_table(boto3.client("dynamodb"), TABLE)
    resources.ensure_bucket(boto3.client("s3"), BUCKET)
    resources.ensure_content_bucket(boto3.client("s3"), CONTENT_BUCKET)
    store = Store(TABLE)
    signing = _identity(args.identity, moto.endpoint, store, clock)
    seeded = seed.seed(store, signing.seed_accounts, clock, history=not args.no_history)
    from infra.local.shards import shards_in_background

    shards_in_background()

    names = (*APPS, IDENTITY) if args.identity == "own" else APPS
    pools = {
        name: AppPool(name, functools.partial(load_app, name), args.pool_size) for name in names
    }
    from infra.local.openapi import build as openapi
    from infra.local.web import COGNITO_PATH, WebApp, cognito_proxy, content_files, web_config

    spec = json.dumps(openapi(), ensure_ascii=False).encode("utf-8")
    documents = {f"/{name}/openapi.json": spec for name in names} | {"/openapi.json": spec}
    extra = {"/health": health} | {path: serve_json(body) for path, body in documents.items()}
    extra[CLOCK_PATH] = clock_route(clock)
    if injector is not None:
        from infra.local.faults import fault_route

        extra["/_local/faults"] = fault_route(injector)
        injector.configure(**planned)
    if args.identity == "cognito":
        extra[COGNITO_PATH] = cognito_proxy(moto.endpoint)
    web = WebApp(ROOT / "web" / "dist", web_config(REGION, signing.client_id), moto.endpoint)
    pages = content_files(boto3.client("s3"), CONTENT_BUCKET, web)
    gateway = Gateway(
        pools,
        signing.authorize,
        timing,
        extra_routes=extra,
        access_log=(lambda _: None) if args.quiet else _log,
        pages=pages,
    )
    from infra.local.serving import Served

    server = Served(dated(gateway, clock), args.host, args.port)
    api_url = f"http://{args.host}:{server.port}"
    users = seed.logins()
    local = {
        "api_url": api_url,
        "region": REGION,
        "identity": args.identity,
        "moto_endpoint": moto.endpoint,
        **signing.local(api_url),
        "table": TABLE,
        "bucket": BUCKET,
        "content_bucket": CONTENT_BUCKET,
        "users": users,
    }
    (data_dir / "local.json").write_text(json.dumps(local, ensure_ascii=False, indent=2))

    stop = threading.Event()

    def on_signal(signum: int, _: Any) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    server.start()
    nightly = None if args.no_nightly else Nightly(clock, load_module("reports").nightly)
    if nightly is not None:
        nightly.start()

    _banner(api_url, moto.endpoint, data_dir, users, restored, seeded)
    print(f"  clock      {clock.now().isoformat(timespec='minutes')} (Asia/Shanghai)")
    print(f"ready in {time.perf_counter() - started:.1f} s", flush=True)
    stop.wait()
    print("stopping: saving data …", flush=True)
    if nightly is not None:
        nightly.stop()
    server.stop()
    moto.save(snapshot)
    moto.stop()
    print(f"stopped; data kept in {snapshot}", flush=True)
    return 0


def _faults(text: str | None) -> tuple[Any, dict[str, Any]]:
    """The fault injector, installed on boto3's session with every rate at 0, and the
    settings it is given once the stack is ready; (None, {}) without `--faults`."""
    if not text:
        return None, {}
    from dataclasses import asdict

    from infra.local.faults import from_environment

    injector = from_environment(text)
    planned = asdict(injector.config)
    injector.configure(rate=0.0, rates={})
    return injector.install(), planned


@dataclass
class Signing:
    """Who signs people in locally, and what clients and the gateway need to know."""

    authorize: Authorize
    seed_accounts: Callable[[], None]
    client_id: str | None = None  # Cognito's app client
    pool_id: str | None = None
    endpoint: str = ""

    def local(self, api_url: str) -> dict[str, Any]:
        if self.pool_id is None:
            return {"identity_url": f"{api_url}/identity"}
        return {
            "cognito_endpoint": self.endpoint,
            "user_pool_id": self.pool_id,
            "client_id": self.client_id,
        }


def _identity(kind: str, moto_endpoint: str, store: Any, clock: Clock) -> Signing:
    """Our own identity (a KMS key on moto signs; accounts in the table) or a user pool."""
    import boto3

    from infra.local import resources, seed
    from infra.local.tokens import TokenVerifier, cognito_authorizer, own_authorizer

    if kind == "own":
        key = resources.ensure_signing_key(boto3.client("kms"))
        os.environ.update(
            {"XUEFA_IDENTITY": "own", "XUEFA_SIGNING_KEYS": key, "XUEFA_TOKEN_ISSUER": ISSUER}
        )
        from xuefa.identity.signing_keys import KmsSigningKeys
        from xuefa.identity.tokens import TokenVerifier as OwnVerifier

        verifier = OwnVerifier(KmsSigningKeys([key]), ISSUER, clock)
        return Signing(own_authorizer(verifier), functools.partial(seed.seed_own_accounts, store))
    cognito = boto3.client("cognito-idp")
    pool = resources.ensure_pool(cognito)
    os.environ.update({"XUEFA_IDENTITY": "cognito", "XUEFA_USER_POOL_ID": pool.pool_id})
    cognito_verifier = TokenVerifier(
        jwks_url=f"{moto_endpoint}/{pool.pool_id}/.well-known/jwks.json",
        issuer=f"https://cognito-idp.{REGION}.amazonaws.com/{pool.pool_id}",
        client_id=pool.client_id,
    )
    return Signing(
        cognito_authorizer(cognito_verifier),
        functools.partial(seed.seed_accounts, cognito, pool.pool_id),
        client_id=pool.client_id,
        pool_id=pool.pool_id,
        endpoint=moto_endpoint,
    )


def _log(line: str) -> None:
    print(line, flush=True)


def _banner(
    api_url: str,
    moto_endpoint: str,
    data_dir: Path,
    users: list[dict[str, Any]],
    restored: bool,
    seeded: bool,
) -> None:
    state = "kept data restored" if restored else "fresh data"
    if seeded:
        state += ", demo city seeded"
    print(f"xuefa local stack ({state})")
    print(f"  learners   {api_url}/   (the web app; sign in with a student number)")
    print(f"  admins     {api_url}/admin/   (the console; sign in as county_530402)")
    print(f"  API        {api_url}/{{credits,exams,reports,roster}}   health: {api_url}/health")
    print(f"  moto       {moto_endpoint}  (DynamoDB, S3, KMS, Cognito)")
    print(f"  details    {data_dir / 'local.json'}")
    print("  demo logins (password for all: " + users[0]["password"] + ")")
    admins = [u for u in users if "admins" in u["groups"]]
    for user in admins[:6]:
        print(
            f"    {user['username']:<22} admin  {user.get('level', ''):<7} unit {user['unit_id']}"
        )
    learners = [u for u in users if "learners" in u["groups"]]
    for user in learners[:3]:
        print(f"    {user['username']:<22} learner         unit {user['unit_id']}  {user['name']}")
    print(f"    … {len(admins)} admins and {len(learners)} learners in local.json")
    sys.stdout.flush()


if __name__ == "__main__":
    raise SystemExit(main())
