"""What study content's two services stand on: learners' `Content` and authors'
`Authoring` read and write the same records and files, pay through the same credits,
and answer to the same years, units and clock."""

from __future__ import annotations

from xuefa.core.clock import Clock
from xuefa.credits.content_repository import ContentBucket, DynamoContent
from xuefa.credits.review import Reviewer
from xuefa.credits.service import Credits
from xuefa.roster.directory import Directory
from xuefa.years.repository import YearBook


class Library:
    def __init__(
        self,
        records: DynamoContent,
        bucket: ContentBucket,
        credits: Credits,  # the catalogue lessons are part of, and what pays for them
        years: YearBook,
        directory: Directory,
        clock: Clock,
    ):
        self.records = records
        self.bucket = bucket
        self.credits = credits
        self.years = years
        self.directory = directory
        self.clock = clock
        self.review = Reviewer(records.signals, directory)
