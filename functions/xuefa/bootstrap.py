"""The composition root: every service of the product is built here and nowhere else
(the apps declare routes; the local stack's seed and the tests ask here too).

`bootstrap(settings, clock, storage)` wires the services over a `Storage`: the table's
repositories (`on_table`) or the tests' fakes (tests/fakes/storage.py). Each service and
each repository is built when first asked for and then kept, and each imports its
modules only then, so that importing an app stays as cheap as it was (test_cold_start).
`services()` is the process's own, once per warm container, on the table the settings
name; `reset()` forgets it (tests change the environment between apps).
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Protocol

from xuefa.core.clock import Clock, process_clock
from xuefa.core.settings import Settings, get_settings, get_token_settings, responses_checked

if TYPE_CHECKING:
    from xuefa.analysis.job import ItemAnalysisJob
    from xuefa.bank.editing import BankEditing
    from xuefa.core.auth import AdminUnits
    from xuefa.corrections.job import CorrectionJob
    from xuefa.credits.authoring import Authoring
    from xuefa.credits.content import Content
    from xuefa.credits.content_repository import ContentBucket, DynamoContent
    from xuefa.credits.repository import CreditRepository
    from xuefa.credits.service import Credits
    from xuefa.exams.bank_repository import BankReader
    from xuefa.exams.repository import AttemptRepository
    from xuefa.exams.service import Exams
    from xuefa.identity.repository import IdentityRepository
    from xuefa.identity.service import IdentityService
    from xuefa.identity.signing_keys import KmsSigningKeys
    from xuefa.identity.tokens import TokenVerifier
    from xuefa.practice.service import Practice
    from xuefa.reports.progress import Progress
    from xuefa.reports.service import ReportJob, ReportQueries
    from xuefa.reports.topics import PracticeStanding
    from xuefa.roster.accounts import Accounts
    from xuefa.roster.directory import Directory
    from xuefa.roster.import_repository import ImportRepository
    from xuefa.roster.imports import ImportJobs
    from xuefa.roster.privacy import Privacy
    from xuefa.roster.repository import RosterRepository
    from xuefa.roster.service import Roster
    from xuefa.store.objects import ReportBucket
    from xuefa.store.store import Store
    from xuefa.years.repository import YearBook
    from xuefa.years.service import StudyYears


class Storage(Protocol):
    """Where the services keep their data: one repository a part."""

    @property
    def years(self) -> YearBook: ...
    @property
    def directory(self) -> Directory: ...
    @property
    def credits(self) -> CreditRepository: ...
    @property
    def attempts(self) -> AttemptRepository: ...
    @property
    def bank(self) -> BankReader: ...
    @property
    def roster(self) -> RosterRepository: ...
    @property
    def imports(self) -> ImportRepository: ...
    @property
    def identity(self) -> IdentityRepository: ...
    @property
    def accounts(self) -> Accounts: ...
    def admin_unit(self, username: str) -> str | None:
        """An administrator's unit, from their ADMIN record."""
        ...


