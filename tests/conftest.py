"""Every test: its log records are scanned for personal data (tests/logscan.py)."""

from tests.logscan import (  # noqa: F401  (hooks and an autouse fixture, found by name)
    _logs_hold_no_personal_data,
    pytest_configure,
    pytest_unconfigure,
)
