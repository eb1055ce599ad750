"""Audit entries as items: written in the same transaction as the change they describe,
so an action without its entry (or an entry without its action) cannot happen."""

from __future__ import annotations

import secrets
from typing import Any

from xuefa.core.audit import AuditEntry
from xuefa.core.auth import Actor
from xuefa.core.clock import iso, local_date, study_year_of
from xuefa.store.keys import Keys


def audit_put(actor: Actor, entry: AuditEntry) -> dict[str, Any]:
    """The entry as a Put for the transaction that makes the change."""
    day = local_date(entry.at)
    audit_id = secrets.token_hex(8)
    item = {
        **Keys.audit(study_year_of(day), day.isoformat(), iso(entry.at), audit_id),
        "audit_id": audit_id,
        "actor": actor.username,
        "actor_unit": actor.unit_id,
        "action": entry.action,
        "target": entry.target,
        "at": iso(entry.at),
        "before": entry.before,
        "after": entry.after,
        "reason": entry.reason,
    }
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