class TableStorage:
    """The repositories on the one DynamoDB table, each built when first asked for."""

    def __init__(self, store: Store, settings: Settings):
        self.store = store
        self.settings = settings

    @cached_property
    def years(self) -> YearBook:
        from xuefa.years.repository import YearBook

        return YearBook(self.store)

    @cached_property
    def directory(self) -> Directory:
        from xuefa.roster.directory import Directory

        return Directory(self.store)

    @cached_property
    def credits(self) -> CreditRepository:
        from xuefa.credits.repository import DynamoCredits

        return DynamoCredits(self.store)

    @cached_property
    def attempts(self) -> AttemptRepository:
        from xuefa.exams.repository import DynamoAttempts

        return DynamoAttempts(self.store, self.bank)

    @cached_property
    def bank(self) -> BankReader:
        from xuefa.exams.bank_repository import BankReader

        return BankReader(self.store)

    @cached_property
    def roster(self) -> RosterRepository:
        from xuefa.roster.repository import DynamoRoster

        return DynamoRoster(self.store)

    @cached_property
    def imports(self) -> ImportRepository:
        from xuefa.roster.import_repository import DynamoImports

        return DynamoImports(self.store)

    @cached_property
    def identity(self) -> IdentityRepository:
        from xuefa.identity.repository import DynamoIdentity

        return DynamoIdentity(self.store)

    @cached_property
    def accounts(self) -> Accounts:
        """Sign-in accounts: Cognito's, or our own identity's where there is no Cognito."""
        if self.settings.identity == "own":
            from xuefa.roster.own_accounts import OwnAccounts

            return OwnAccounts(self.identity)
        from xuefa.roster.accounts import CognitoAccounts

        return CognitoAccounts(self.settings.user_pool_id)

    def admin_unit(self, username: str) -> str | None:
        from xuefa.roster.people_repository import DynamoPeople

        item = DynamoPeople(self.store).account(username, admin=True)
        return str(item["unit_id"]) if item and item.get("unit_id") else None


def on_table(store: Store, settings: Settings) -> TableStorage:
    return TableStorage(store, settings)


