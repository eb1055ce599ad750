"""Overrides: more attempts or a later close for one learner or a whole unit, within the
year's policy (held over every override by the grant's own transaction), recorded once
under its id and audited."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock, iso
from xuefa.core.errors import BadRequest, Conflict, Duplicate, Forbidden, OverrideLimit, YearClosed
from xuefa.exams import views
from xuefa.exams.grading import Grading
from xuefa.exams.repository import Grant
from xuefa.exams.rules import allowed, closes, epoch, review_margin
from xuefa.exams.views import BulkOverride, Override, OverrideTerms
from xuefa.years.rules import YearConfig

# Who may grant overrides, by the depth of their unit: the city is the root (depth 0),
# counties and city departments its children (1), units below them (2 and more).
GRANTOR_DEPTH = {"city": 0, "county": 1, "unit": 99}


def may_grant(config: YearConfig, unit_path: str) -> bool:
    return unit_path.count("/") <= GRANTOR_DEPTH[config.overrides.granted_by]


def override_limit(
    config: YearConfig, extra_before: int, override: OverrideTerms
) -> OverrideLimit | None:
    """Why an override goes beyond the year's policy, or None when it stays inside."""
    policy = config.overrides
    if extra_before + override.extra_attempts > policy.max_extra_attempts:
        return OverrideLimit(
            f"at most {policy.max_extra_attempts} extra attempts a learner this year; "
            f"{extra_before} already granted",
            {
                "limit": "max_extra_attempts",
                "max_extra_attempts": policy.max_extra_attempts,
                "granted": extra_before,
            },
        )
    latest = config.latest_override_close
    if override.closes_at is not None and override.closes_at > latest:
        return OverrideLimit(
            f"no close later than {iso(latest)}",
            {"limit": "latest_close", "latest_close": iso(latest)},
        )
    return None


class Overrides:
    def __init__(self, grading: Grading):
        self.grading = grading
        self.attempts = grading.attempts
        self.years = grading.years
        self.directory = grading.directory
        self.clock: Clock = grading.clock

    def override(self, actor: Actor, year: int, override: Override) -> views.OverrideView:
        profile = self.directory.learner_in_scope(actor, override.student_no)
        config = self._override_policy(actor, year, override)
        self._cover_close(config, override)
        return self._apply_override(actor, config, profile, override)

    def _cover_close(self, config: YearConfig, terms: OverrideTerms) -> None:
        """Before granting a later close, the year's latest granted close is raised to it
        (only if greater): the key stays closed until that close has passed for everyone.
        A bulk override does it once for all its learners."""
        if terms.closes_at is not None:
            margin = int(review_margin(config).total_seconds())
            self.attempts.raise_latest_close(config.year, terms.closes_at, self.clock.now(), margin)

    def _override_policy(self, actor: Actor, year: int, terms: OverrideTerms) -> YearConfig:
        """The year, if this admin may grant overrides in it and the terms make sense."""
        config = self.years.get(year)
        if not may_grant(config, self.directory.unit(actor.unit_id).path):
            raise Forbidden(
                f"in {year} only {config.overrides.granted_by} administrators grant overrides"
            )
        if config.closed(self.clock.now()):
            raise YearClosed(f"study year {year} has closed")
        if terms.closes_at is not None and terms.closes_at <= config.exam_window.closes_at:
            raise BadRequest(
                "closes_at must be later than the exam window's close",
                {"closes_at": iso(config.exam_window.closes_at)},
            )
        return config

    def _apply_override(
        self, actor: Actor, config: YearConfig, profile: Mapping[str, Any], override: Override
    ) -> views.OverrideView:
        now = self.clock.now()
        request = override.model_dump(mode="json")
        result, _ = self.grading.read(override.student_no, config.year)
        extra_before = result.extra_granted
        earlier = self.attempts.override_request(override.override_id)
        if earlier is None:  # a repeated request is answered below, as before
            refusal = override_limit(config, extra_before, override)
            if refusal is not None:
                raise refusal
        close = closes(config, result)
        if override.closes_at is not None:
            close = max(close, override.closes_at)
        grant = Grant(
            override_id=override.override_id,
            student_no=override.student_no,
            unit_id=str(result.unit_id or profile["unit_id"]),
            year=config.year,
            request=request,
            extra_attempts=override.extra_attempts,
            extra_room=config.overrides.max_extra_attempts - override.extra_attempts,
            close_override=epoch(close) if override.closes_at is not None else None,
            asked_close=override.closes_at,
            reason=override.reason,
            extra_before=extra_before,
            close_before=result.own_close,
            at=now,
            review_margin=int(review_margin(config).total_seconds()),
        )
        refused = self.attempts.grant(actor, grant)
        if refused:
            self._override_refused(refused, config, request, override)
        fresh, _ = self.grading.read(override.student_no, config.year)
        return views.OverrideView.model_validate(
            {
                "override_id": override.override_id,
                "student_no": override.student_no,
                "year": config.year,
                "max_attempts": allowed(config, fresh),
                "closes_at": iso(closes(config, fresh)),
                "reason": override.reason,
            }
        )

    def _override_refused(
        self,
        refused: frozenset[str],
        config: YearConfig,
        request: dict[str, Any],
        override: Override,
    ) -> None:
        """Turn a refused override into its answer: a repeat (nothing to raise), a reused
        id, a limit reached meanwhile, or the year closing."""
        if "once" in refused:
            if self.attempts.override_request(override.override_id) != request:
                raise Duplicate(
                    f"override {override.override_id} was already used for another change"
                )
            return
        if "year" in refused:
            latest = config.latest_override_close
            if override.closes_at is None or override.closes_at <= latest:
                raise YearClosed(f"study year {config.year} has closed")
            raise OverrideLimit(
                f"no close later than {iso(latest)}",
                {"limit": "latest_close", "latest_close": iso(latest)},
            )
        if "review" in refused:
            raise Conflict(
                f"the review of study year {config.year}'s exam has opened (its key is out): "
                "no more attempts can be granted",
                {"reason": "review_open"},
            )
        if "room" in refused:
            result, _ = self.grading.read(override.student_no, config.year)
            refusal = override_limit(config, result.extra_granted, override)
            if refusal is not None:  # another override took the room meanwhile
                raise refusal
        raise Conflict()

    def bulk_override(self, actor: Actor, year: int, bulk: BulkOverride) -> views.BulkOverrideView:
        self.directory.unit_in_scope(actor, bulk.unit_id)
        config = self._override_policy(actor, year, bulk)
        self._cover_close(config, bulk)
        learners = self.directory.active_learners(bulk.unit_id)
        applied = []
        skipped = []
        for profile in learners:
            single = Override(
                override_id=f"{bulk.override_id}.{profile['student_no']}",
                student_no=str(profile["student_no"]),
                extra_attempts=bulk.extra_attempts,
                closes_at=bulk.closes_at,
                reason=bulk.reason,
            )
            try:
                applied.append(self._apply_override(actor, config, profile, single))
            except (OverrideLimit, Duplicate) as refusal:
                skipped.append(
                    {
                        "student_no": single.student_no,
                        "code": refusal.code,
                        "message": refusal.message,
                        "details": refusal.details or {},
                    }
                )
        return views.BulkOverrideView.model_validate(
            {
                "override_id": bulk.override_id,
                "unit_id": bulk.unit_id,
                "applied": applied,
                "skipped": skipped,
            }
        )
