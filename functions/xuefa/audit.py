"""Every admin action leaves an audit entry: who, what, when, before and after, and why."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

# Why an admin changed something: required, trimmed, 2 to 500 characters.
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=500)]