class Services:
    """Every service, each built on first use and kept. `clock` may be replaced before a
    service is first asked for (tests fix it)."""

    def __init__(
        self, settings: Settings, clock: Clock, storage: Storage, store: Store | None = None
    ):
        self.settings = settings
        self.clock = clock
        self.storage = storage
        # The reports still read the raw table (#25.3 gives them repositories).
        self._store = store

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("these services have no table (a fakes' variant)")
        return self._store

    @property
    def years(self) -> YearBook:
        return self.storage.years

    @property
    def directory(self) -> Directory:
        return self.storage.directory

    @cached_property
    def credits(self) -> Credits:
        from xuefa.credits.service import Credits

        s = self.storage
        return Credits(s.credits, s.years, s.directory, self.clock, self.settings.cursor_secret)

    @cached_property
    def library(self) -> tuple[DynamoContent, ContentBucket]:
        """Study content's records and files, one pair for its learners and its authors."""
        from xuefa.credits.content_repository import ContentBucket, DynamoContent

        bucket = ContentBucket(self.settings.content_bucket or self.settings.bucket_name)
        return DynamoContent(self.store), bucket

    @cached_property
    def content(self) -> Content:
        from xuefa.credits.content import Content

        s = self.storage
        return Content(*self.library, self.credits, s.years, s.directory, self.clock)

    @cached_property
    def authoring(self) -> Authoring:
        from xuefa.credits.authoring import Authoring

        s = self.storage
        return Authoring(*self.library, self.credits, s.years, s.directory, self.clock)

    @cached_property
    def practice(self) -> Practice:
        """Practice sets, answers, the notebook and the learner's standing (#27)."""
        from xuefa.practice.credit_repository import DynamoPracticeCredits
        from xuefa.practice.paying import SetPay
        from xuefa.practice.repository import DynamoPractice
        from xuefa.practice.service import Practice

        years = self.storage.years
        pay = SetPay(DynamoPracticeCredits(self.store), years)
        return Practice(DynamoPractice(self.store), pay, years, self.clock)

    @cached_property
    def exams(self) -> Exams:
        from xuefa.exams.service import Exams

        s = self.storage
        return Exams(s.attempts, s.years, s.bank, s.directory, self.clock)

    @cached_property
    def bank_editing(self) -> BankEditing:
        """The city's work on its question bank (#27, #28), beside the exams' own import."""
        from xuefa.bank.editing import BankEditing
        from xuefa.bank.importing import QuestionBank
        from xuefa.credits.content_repository import ContentBucket

        s = self.storage
        files = ContentBucket(self.settings.content_bucket or self.settings.bucket_name)
        # The exams' own reader, so that an import or an edit renews its cache at once.
        questions = QuestionBank(s.attempts, s.years, self.exams.bank, s.directory, self.clock)
        return BankEditing(
            questions,
            s.years,
            s.directory,
            self.clock,
            files,
            self.settings.cursor_secret,
        )

    @cached_property
    def roster(self) -> Roster:
        from xuefa.roster.service import Roster

        s = self.storage
        service = Roster(
            s.roster, s.directory, s.years, s.accounts, self.clock, self.settings.cursor_secret
        )
        service.jobs = self.import_jobs
        return service

    @cached_property
    def privacy(self) -> Privacy:
        """Who looked, the learner's download, the leavers' retention (#29.4)."""
        from xuefa.roster.privacy import Privacy
        from xuefa.roster.privacy_repository import DynamoPrivacy

        s = self.storage
        return Privacy(
            DynamoPrivacy(self.store, s.attempts.shown_paper),
            s.directory,
            s.accounts,
            self.clock,
            self.settings.cursor_secret,
            self.settings.leaver_retention_days,
        )

    @cached_property
    def import_jobs(self) -> ImportJobs:
        from xuefa.roster.import_chunks import ChunkRegistration, Sealer
        from xuefa.roster.imports import ImportJobs

        s = self.storage
        sealer = Sealer(self.settings.cursor_secret)
        chunks = ChunkRegistration(s.imports, s.roster, s.accounts, s.years, self.clock, sealer)
        jobs = ImportJobs(s.imports, chunks, self.clock, sealer)
        if self.settings.import_queue_url:  # without a queue (local, tests) a thread runs them
            from xuefa.store.queue import ShardQueue

            jobs.dispatch = ShardQueue(self.settings.import_queue_url)
        return jobs

    @cached_property
    def study_years(self) -> StudyYears:
        from xuefa.years.service import StudyYears

        return StudyYears(self.storage.years, self.storage.directory, self.clock)

    @cached_property
    def admin_units(self) -> AdminUnits:
        """Admins' units from their ADMIN records, each kept for a minute."""
        from xuefa.core.auth import AdminUnits

        return AdminUnits(self.storage.admin_unit)

    @cached_property
    def identity(self) -> IdentityService:
        from xuefa.identity.service import IdentityService
        from xuefa.identity.tokens import TokenIssuer

        issuer = TokenIssuer(signing_keys(), get_token_settings().token_issuer)
        return IdentityService(self.storage.identity, issuer, token_verifier(), self.clock)

    @cached_property
    def bucket(self) -> ReportBucket:
        from xuefa.store.objects import ReportBucket

        return ReportBucket(self.settings.bucket_name)

    @cached_property
    def report_job(self) -> ReportJob:
        from xuefa.reports.service import Pipeline, ReportJob
        from xuefa.store.queue import ShardQueue

        queue_url = self.settings.report_queue_url
        pipeline = Pipeline(
            self.settings.root_unit_id,
            # The job grades the attempts left open past their deadline.
            grade_expired=lambda student_no, year, n: self.exams.finish(student_no, year, n, None),
            dispatch=ShardQueue(queue_url) if queue_url else None,
            unit_failed=lambda unit, reason: _count("reports", "UnitReportFailed"),
        )
        from xuefa.reports.repository import ReportRecords

        s = self.storage
        records = ReportRecords.on(self.store)
        return ReportJob(records, s.years, s.directory, self.bucket, self.clock, pipeline)

    @cached_property
    def item_analysis(self) -> ItemAnalysisJob:
        """The item analysis (#28.1): started from the exams API, its shards run by the
        reports function off the report queue (or here, one after another, without one)."""
        from xuefa.analysis.job import ItemAnalysisJob, Sources
        from xuefa.analysis.repository import DynamoAnalysisReads
        from xuefa.reports.run_repository import DynamoReportRuns
        from xuefa.store.queue import ShardQueue

        s = self.storage
        queue_url = self.settings.report_queue_url
        sources = Sources(DynamoAnalysisReads(self.store), s.bank, s.years, s.directory)
        return ItemAnalysisJob(
            sources,
            DynamoReportRuns(self.store),
            self.bucket,
            self.clock,
            self.settings.root_unit_id,
            ShardQueue(queue_url) if queue_url else None,
        )

    @cached_property
    def corrections(self) -> CorrectionJob:
        """Corrections after the window (#28.2): made from the exams API, their regrade's
        shards run by the reports function off the report queue (or here, without one)."""
        from xuefa.analysis.repository import DynamoAnalysisReads
        from xuefa.corrections.job import CorrectionJob, Sources
        from xuefa.corrections.repository import DynamoCorrections
        from xuefa.reports.run_repository import DynamoReportRuns
        from xuefa.store.queue import ShardQueue

        s = self.storage
        queue_url = self.settings.report_queue_url
        latest = DynamoAnalysisReads(self.store).latest_granted_close
        return CorrectionJob(
            Sources(DynamoCorrections(self.store), latest, s.years, s.directory),
            DynamoReportRuns(self.store),
            self.clock,
            self.settings.root_unit_id,
            ShardQueue(queue_url) if queue_url else None,
        )

    @cached_property
    def report_queries(self) -> ReportQueries:
        from xuefa.reports.service import ReportQueries, Site

        site = Site(self.settings.root_unit_id, self.settings.public_url)
        from xuefa.reports.repository import ReportRecords

        s = self.storage
        records = ReportRecords.on(self.store)
        return ReportQueries(records, s.years, s.directory, self.bucket, self.clock, site)

    @cached_property
    def progress(self) -> Progress:
        from xuefa.reports.progress import Progress

        s = self.storage
        return Progress(self.store, s.years, s.directory, self.clock, self.settings.cursor_secret)

    @cached_property
    def practice_standing(self) -> PracticeStanding:
        """A unit's practice per topic, aggregated (#27)."""
        from xuefa.reports.topics import PracticeStanding
        from xuefa.roster.people_repository import DynamoPeople

        return PracticeStanding(DynamoPeople(self.store), self.storage.directory)


