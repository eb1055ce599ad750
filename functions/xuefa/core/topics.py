"""The content areas study and practice are sorted under (#26, #27): a course's topic and
a bank question's, one list for both so a learner's standing per topic means one thing."""

from __future__ import annotations

from typing import Literal, get_args

Topic = Literal[
    "xi_rule_of_law", "constitution", "legal_system", "party_rules", "yunnan", "seventh_plan"
]
TOPICS: tuple[str, ...] = get_args(Topic)

# The names the city reads (the console's too: web/src/shared/contentMessages.ts).
TOPIC_NAMES: dict[str, str] = {
    "xi_rule_of_law": "习近平法治思想与党的法治方针",
    "constitution": "宪法",
    "legal_system": "中国特色社会主义法律体系",
    "party_rules": "党内法规",
    "yunnan": "云南地方性法规",
    "seventh_plan": "“七五”普法规划",
}
