"""The roster as the app and the composition root see it: units (units.py), learners
(learners.py) and a department's import file (file_import.py), one service."""

from __future__ import annotations

from xuefa.core.auth import Actor
from xuefa.core.clock import Clock
from xuefa.roster import views
from xuefa.roster.accounts import Accounts
from xuefa.roster.directory import Directory
from xuefa.roster.file_import import FileImport
from xuefa.roster.imports import ImportJobs
from xuefa.roster.learners import Learners, NewLearner, Status, StatusChange, Transfer
from xuefa.roster.repository import RosterRepository
from xuefa.roster.units import NewUnit, UnitName, Units
from xuefa.years.repository import YearBook


class Roster:
    """The roster's parts, each with one job, behind the app's one service: it only
    passes each call on."""

    def __init__(
        self,
        people: RosterRepository,
        directory: Directory,
        years: YearBook,
        accounts: Accounts,
        clock: Clock,
        cursor_secret: str,
    ):
        self.units = Units(people, directory, clock)
        self.roll = Learners(people, directory, years, accounts, clock, cursor_secret)
        self.file_import = FileImport(people, directory, self.roll, None)

    @property
    def jobs(self) -> ImportJobs | None:
        """The import's jobs (set by the app); without, every import runs at once."""
        return self.file_import.jobs

    @jobs.setter
    def jobs(self, jobs: ImportJobs | None) -> None:
        self.file_import.jobs = jobs

    def me(self, actor: Actor) -> views.Me:
        return self.roll.me(actor)

    def unit(self, actor: Actor, unit_id: str) -> views.UnitView:
        return self.units.unit(actor, unit_id)

    def create_unit(self, actor: Actor, new: NewUnit) -> views.UnitView:
        return self.units.create_unit(actor, new)

    def rename_unit(self, actor: Actor, unit_id: str, new: UnitName) -> views.UnitView:
        return self.units.rename_unit(actor, unit_id, new)

    def create_learner(self, actor: Actor, new: NewLearner) -> views.NewAccount:
        return self.roll.create_learner(actor, new)

    def learners(
        self, actor: Actor, unit_id: str, status: Status | None, limit: int, cursor: str | None
    ) -> views.LearnerPage:
        return self.roll.learners(actor, unit_id, status, limit, cursor)

    def learner(self, actor: Actor, student_no: str) -> views.Learner:
        return self.roll.learner(actor, student_no)

    def change_status(self, actor: Actor, student_no: str, change: StatusChange) -> views.Learner:
        return self.roll.change_status(actor, student_no, change)

    def transfer(self, actor: Actor, student_no: str, transfer: Transfer) -> views.Learner:
        return self.roll.transfer(actor, student_no, transfer)

    def reset_password(self, actor: Actor, student_no: str) -> views.PasswordReset:
        return self.roll.reset_password(actor, student_no)

    def import_csv(
        self, actor: Actor, raw: bytes, partial: bool
    ) -> views.ImportResult | views.ImportAccepted:
        return self.file_import.import_csv(actor, raw, partial)
