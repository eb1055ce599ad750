"""Every admin action leaves an audit entry: who, what, when, before and after, and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import StringConstraints

# Why an admin changed something: required, trimmed, 2 to 500 characters (the pattern
# says so to clients: two that are not spaces).
Reason = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=2, max_length=500, pattern=r"^\s*\S[\s\S]*\S\s*$"
    ),
]


@dataclass(frozen=True)
class AuditEntry:
    """What an admin did to what, when, the state before and after, and why."""

    action: str
    target: str
    at: datetime
    before: Any = None
    after: Any = None
    reason: str | None = None
