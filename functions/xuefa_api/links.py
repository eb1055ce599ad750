"""Where an answer leads: OpenAPI links from the operations that create something to those
that read or change it, so that a client (or a stateful fuzzer) can chain create → read →
change without knowing our URLs by heart."""

from __future__ import annotations

from typing import Any

UNIT = {"unit_id": "$response.body#/unit_id"}
LEARNER = {"student_no": "$response.body#/student_no"}
ATTEMPT = {"year": "$request.path.year", "attempt_no": "$response.body#/attempt_no"}

# (operation, status) → {link name: (target operation, parameters[, request body])}
LINKS: dict[tuple[str, str], dict[str, tuple[Any, ...]]] = {
    ("roster_create_unit", "201"): {
        "ReadUnit": ("roster_unit", UNIT),
        "ListItsLearners": ("roster_learners", UNIT),
        "AddALearner": (
            "roster_create_learner",
            {},
            {"unit_id": "$response.body#/unit_id", "name": "新同事"},
        ),
        "AddAUnitBelow": (
            "roster_create_unit",
            {},
            {"parent_id": "$response.body#/unit_id", "name": "下属单位"},
        ),
    },
    ("roster_create_learner", "201"): {
        "ReadLearner": ("roster_learner", LEARNER),
        "ChangeStatus": ("roster_change_status", LEARNER),
        "ResetPassword": ("roster_password_reset", LEARNER),
        "Balance": ("credits_learner_balance", LEARNER),
        "Ledger": ("credits_learner_ledger", LEARNER),
        "Archive": ("reports_learner_archive", LEARNER),
    },
    # A transfer's target unit comes from the body: an unknown one is a 404, which a
    # fuzzer chaining it after a creation would take for the learner gone missing.
    ("roster_change_status", "200"): {
        "ReadLearner": ("roster_learner", LEARNER),
    },
    ("credits_add_resource", "201"): {
        "Study": ("credits_start_session", {}, {"resource_id": "$response.body#/resource_id"}),
    },
    ("credits_start_session", "201"): {
        "Complete": ("credits_complete_session", {"session_id": "$response.body#/session_id"}),
        "Abandon": ("credits_abandon_session", {"session_id": "$response.body#/session_id"}),
    },
    ("exams_start", "201"): {
        "Read": ("exams_attempt", ATTEMPT),
        "Answer": ("exams_save_answers", ATTEMPT),
        "Submit": ("exams_submit", ATTEMPT),
    },
    ("exams_save_answers", "200"): {
        "Submit": (
            "exams_submit",
            {"year": "$request.path.year", "attempt_no": "$request.path.attempt_no"},
        ),
    },
}


def add_links(paths: dict[str, Any]) -> None:
    """Put each link on its answer in the document's `paths`."""
    operations = {
        spec["operationId"]: spec for methods in paths.values() for spec in methods.values()
    }
    for (source, status), links in LINKS.items():
        answer = operations[source]["responses"][status]
        answer["links"] = {name: _link(*link) for name, link in links.items()}


def _link(target: str, parameters: dict[str, str], body: Any = None) -> dict[str, Any]:
    link: dict[str, Any] = {"operationId": target}
    if parameters:
        link["parameters"] = parameters
    if body is not None:
        link["requestBody"] = body
    return link
