"""A department's import on the local stack over HTTP: 202 at once, the job run by the
stack's own worker thread (our own identity: one Argon2id hash per learner), followed
until done, and a created learner signs in with the temporary password it shows."""

from __future__ import annotations

import time

import requests

from tests.e2e.conftest import Stack

ROWS = 300


def test_a_department_is_imported_in_one_go(own_stack: Stack, capsys) -> None:
    admin = {"Authorization": own_stack.sign_in("county_530402")}
    text = "name,unit_id,phone\n" + "".join(
        f"新员工{i:03d},530402-001,137{i:08d}\n" for i in range(ROWS)
    )
    started = time.perf_counter()
    answer = requests.post(
        own_stack.url + "/roster/learners/import",
        data=text.encode(),
        headers={**admin, "Content-Type": "text/csv"},
        timeout=29,  # API Gateway's limit
    )
    answered = time.perf_counter() - started
    assert answer.status_code == 202, answer.text
    location = own_stack.url + answer.json()["location"]
    deadline = time.monotonic() + 600
    seen = []
    while time.monotonic() < deadline:
        job = requests.get(location, headers=admin, timeout=10).json()
        seen.append(job["done"])
        if job["state"] != "running":
            break
        time.sleep(1)
    finished = time.perf_counter() - started
    with capsys.disabled():
        print(f"\nlocal stack, {ROWS} rows: 202 in {answered:.2f} s, done in {finished:.1f} s")
    assert (job["state"], job["done"], len(job["created"])) == ("done", ROWS, ROWS)
    assert seen == sorted(seen) and job["errors"] == []
    other = {"Authorization": own_stack.sign_in("county_530403")}
    assert requests.get(location, headers=other, timeout=10).status_code == 403
    learner = job["created"][-1]
    sign_in = requests.post(
        own_stack.url + "/identity/sign-in",
        json={"username": learner["student_no"], "password": learner["temporary_password"]},
        timeout=30,
    )
    assert sign_in.status_code == 200, sign_in.text
    assert sign_in.json()["challenge"] == "NEW_PASSWORD_REQUIRED"
