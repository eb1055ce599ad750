"""The demo's 2017, closed at seed time, over HTTP: a year-end set to download, a
certificate whose text names the learner and whose code anyone can check."""

from __future__ import annotations

import io

import pytest
import requests

from infra.local.demo_closed_year import learners_of
from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


def bearer(stack: Stack, login: str) -> dict[str, str]:
    return {"Authorization": stack.sign_in(login)}


def test_a_county_downloads_2017s_year_end_set(stack: Stack) -> None:
    listing = requests.get(
        stack.url + "/reports/years/2017", headers=bearer(stack, "county_530402"), timeout=30
    ).json()
    assert listing["cutoff"] == "2017-12-01T00:00:00+08:00"
    assert {f["unit_id"][:6] for f in listing["files"]} == {"530402"}  # its own subtree
    bulletin = next(f for f in listing["files"] if f["kind"] == "rollup" and f["format"] == "csv")
    text = requests.get(bulletin["url"], timeout=30).content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("单位编号,单位,学员数")


def test_a_learner_who_passed_2017_downloads_a_certificate_anyone_can_verify(stack: Stack) -> None:
    from pypdf import PdfReader

    for learner in learners_of(2017):
        answer = requests.get(
            stack.url + "/reports/me/certificates/2017",
            headers=bearer(stack, learner.student_no),
            timeout=30,
        )
        if answer.status_code == 200:
            break
        assert answer.status_code == 404  # did not pass: no certificate
    else:
        pytest.fail("nobody passed 2017 in the demo")
    certificate = answer.json()
    pdf = requests.get(certificate["url"], timeout=30)
    assert pdf.headers["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    for shown in ("合格证明", learner.name, learner.student_no, "2017年度", certificate["code"]):
        assert shown in text, shown
    assert f"{stack.url}/verify/{certificate['code']}" in text  # the page the QR opens
    checked = requests.get(f"{stack.url}/reports/verify/{certificate['code']}", timeout=10)
    assert checked.status_code == 200
    body = checked.json()
    assert body["valid"] and body["year"] == 2017 and body["passed"]
    assert body["name"] != learner.name and body["name"][0] == learner.name[0]
    forged = requests.get(f"{stack.url}/reports/verify/ABCD-EFGH-JKMN-PQRS-TVWX", timeout=10)
    assert forged.status_code == 404 and forged.json()["error"]["code"] == "NOT_FOUND"
