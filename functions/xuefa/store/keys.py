"""Key builders: the domain speaks in these words, never in raw key strings."""

from __future__ import annotations

from datetime import date

from xuefa.store.table import PARTITION_KEY, SORT_KEY


class Keys:
    @staticmethod
    def unit(unit_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"UNIT#{unit_id}", SORT_KEY: "META"}

    @staticmethod
    def unit_children(parent_id: str) -> str:
        return f"UNIT#{parent_id}#CHILDREN"

    @staticmethod
    def unit_learners(unit_id: str) -> str:
        return f"UNIT#{unit_id}#LEARNERS"

    @staticmethod
    def unit_year(unit_id: str, year: int) -> str:
        """GSI partition of every learner's year result in a unit."""
        return f"UNIT#{unit_id}#{year}"

    @staticmethod
    def learner(student_no: str) -> dict[str, str]:
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: "PROFILE"}

    @staticmethod
    def admin(username: str) -> dict[str, str]:
        return {PARTITION_KEY: f"ADMIN#{username}", SORT_KEY: "PROFILE"}

    @staticmethod
    def year_result(student_no: str, year: int) -> dict[str, str]:
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"YEAR#{year}"}

    @staticmethod
    def year_prefix() -> str:
        return "YEAR#"

    @staticmethod
    def run_prefix(day: str) -> str:
        """A report run's partition: the run and its shards."""
        return f"RUN#{day}"

    @staticmethod
    def shard_prefix() -> str:
        return "SHARD#"

    @staticmethod
    def session(student_no: str, year: int, session_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"SESSION#{year}#{session_id}"}

    @staticmethod
    def open_session(student_no: str, year: int) -> dict[str, str]:
        """The learner's one open study session of a year: a lock naming it."""
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"STUDYING#{year}"}

    @staticmethod
    def ledger_prefix(year: int) -> str:
        return f"CREDIT#{year}#"

    @staticmethod
    def ledger_entry(student_no: str, year: int, at: str, entry_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"CREDIT#{year}#{at}#{entry_id}"}

    @staticmethod
    def idempotency(scope: str, key: str) -> dict[str, str]:
        return {PARTITION_KEY: f"ONCE#{scope}#{key}", SORT_KEY: "ONCE"}

    @staticmethod
    def attempt(student_no: str, year: int, attempt_no: int) -> dict[str, str]:
        return {
            PARTITION_KEY: f"LEARNER#{student_no}",
            SORT_KEY: f"ATTEMPT#{year}#{attempt_no:03d}",
        }

    @staticmethod
    def sheet(student_no: str, year: int, attempt_no: int) -> dict[str, str]:
        """An attempt's answer sheet: its state, deadline and saved answers, apart from
        the paper so that a save rewrites a small item."""
        return {
            PARTITION_KEY: f"LEARNER#{student_no}",
            SORT_KEY: f"SHEET#{year}#{attempt_no:03d}",
        }

    @staticmethod
    def sheet_prefix(year: int) -> str:
        return f"SHEET#{year}#"

    @staticmethod
    def attempt_prefix(year: int) -> str:
        return f"ATTEMPT#{year}#"

    @staticmethod
    def question(year: int, question_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"BANK#{year}", SORT_KEY: f"Q#{question_id}"}

    @staticmethod
    def bank(year: int) -> str:
        return f"BANK#{year}"

    @staticmethod
    def practice_question(year: int, question_id: str) -> dict[str, str]:
        """A question of the year's practice pool: a partition of its own, so the exam's
        bank (`BANK#<y>`), which papers are drawn from, never holds one (#27)."""
        return {PARTITION_KEY: f"PRACTICE#{year}", SORT_KEY: f"Q#{question_id}"}

    @staticmethod
    def practice_pool(year: int) -> str:
        return f"PRACTICE#{year}"

    @staticmethod
    def question_version(year: int, question_id: str, version: int) -> dict[str, str]:
        """A question as it was before an edit (#28): outside both pools' partitions, so
        no reader of a pool ever takes an old version for a question."""
        return {PARTITION_KEY: f"BANKLOG#{year}", SORT_KEY: f"Q#{question_id}#v{version:04d}"}

    @staticmethod
    def practice_set(set_id: str) -> dict[str, str]:
        """A practice set as given to its learner: its questions, expiry and answers."""
        return {PARTITION_KEY: f"PSET#{set_id}", SORT_KEY: "SET"}

    @staticmethod
    def daily_practice(student_no: str, day: date) -> dict[str, str]:
        """The learner's one 每日一练 of a Shanghai day: names its set."""
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"PDAILY#{day:%Y%m%d}"}

    @staticmethod
    def practised(student_no: str, year: int, question_id: str) -> dict[str, str]:
        """What one learner did with one practice question: tallies, and the notebook's
        FSRS card while it is there."""
        return {
            PARTITION_KEY: f"LEARNER#{student_no}",
            SORT_KEY: f"PQ#{year}#{question_id}",
        }

    @staticmethod
    def practised_prefix(year: int) -> str:
        return f"PQ#{year}#"

    @staticmethod
    def resource(year: int, resource_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"CATALOGUE#{year}", SORT_KEY: f"RES#{resource_id}"}

    @staticmethod
    def catalogue(year: int) -> str:
        return f"CATALOGUE#{year}"

    @staticmethod
    def paid_today(student_no: str, day: date, resource_id: str) -> dict[str, str]:
        """Marks a once-a-day resource as paid to the learner on that Shanghai day."""
        return Keys.idempotency(f"day-{student_no}-{day:%Y%m%d}", resource_id)

    @staticmethod
    def departure(unit_id: str, at: str, student_no: str) -> dict[str, str]:
        """A learner left the unit at `at`: a dated report of the unit still lists them."""
        return {PARTITION_KEY: f"UNIT#{unit_id}", SORT_KEY: f"LEFT#{at}#{student_no}"}

    @staticmethod
    def departures_prefix() -> str:
        return "LEFT#"

    @staticmethod
    def year_config(year: int) -> dict[str, str]:
        return {PARTITION_KEY: f"YEAR#{year}", SORT_KEY: "CONFIG"}

    @staticmethod
    def corrections(year: int) -> dict[str, str]:
        """The year's corrections after the window (#28.2), in one item: a review reads
        them with the attempt, and a regrade reads them once."""
        return {PARTITION_KEY: f"YEAR#{year}", SORT_KEY: "CORRECTIONS"}

    @staticmethod
    def report_run(day: str) -> dict[str, str]:
        return {PARTITION_KEY: f"RUN#{day}", SORT_KEY: "META"}

    @staticmethod
    def report_shard(day: str, shard_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"RUN#{day}", SORT_KEY: f"SHARD#{shard_id}"}

    @staticmethod
    def counter(name: str) -> dict[str, str]:
        return {PARTITION_KEY: f"COUNTER#{name}", SORT_KEY: "META"}

    @staticmethod
    def archive(student_no: str, year: int) -> dict[str, str]:
        """A learner's frozen figures for a closed study year (个人学法档案)."""
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"ARCHIVE#{year}"}

    @staticmethod
    def archive_prefix() -> str:
        return "ARCHIVE#"

    @staticmethod
    def unit_archive(unit_id: str, year: int) -> str:
        """GSI partition of the frozen records of the learners a unit had at a close."""
        return f"ARCHIVE#{unit_id}#{year}"

    @staticmethod
    def certificate(code: str) -> dict[str, str]:
        return {PARTITION_KEY: f"CERT#{code}", SORT_KEY: "CERT"}

    @staticmethod
    def account(username: str) -> dict[str, str]:
        """A sign-in account of our own identity service (where Cognito does not exist)."""
        return {PARTITION_KEY: f"ACCOUNT#{username}", SORT_KEY: "ACCOUNT"}

    @staticmethod
    def sign_in_guard(username: str) -> dict[str, str]:
        """Failed sign-ins and the lockout for a login, whether or not it exists."""
        return {PARTITION_KEY: f"ACCOUNT#{username}", SORT_KEY: "GUARD"}

    @staticmethod
    def device(username: str, token_hash: str) -> dict[str, str]:
        """A device the login signed in from (OWASP's device cookie), by its token's hash:
        its own failed guesses and lockout, apart from the login's guard."""
        return {PARTITION_KEY: f"ACCOUNT#{username}", SORT_KEY: f"DEVICE#{token_hash}"}

    @staticmethod
    def refresh_token(token_hash: str) -> dict[str, str]:
        return {PARTITION_KEY: f"REFRESH#{token_hash}", SORT_KEY: "REFRESH"}

    @staticmethod
    def access(student_no: str, at: str, access_id: str) -> dict[str, str]:
        """An administrator looked at the learner's records (#29.4): in the learner's own
        partition, so the learner's list of who looked is one query, newest first."""
        return {PARTITION_KEY: f"LEARNER#{student_no}", SORT_KEY: f"ACCESS#{at}#{access_id}"}

    @staticmethod
    def access_prefix() -> str:
        return "ACCESS#"

    @staticmethod
    def leaver(at: str, student_no: str) -> dict[str, str]:
        """A learner who left (resigned or retired) at `at`: the retention job reads the
        ones who left before its cut-off from this one partition, in time order."""
        return {PARTITION_KEY: "LEAVERS", SORT_KEY: f"{at}#{student_no}"}

    @staticmethod
    def leavers() -> str:
        return "LEAVERS"

    @staticmethod
    def audit(year: int, day: str, at: str, audit_id: str) -> dict[str, str]:
        return {PARTITION_KEY: f"AUDIT#{year}#{day}", SORT_KEY: f"{at}#{audit_id}"}
