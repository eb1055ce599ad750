"""What the report queries answer: a day's set of files, the dates that have one, the
bulletin, a learner's archive, a progress export and a run. The API's documented answers
are these same models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class ReportFile(BaseModel):
    """A file of a set, with a link; what else the manifest says of it comes along."""

    model_config = ConfigDict(extra="allow")

    unit_id: str
    kind: str
    format: Literal["csv", "xlsx", "json"]
    url: str
    expires_at: str
    rows: int
    bytes: int
    sha256: str


class DailySet(BaseModel):
    date: str
    cutoff: str
    generated_at: str
    unit_id: str
    files: list[ReportFile]
    note: str | None = Field(None, description="why a set has no files (a year not configured)")


class BulletinRow(BaseModel):
    model_config = ConfigDict(extra="allow")  # a row as the nightly run wrote it

    unit_id: str
    name: str
    learners: int
    participants: int
    exam_takers: int
    passed: int
    pass_rate: float
    avg_total: float


class Bulletin(BaseModel):
    date: str
    cutoff: str
    unit_id: str
    rows: list[BulletinRow]


class ArchiveYear(BaseModel):
    year: int
    credits: int
    credit_score: float
    exam_best: float | None
    exam_score: float
    total: float
    passed: bool


class Archive(BaseModel):
    student_no: str
    items: list[ArchiveYear]


class ProgressExport(BaseModel):
    format: Literal["csv", "xlsx"]
    rows: int
    url: str
    expires_at: str


class ReportDates(BaseModel):
    month: str
    dates: list[str]


class Run(BaseModel):
    date: str
    status: str
    run_id: str | None = None
    duplicate: bool = False
