"""Where a unit stands in practice (#27): per topic, over the unit's subtree, how many
learners practised it, how many answers and how many right, weakest first. Summed from
the year results' per-topic counters (a completed set adds its answers), read a page of
learners at a time as live progress is. Never one learner's answers: a topic's figures
are shown only once at least MIN_LEARNERS learners practised it."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, Field

from xuefa.core.auth import Actor
from xuefa.core.topics import TOPICS
from xuefa.roster.directory import Directory, Unit
from xuefa.roster.people_repository import DynamoPeople
from xuefa.years.results import YearResult

MIN_LEARNERS = 5  # fewer and a figure could be one person's (or a few colleagues') answers


class TopicFigure(BaseModel):
    topic: str
    learners: int = Field(description="learners whose completed sets held the topic")
    answered: int | None = Field(description="null while too few learners practised it")
    correct: int | None
    rate: float | None


class UnitTopics(BaseModel):
    unit_id: str
    unit_name: str
    year: int
    learners: int = Field(description="active learners in the unit's subtree")
    practising: int = Field(description="of them, those with a completed practice set")
    min_learners: int
    topics: list[TopicFigure] = Field(description="weakest first; hidden figures last")


class PracticeStanding:
    def __init__(self, people: DynamoPeople, directory: Directory):
        self.people = people
        self.directory = directory

    def _subtree(self, unit: Unit) -> Iterator[Unit]:
        yield unit
        for child in self.directory.children(unit.unit_id):
            yield from self._subtree(child)

    def _results(self, unit: Unit, year: int) -> Iterator[YearResult | None]:
        """Each active learner's year result (None: none yet), a page at a time."""
        start = None
        while True:
            items, last = self.people.unit_page(unit.unit_id, start)
            active = [str(p["student_no"]) for p in items if p.get("status", "active") == "active"]
            results = self.people.year_results(active, year)
            yield from (results.get(no) for no in active)
            if not last:
                return
            start = last

    def of_unit(self, actor: Actor, unit_id: str | None, year: int) -> UnitTopics:
        unit = self.directory.unit_in_scope(actor, unit_id or actor.unit_id)
        learners = practising = 0
        sums = {topic: [0, 0, 0] for topic in TOPICS}  # learners, answered, right
        for member in self._subtree(unit):
            for result in self._results(member, year):
                learners += 1
                if result is None or not result.practised:
                    continue
                practising += 1
                for topic, (answered, right) in result.practised.items():
                    if topic in sums and answered:
                        totals = sums[topic]
                        totals[0], totals[1], totals[2] = (
                            totals[0] + 1,
                            totals[1] + answered,
                            totals[2] + right,
                        )
        figures = [_figure(topic, *totals) for topic, totals in sums.items()]
        figures.sort(key=lambda f: (f.rate is None, f.rate or 0.0, f.topic))
        return UnitTopics(
            unit_id=unit.unit_id,
            unit_name=unit.name,
            year=year,
            learners=learners,
            practising=practising,
            min_learners=MIN_LEARNERS,
            topics=figures,
        )


def _figure(topic: str, learners: int, answered: int, right: int) -> TopicFigure:
    if learners < MIN_LEARNERS:
        return TopicFigure(topic=topic, learners=learners, answered=None, correct=None, rate=None)
    return TopicFigure(
        topic=topic,
        learners=learners,
        answered=answered,
        correct=right,
        rate=round(right / answered, 4) if answered else None,
    )
