"""The web apps in a real browser: Debian's chromium driven by Playwright, against the
local stack started as `make run` would, serving the built app (`make web`).

Missing chromium or an unbuilt app fails loudly: `make test` installs and builds both."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.e2e.conftest import ROOT, Stack, start_stack

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = ROOT / "tests" / "browser" / "screenshots"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
PASSWORD = "Xuefa-Demo-2026"
# Chromium as the probe of this workplace starts it: no network of its own.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def web_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not (ROOT / "web" / "dist" / "index.html").is_file():
        pytest.fail("the web app is not built: run `make web` (make test does)")
    running = start_stack(tmp_path_factory.mktemp("xuefa-browser"), fresh=True, history=False)
    try:
        assert requests.get(running.url + "/health", timeout=5).status_code == 200
        yield running
    finally:
        if running.process.poll() is None:
            running.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: apt-get install chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    # bypass_csp: our CSP forbids inline scripts, axe-core is injected as one
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        bypass_csp=True,
    )
    yield context
    context.close()


@pytest.fixture
def desktop(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport=DESKTOP, locale="zh-CN", bypass_csp=True)
    yield context
    context.close()


def shot(page: Any, name: str) -> Path:
    """A screenshot kept as test output (tests/browser/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # after popups and dialogs have finished sliding in or fading out
    page.wait_for_function("() => document.getAnimations().every((a) => a.playState !== 'running')")
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical findings on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def sign_in(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(url + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
