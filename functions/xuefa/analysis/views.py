"""What the item analysis answers: a run's state, and the latest complete result with its
files' links. The API's documented answers are these same models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Flag = Literal[
    "too_easy",
    "too_hard",
    "low_discrimination",
    "negative_discrimination",
    "unused_option",
    "key_suspect",
]


class AnalysisRun(BaseModel):
    year: int
    run_id: str
    status: str = Field(description="running, finalizing or complete")
    started_at: str
    completed_at: str | None = None
    shards: int = Field(description="the parts the run is split into (counties and the city)")
    shards_done: int
    duplicate: bool = Field(False, description="a run already under way was answered")


class OptionView(BaseModel):
    key: str = Field(description="the bank's option key (the same however it was shuffled)")
    is_key: bool
    picked: int
    upper: int
    lower: int


class ItemView(BaseModel):
    question_id: str
    type: str
    category: str
    drawn: int
    right: int
    facility: float | None = Field(description="share of the papers that drew it with it right")
    upper_drawn: int
    lower_drawn: int
    upper_facility: float | None
    lower_facility: float | None
    discrimination: float | None = Field(description="upper less lower 27 % (Kelley)")
    point_biserial: float | None = Field(description="item against the rest of the paper")
    options: list[OptionView]
    flags: list[Flag]


class ScoreBin(BaseModel):
    low: int
    high: int
    papers: int


class PaperView(BaseModel):
    papers: int = Field(description="learners counted: each one's first graded attempt")
    group_size: int
    questions_per_paper: float
    mean_percent: float | None
    sd_percent: float | None
    kr20: float | None
    histogram: list[ScoreBin]


class AnalysisFile(BaseModel):
    format: Literal["csv", "xlsx", "json"]
    url: str
    expires_at: str
    rows: int
    bytes: int
    sha256: str


class ItemAnalysis(BaseModel):
    """The latest run, and the latest complete result (absent until one is)."""

    year: int
    run: AnalysisRun
    generated_at: str | None = None
    paper: PaperView | None = None
    items: list[ItemView] = Field(default_factory=list)
    files: list[AnalysisFile] = Field(default_factory=list)
