"""What the roster answers: units, learners with their history, new accounts and what a
CSV import did. The API's documented answers are these same models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Page = str | None  # the next page's cursor, or null on the last page


class UnitRef(BaseModel):
    unit_id: str
    name: str


class UnitView(UnitRef):
    parent_id: str | None
    path: str = Field(description="unit ids from the root, '/'-separated")
    kind: str
    children: list[UnitRef]
    learner_count: int


class HistoryEvent(BaseModel):
    """What happened to a learner, when; each kind of event says more (who, from and to
    which unit, why), kept as it was written."""

    model_config = ConfigDict(extra="allow")

    at: str
    event: str


class Learner(BaseModel):
    student_no: str
    name: str
    unit_id: str
    unit_name: str | None
    status: Literal["active", "resigned", "retired"]
    phone: str | None = None
    history: list[HistoryEvent]


class LearnerPage(BaseModel):
    items: list[Learner]
    cursor: Page


class NewAccount(Learner):
    temporary_password: str


class ImportedLearner(NewAccount):
    line: int


class ImportProblem(BaseModel):
    line: int
    message: str


class ImportResult(BaseModel):
    created: list[ImportedLearner]
    duplicates: list[ImportProblem]
    errors: list[ImportProblem]


class ImportAccepted(BaseModel):
    """A file too large to register in one request: the job that does it, and where to
    follow it (`GET location`)."""

    import_id: str
    location: str
    state: Literal["running"]
    total: int = Field(description="the file's rows")


class ImportedAccount(BaseModel):
    line: int
    student_no: str
    name: str
    unit_id: str
    unit_name: str | None = None
    temporary_password: str | None = Field(
        description="shown to the importing administrator until the job expires"
    )


class ImportJob(BaseModel):
    """An import job's progress (`done` of `total` rows handled) and result: every line
    of the file is in `created`, `duplicates` or `errors` once the job has ended."""

    import_id: str
    state: Literal["running", "done", "failed"]
    total: int
    done: int
    started_at: str
    expires_at: str
    created: list[ImportedAccount]
    duplicates: list[ImportProblem]
    errors: list[ImportProblem]


class PasswordReset(BaseModel):
    student_no: str
    temporary_password: str


class Me(BaseModel):
    """A learner gets `student_no`, an administrator `username`."""

    student_no: str | None = None
    username: str | None = None
    name: str
    unit_id: str
    unit_name: str | None
    status: str
    groups: list[str]
