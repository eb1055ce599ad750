"""The learners' app's budgets: JavaScript on first load (gzipped), and Lighthouse's mobile
performance and accessibility on 首页 and on an exam question, signed in, in Debian's
chromium against a local stack."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "web" / "dist"


def first_load(page: str = "index.html") -> dict[str, int]:
    """Bytes (gzipped) of what the page loads before it can show anything: its entry
    script, the modules it preloads, and its stylesheets. Routes load their own chunks."""
    html = (DIST / page).read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    scripts += re.findall(r'<link rel="modulepreload"[^>]+href="([^"]+)"', html)
    styles = re.findall(r'<link rel="stylesheet"[^>]+href="([^"]+)"', html)

    def gz(paths: list[str]) -> int:
        return sum(len(gzip.compress((DIST / p.lstrip("/")).read_bytes(), 9)) for p in paths)

    return {"js": gz(scripts), "css": gz(styles)}


def screen(*sources: str) -> int:
    """The JavaScript of a page and screens with everything they import, gzipped, each
    chunk once (from Vite's manifest): e.g. `screen("admin.html", "src/…/Overview.vue")`
    is what a console's first visit downloads."""
    manifest = json.loads((DIST / ".vite" / "manifest.json").read_text())
    seen: set[str] = set()

    def walk(key: str) -> None:
        if key in seen:
            return
        seen.add(key)
        for child in manifest[key].get("imports", []):
            walk(child)

    for source in sources:
        walk(source)
    files = {manifest[key]["file"] for key in seen}
    return sum(len(gzip.compress((DIST / f).read_bytes(), 9)) for f in files)


def lighthouse() -> dict[str, dict[str, int]]:
    from tests.e2e.conftest import start_stack

    with tempfile.TemporaryDirectory(prefix="xuefa-lighthouse-") as data:
        stack = start_stack(Path(data), fresh=True)
        try:
            run = subprocess.run(
                ["node", "bench/lighthouse.mjs", stack.url, "530402000001", "Xuefa-Demo-2026"],
                cwd=ROOT / "web",
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
        finally:
            stack.stop()
    if run.returncode != 0:
        raise RuntimeError(f"lighthouse failed:\n{run.stderr[-2000:]}")
    scores: dict[str, dict[str, int]] = json.loads(run.stdout.strip().splitlines()[-1])
    return scores


def big_unit_list(staff: int = 300) -> dict[str, float]:
    """A unit admin with `staff` learners opens 学员: milliseconds until every row is in
    the table, and the main thread's long tasks meanwhile (jank), in Debian's chromium."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import ARGS, CHROMIUM, PASSWORD
    from tests.e2e.conftest import start_stack

    with tempfile.TemporaryDirectory(prefix="xuefa-big-unit-") as data:
        stack = start_stack(Path(data), fresh=True)
        try:
            lines = "".join(f"员工{i:04d},530402-001,\n" for i in range(staff - 10))
            imported = import_file(stack, ("name,unit_id,phone\n" + lines).encode())
            assert len(imported["created"]) == staff - 10, imported
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(stack.url + "/admin/")
                page.fill("input[name=username]", "unit_530402-001")
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_selector("[data-test=who]")
                page.evaluate(
                    "() => { window.__long = 0; new PerformanceObserver((l) => l.getEntries()"
                    ".forEach((e) => window.__long += e.duration)).observe({type: 'longtask'}) }"
                )
                started = page.evaluate("() => performance.now()")
                page.click(".el-menu-item:has-text('学员')")
                page.wait_for_selector(f"[data-test=learners][data-rows='{staff}']")
                page.wait_for_selector("[data-test=learners] .el-table-v2__row")
                done = page.evaluate("() => performance.now()")
                long_tasks = float(page.evaluate("() => window.__long"))
                browser.close()
        finally:
            stack.stop()
    return {"ms": done - started, "long_tasks_ms": long_tasks}


def import_file(stack: Any, body: bytes) -> dict[str, Any]:
    """A roster import as the unit admin, followed to its end when it became a job (202)."""
    import time

    import requests

    token = stack.sign_in("unit_530402-001")
    result = requests_post(stack.url + "/roster/learners/import", body, token)
    location = result.get("location")
    while location:
        answer = requests.get(stack.url + location, headers={"Authorization": token}, timeout=60)
        answer.raise_for_status()
        result = answer.json()
        if result["state"] != "running":
            break
        time.sleep(1)
    return result


def requests_post(url: str, body: bytes, token: str) -> dict[str, Any]:
    import requests

    response = requests.post(
        url, data=body, headers={"Authorization": token, "Content-Type": "text/csv"}, timeout=300
    )
    response.raise_for_status()
    result: dict[str, object] = response.json()
    return result
