"""Roster: units, learners, student numbers, transfers and accounts."""

from __future__ import annotations

from functools import cache

from chalice import Chalice
from pydantic import BaseModel, Field

from xuefa import roster_views as views
from xuefa.accounts import Accounts, CognitoAccounts
from xuefa.auth import Actor
from xuefa.dal.roster import DynamoRoster
from xuefa.roster import NewLearner, NewUnit, Roster, Status, StatusChange, Transfer, UnitName
from xuefa.rules import YearConfig
from xuefa.study_years import StudyYears, YearList
from xuefa_api import Api, Cursor, parse_year
from xuefa_api.wiring import services

app = Chalice(app_name="xuefa-roster")
api = Api(app, "roster")


@cache
def roster() -> Roster:
    s = services()
    accounts: Accounts
    if s.settings.identity == "own":
        from xuefa.dal.identity import DynamoIdentity
        from xuefa.own_accounts import OwnAccounts

        accounts = OwnAccounts(DynamoIdentity(s.store))
    else:
        accounts = CognitoAccounts(s.settings.user_pool_id)
    return Roster(
        DynamoRoster(s.store), s.directory, s.years, accounts, s.clock, s.settings.cursor_secret
    )


class Empty(BaseModel):
    pass


class LearnerQuery(BaseModel):
    status: Status | None = None
    limit: int = Field(50, ge=1, le=200)
    cursor: Cursor = None


class ImportQuery(BaseModel):
    partial: bool = False


@cache
def study_years() -> StudyYears:
    s = services()
    return StudyYears(s.years, s.directory, s.clock)


@api.route("/years", ["GET"], response="YearList")
def years(actor: Actor) -> YearList:
    """Every configured study year: windows, whether provisional, whether closed."""
    return study_years().list()


@api.route("/years/{year}", ["GET"], response="YearConfig")
def year_rules(actor: Actor, year: str) -> YearConfig:
    """A study year's rules, as every client shows them."""
    return study_years().rules(parse_year(year))


@api.route("/years/{year}", ["PUT"], body=YearConfig, response="YearConfig")
def put_year(actor: Actor, body: YearConfig, year: str) -> YearConfig:
    """Create or edit a study year's rules (city administrators): validated as a whole,
    never changing what already happened (409 with what), audited; confirms a
    provisional year."""
    return study_years().put(actor, parse_year(year), body)


@api.route("/me", ["GET"], response="Me")
def me(actor: Actor) -> views.Me:
    """Who is signed in: student number (or login), name, unit, groups."""
    return roster().me(actor)


@api.route("/units/{unit_id}", ["GET"], response="UnitView")
def unit(actor: Actor, unit_id: str) -> views.UnitView:
    """A unit with its children and learner count (administrators in scope)."""
    return roster().unit(actor, unit_id)


@api.route("/units", ["POST"], body=NewUnit, status=201, response="UnitView")
def create_unit(actor: Actor, body: NewUnit) -> views.UnitView:
    """A new unit under one in scope: a name of 1 to 60 characters without control
    characters; at most 8 levels from the city (400 deeper)."""
    return roster().create_unit(actor, body)


@api.route("/units/{unit_id}", ["PATCH"], body=UnitName, response="UnitView")
def rename_unit(actor: Actor, body: UnitName, unit_id: str) -> views.UnitView:
    """Rename a unit in scope (audited); the reports show the new name from the next
    night."""
    return roster().rename_unit(actor, unit_id, body)


@api.route("/units/{unit_id}/learners", ["GET"], query=LearnerQuery, response="LearnerPage")
def learners(actor: Actor, query: LearnerQuery, unit_id: str) -> views.LearnerPage:
    """A unit's learners in pages, optionally by status."""
    return roster().learners(actor, unit_id, query.status, query.limit, query.cursor)


@api.route("/learners", ["POST"], body=NewLearner, status=201, response="NewAccount")
def create_learner(actor: Actor, body: NewLearner) -> views.NewAccount:
    """A new learner: a student number, an account, a temporary password."""
    learner = roster().create_learner(actor, body)
    api.count("LearnersCreated")
    return learner


@api.route(
    "/learners/import",
    ["POST"],
    query=ImportQuery,
    raw_body=["text/csv", "text/plain", "application/octet-stream"],
    response="ImportResult",
)
def import_learners(actor: Actor, query: ImportQuery, body: bytes) -> views.ImportResult:
    """Register learners from a CSV file (name,unit_id,phone; UTF-8, with or without BOM)."""
    result = roster().import_csv(actor, body, query.partial)
    api.count("LearnersCreated", len(result.created))
    return result


@api.route("/learners/{student_no}", ["GET"], response="Learner")
def learner(actor: Actor, student_no: str) -> views.Learner:
    """A learner's profile and history (themselves, or administrators in scope)."""
    return roster().learner(actor, student_no)


@api.route("/learners/{student_no}/status", ["POST"], body=StatusChange, response="Learner")
def change_status(actor: Actor, body: StatusChange, student_no: str) -> views.Learner:
    """Active, resigned or retired; only active learners can sign in."""
    return roster().change_status(actor, student_no, body)


@api.route("/learners/{student_no}/transfer", ["POST"], body=Transfer, response="Learner")
def transfer(actor: Actor, body: Transfer, student_no: str) -> views.Learner:
    """Move a learner to another unit; everything they earned stays with them."""
    return roster().transfer(actor, student_no, body)


@api.route("/learners/{student_no}/password-reset", ["POST"], body=Empty, response="PasswordReset")
def password_reset(actor: Actor, body: Empty, student_no: str) -> views.PasswordReset:
    """A new temporary password; the learner must change it at the next sign-in."""
    return roster().reset_password(actor, student_no)
