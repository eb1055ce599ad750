"""Practice for learners (#27): a set drawn from the practice pool, each answer graded at
once with its key, explanation and lesson section, the wrong-answer notebook and the
learner's standing per topic. Rules over a clock, the year book and the repository."""

from __future__ import annotations

import random
import re
import secrets
from datetime import datetime
from typing import Any

from xuefa.core.auth import Actor, require_learner
from xuefa.core.clock import Clock, iso, local_date, study_year_of
from xuefa.core.errors import BadRequest, Conflict, Forbidden, NotFound
from xuefa.core.topics import TOPICS
from xuefa.exams.questions import Question
from xuefa.practice import schedule, sets, views
from xuefa.practice.paying import SetPay
from xuefa.practice.repository import DynamoPractice
from xuefa.practice.sets import GivenSet, Practised
from xuefa.years.repository import YearBook

CARD_TRIES = 3  # a card moved by a parallel answer is read again, this many times


def _learner(actor: Actor) -> str:
    """Practice is the learner's own: administrators are refused."""
    require_learner(actor)
    if actor.is_admin:
        raise Forbidden("practice is for learners")
    return actor.username


def _asked(question: Question) -> views.PracticeQuestion:
    """A question as the learner sees it before answering: never its key."""
    options = [views.PracticeOption(key=o.key, text=o.text) for o in question.options]
    return views.PracticeQuestion(
        question_id=question.question_id, type=question.type, stem=question.stem, options=options
    )


