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


class FailedUnit(BaseModel):
    """A unit left out of a set: its files could not be written (the reason is logged)."""

    unit_id: str
    name: str


class DailySet(BaseModel):
    date: str
    cutoff: str
    generated_at: str
    unit_id: str
    files: list[ReportFile]
    note: str | None = Field(None, description="why a set has no files (a year not configured)")
    whole: bool = Field(True, description="false when a unit of the caller's subtree is missing")
    failed_units: list[FailedUnit] = Field(
        default_factory=list, description="the units of the subtree left out of this set"
    )


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
    rank: int | None = Field(None, description="名次: by pass rate, then average score")


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
    hours: float | None = Field(None, description="学时 (frozen years)")
    attempts: int | None = Field(None, description="考试次数 (frozen years)")
    unit_id: str | None = Field(None, description="the unit at the close (frozen years)")
    unit_name: str | None = Field(None, description="its name then")
    frozen: bool = Field(False, description="true once the year has closed: it never changes")
    closed_at: str | None = None
    certificate: bool = Field(False, description="a certificate can be downloaded")


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
    year: int | None = Field(None, description="set when the run closes a study year")


class YearEndSet(BaseModel):
    """A closed study year's files: each unit's learners and each county's and the
    city's bulletin, frozen at the close of the credit window."""

    year: int
    cutoff: str
    closed_at: str
    unit_id: str
    files: list[ReportFile]
    whole: bool = Field(True, description="false until every unit of the subtree is in")
    failed_units: list[FailedUnit] = Field(default_factory=list)


class Certificate(BaseModel):
    year: int
    student_no: str
    code: str = Field(description="the verification code, as printed (groups of four)")
    url: str = Field(description="the PDF, for a few minutes")
    expires_at: str


class CertificateBundle(BaseModel):
    year: int
    unit_id: str
    certificates: int = Field(description="pages: one per learner of the unit who passed")
    url: str = Field(description="the PDF, for a few minutes")
    expires_at: str


class Verification(BaseModel):
    """What anyone may learn from a certificate's code, and no more."""

    valid: Literal[True]
    year: int
    name: str = Field(description="masked: 张*华")
    unit_name: str
    total: float
    passed: bool
