"""Audit entries as items: written in the same transaction as the change they describe,
so an action without its entry (or an entry without its action) cannot happen."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from xuefa.auth import Actor
from xuefa.clock import iso, local_date
from xuefa.dal.table import Keys
from xuefa.rules import study_year_of


def audit_put(
    actor: Actor,
    action: str,
    target: str,
    at: datetime,
    before: Any = None,
    after: Any = None,
    reason: str | None = None,
) -> dict[str, Any]:
    day = local_date(at)
    audit_id = secrets.token_hex(8)
    item = {
        **Keys.audit(study_year_of(day), day.isoformat(), iso(at), audit_id),
        "audit_id": audit_id,
        "actor": actor.username,
        "actor_unit": actor.unit_id,
        "action": action,
        "target": target,
        "at": iso(at),
        "before": before,
        "after": after,
        "reason": reason,
    }
    return {"Put": {"Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}
