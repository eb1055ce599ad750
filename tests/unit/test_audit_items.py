"""等保 level 3's security audit (#29.5): audit entries are kept (no TTL: past the 180
days it asks) and never overwritten (a Put only where none is); an admin's view of a
learner is kept past 180 days too."""

from __future__ import annotations

from datetime import datetime, timedelta

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.clock import SHANGHAI
from xuefa.roster.access_repository import ACCESS_KEPT
from xuefa.store.audit import audit_put

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI)
ADMIN = Actor(username="unit_530402-001", groups=frozenset({"admins"}), unit_id="530402-001")


def test_an_audit_entry_never_expires_and_is_never_overwritten() -> None:
    put = audit_put(ADMIN, AuditEntry("roster.learner.status", "530402000001", NOW))["Put"]
    assert "expires_at" not in put["Item"]  # the table's TTL attribute: kept for good
    assert put["ConditionExpression"] == "attribute_not_exists(pk)"
    assert (put["Item"]["actor"], put["Item"]["target"]) == ("unit_530402-001", "530402000001")


def test_an_admins_view_of_a_learner_is_kept_past_180_days() -> None:
    assert timedelta(days=180) <= ACCESS_KEPT