class Practice:
    def __init__(self, records: DynamoPractice, pay: SetPay, years: YearBook, clock: Clock):
        self.records = records
        self.pay = pay
        self.years = years
        self.clock = clock

    def _year(self, year: int | None) -> int:
        chosen = year or study_year_of(local_date(self.clock.now()))
        self.years.get(chosen)  # 404 for a year that is not configured
        return chosen

    # sets --------------------------------------------------------------------------

    def give(self, actor: Actor, query: views.SetQuery) -> views.PracticeSet:
        me, year, now = _learner(actor), self._year(query.year), self.clock.now()
        pool = self.records.pool(year)
        today = self.records.daily(me, local_date(now)) if query.kind == "daily" else None
        if today is not None and today.year == year:
            return self._shown(today, pool)
        set_id = f"p{secrets.token_hex(10)}"
        chosen = self._choose(query, me, year, pool, random.Random(set_id))
        if not chosen:
            raise NotFound("no practice questions for this set yet")
        given = GivenSet(
            set_id=set_id,
            owner=me,
            year=year,
            kind=query.kind,
            question_ids=tuple(q.question_id for q in chosen),
            expires_at=sets.expiry(query.kind, now),
            subject=query.lesson_id if query.kind == "lesson" else query.topic,
        )
        daily_on = local_date(now) if query.kind == "daily" else None
        return self._shown(self.records.give(given, daily_on), pool)

    def _choose(
        self,
        query: views.SetQuery,
        me: str,
        year: int,
        pool: dict[str, Question],
        rng: random.Random,
    ) -> list[Question]:
        questions = list(pool.values())
        if query.kind == "lesson":
            return sets.for_lesson(questions, str(query.lesson_id))
        practised = self.records.practised(me, year)
        if query.kind == "topic":
            return sets.for_topic(questions, practised, str(query.topic), rng)
        return sets.daily(questions, practised, self.clock.now(), rng)

    def _shown(self, given: GivenSet, pool: dict[str, Question]) -> views.PracticeSet:
        questions = [_asked(pool[q]) for q in given.question_ids if q in pool]
        return views.PracticeSet(
            set_id=given.set_id,
            kind=given.kind,
            year=given.year,
            expires_at=iso(given.expires_at),
            questions=questions,
        )

    # answers -----------------------------------------------------------------------

    def answer(self, actor: Actor, set_id: str, body: views.AnswerBody) -> views.Feedback:
        me, now = _learner(actor), self.clock.now()
        given = self.records.given(set_id) if re.match(views.SET_ID, set_id) else None
        if given is None:
            raise NotFound("no such practice set")
        if given.owner != me:
            raise Forbidden("this practice set is another learner's")
        if body.question_id not in given.question_ids:
            raise BadRequest("that question is not in this set")
        if given.expires_at <= now:
            raise Conflict("this practice set has expired: ask for a new one")
        question = self.records.pool(given.year).get(body.question_id)
        if question is None:
            raise NotFound("that question is no longer in the practice pool")
        unknown = sorted(set(body.answer) - {o.key for o in question.options})
        if unknown:
            raise BadRequest(f"answer keys {unknown} are not among the question's options")
        mine = {"correct": body.answer == question.answer, "answer": body.answer}
        recorded = self.records.answer(given, question.question_id, mine, now)
        outcome, answered, repeated, answers = recorded
        # Counted by the set's id, not by `repeated`: an answer that landed but whose reply
        # was lost (the client retried) is counted by the retry, and never twice.
        self._count(me, given, question, bool(outcome["correct"]), now)
        feedback = _feedback(question, outcome, answered, len(given.question_ids), repeated)
        if feedback.complete:
            tallies = sets.topic_tallies(self.records.pool(given.year), answers)
            paid = self.pay.settle(actor, given, now, not repeated, tallies)
            if paid is not None:
                feedback.awarded, feedback.limit = paid
        return feedback

    def _count(
        self, me: str, given: GivenSet, question: Question, correct: bool, now: datetime
    ) -> None:
        """The answer's tallies and its notebook move, in one conditional write (read again
        and recomputed if a parallel answer moved the card first), once per set."""
        for _ in range(CARD_TRIES):
            record = self.records.practised_one(me, given.year, question.question_id)
            if record is not None and given.set_id in record.sets:
                return  # this set's answer is counted already
            card = schedule.answered(record.card if record else None, correct, now)
            version = record.version if record else 0
            if self.records.tally(given, question, correct, card, version):
                return
        raise Conflict("the notebook moved meanwhile; the answer was kept, try again")

    # the notebook and the standing -------------------------------------------------

    def notebook(self, actor: Actor, year: int | None) -> views.Notebook:
        me, chosen, now = _learner(actor), self._year(year), self.clock.now()
        pool = self.records.pool(chosen)
        kept = [
            p
            for p in self.records.practised(me, chosen).values()
            if p.card and p.card.in_notebook and p.question_id in pool
        ]
        kept.sort(key=lambda p: (p.card.due if p.card else now, p.question_id))
        items = [_noted(p, pool[p.question_id]) for p in kept]
        due = [item for p, item in zip(kept, items, strict=True) if p.card and p.card.is_due(now)]
        return views.Notebook(year=chosen, due=due, items=items)

    def remove(self, actor: Actor, year: int | None, question_id: str) -> views.Removed:
        me, chosen = _learner(actor), self._year(year)
        if not self.records.remove(me, chosen, question_id):
            raise NotFound("that question is not in your notebook")
        return views.Removed(question_id=question_id, removed=True)

    def topics(self, actor: Actor, year: int | None) -> views.TopicStandings:
        me, chosen = _learner(actor), self._year(year)
        totals = {topic: [0, 0] for topic in TOPICS}
        for record in self.records.practised(me, chosen).values():
            if record.topic in totals:
                totals[record.topic][0] += record.answered
                totals[record.topic][1] += record.correct
        standings = [
            views.TopicStanding(
                topic=topic,
                answered=answered,
                correct=correct,
                rate=round(correct / answered, 4) if answered else None,
            )
            for topic, (answered, correct) in totals.items()
        ]
        return views.TopicStandings(year=chosen, topics=standings)


def _feedback(
    question: Question, outcome: dict[str, Any], answered: int, of: int, repeated: bool
) -> views.Feedback:
    source = (
        views.Source(lesson_id=question.lesson_id, anchor=question.anchor)
        if question.lesson_id
        else None
    )
    return views.Feedback(
        correct=bool(outcome["correct"]),
        key=question.answer,
        explanation=question.explanation or "",
        source=source,
        answered=answered,
        of=of,
        repeated=repeated,
        complete=answered >= of,
        awarded=None,  # set explicitly: every answer names them (null until paid)
        limit=None,
    )


def _noted(record: Practised, question: Question) -> views.NotebookItem:
    assert record.card is not None
    return views.NotebookItem(
        question_id=record.question_id,
        topic=record.topic,
        stem=question.stem,
        due_at=iso(record.card.due),
        streak=record.card.streak,
        wrong=record.answered - record.correct,
        answered=record.answered,
    )
