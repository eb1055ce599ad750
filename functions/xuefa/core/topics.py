"""The content areas study and practice are sorted under (#26, #27): a course's topic and
a bank question's, one list for both so a learner's standing per topic means one thing."""

from __future__ import annotations

from typing import Literal, get_args

Topic = Literal[
    "xi_rule_of_law", "constitution", "legal_system", "party_rules", "yunnan", "seventh_plan"
]
TOPICS: tuple[str, ...] = get_args(Topic)