def bootstrap(
    settings: Settings, clock: Clock, storage: Storage, store: Store | None = None
) -> Services:
    """The services over `storage` (the table's repositories, or fakes)."""
    return Services(settings, clock, storage, store)


def on_store(store: Store, settings: Settings, clock: Clock) -> Services:
    """The services over a table (the process's, or the local seed's with its own clock)."""
    return bootstrap(settings, clock, on_table(store, settings), store)


@lru_cache(maxsize=1)
def services() -> Services:
    """The process's services: on the table the settings name, by the process clock."""
    from xuefa.store.store import Store

    settings = get_settings()
    return on_store(Store(settings.table_name), settings, process_clock())


@lru_cache(maxsize=1)
def signing_keys() -> KmsSigningKeys:
    from xuefa.identity.signing_keys import KmsSigningKeys

    return KmsSigningKeys(get_token_settings().signing_keys)


@lru_cache(maxsize=1)
def token_verifier() -> TokenVerifier:
    """Our own identity's tokens, checked against the signing keys' public halves (read
    from KMS once per warm container)."""
    from xuefa.identity.tokens import TokenVerifier

    return TokenVerifier(signing_keys(), get_token_settings().token_issuer, services().clock)


@lru_cache(maxsize=1)
def gate() -> TokenVerifier:
    """The authorizer's check: the public keys and the process clock; no table, no cursor
    key (its role may read the public keys and nothing else)."""
    from xuefa.identity.tokens import TokenVerifier

    return TokenVerifier(signing_keys(), get_token_settings().token_issuer, process_clock())


def reset() -> None:
    """Forget everything built so far."""
    for cached in (services, signing_keys, token_verifier, gate):
        cached.cache_clear()
    for read in (get_settings, get_token_settings, responses_checked):
        read.cache_clear()


def _count(service: str, name: str) -> None:
    """A business metric outside a request's handler, flushed by the app."""
    from aws_lambda_powertools.metrics import MetricUnit

    from xuefa.core.observability import metrics

    metrics(service).add_metric(name=name, unit=MetricUnit.Count, value=1)
