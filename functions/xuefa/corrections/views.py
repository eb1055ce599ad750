"""What corrections after the window answer (#28.2): the city's request, the year's
corrections and the regrade's progress. The API's documented bodies are these models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from xuefa.core.audit import Reason


class CorrectionRequest(BaseModel):
    question_id: str = Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$", description="the question's id in the bank"
    )
    action: Literal["void", "accept"] = Field(
        description="void: everyone given the question gets its points; accept: one more "
        "answer scores too"
    )
    answer: list[str] | None = Field(
        None,
        min_length=1,
        max_length=8,
        description="accept only: the answer to accept, by the bank's option keys",
    )
    reason: Reason


class CorrectionView(BaseModel):
    number: int = Field(description="the year's corrections are numbered from 1")
    question_id: str
    action: Literal["void", "accept"]
    answer: list[str] = Field(description="accept: the accepted answer by the bank's keys")
    accepted: list[str] = Field(description="accept: the accepted options' texts")
    reason: str
    by: str
    at: str


class RegradeRun(BaseModel):
    run_id: str
    status: str = Field(description="running, finalizing or complete")
    corrections: int = Field(description="the corrections this run applies (1 … n)")
    started_at: str
    completed_at: str | None = None
    shards: int = Field(description="the parts the run is split into (counties and the city)")
    shards_done: int
    attempts_seen: int = Field(description="graded attempts looked at by the shards done")
    attempts_regraded: int = Field(description="of those, the attempts whose score rose")
    duplicate: bool = False


class Corrections(BaseModel):
    year: int
    items: list[CorrectionView]
    run: RegradeRun | None = None


class Corrected(BaseModel):
    """A correction made: it, and the regrade it started."""

    correction: CorrectionView
    run: RegradeRun
