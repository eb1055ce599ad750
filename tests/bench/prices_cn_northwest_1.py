"""Every assumption of the province projection (`make bench`, tests/bench/cost.py) in one
place: AWS China (Ningxia, cn-northwest-1) prices in CNY, each with the page it was read from
and when, and what a learner does in a year.

Read 2026-12-03 through the project's stored copies of the public pages (we could not open
the live pages from the build machine). Where no China price could be found, the figure is
AWS's global list price (us-east-1) converted at USD_CNY and marked `converted`: the China
prices we did find run above a plain conversion (DynamoDB writes: ¥11.1538 per million
against $1.25 x 7.10 = ¥8.88), so the converted lines are likely low. Check each against
https://www.amazonaws.cn/en/pricing/ before a budget is signed.
"""

from __future__ import annotations

from dataclasses import dataclass

READ_ON = "2026-12-03"
# Not an AWS figure: the exchange rate for converted prices (CNY per USD, late 2026).
USD_CNY = 7.10


@dataclass(frozen=True)
class Price:
    cny: float  # per `unit`
    unit: str
    source: str
    converted: bool = False  # a global USD list price x USD_CNY: no China figure found
    note: str = ""


PRICES = {
    # API Gateway REST APIs (the five are REST APIs, Chalice's kind). No China page found.
    "apigw_request": Price(
        3.50 * USD_CNY / 1e6,
        "request",
        "https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-"
        "integration/cost-optimization.html (REST, first 333 M a month, $3.50 per million)",
        converted=True,
    ),
    # Lambda, x86. No China page found in the stored copies.
    "lambda_request": Price(
        0.20 * USD_CNY / 1e6,
        "request",
        "https://aws.amazon.com/cn/blogs/china/new-for-aws-lambda-1ms-billing-granularity-adds-"
        "cost-savings (0.20 USD per million requests)",
        converted=True,
    ),
    "lambda_gb_second": Price(
        0.0000166667 * USD_CNY,
        "GB-second",
        "https://aws.amazon.com/cn/lambda/pricing/ (0.0000166667 USD per GB-s, first tier)",
        converted=True,
    ),
    # DynamoDB on demand, China (Beijing) and China (Ningxia) regions: found.
    "dynamodb_write_unit": Price(
        11.1538 / 1e6,
        "write request unit",
        "https://www.amazonaws.cn/en/dynamodb/pricing/ (on-demand: 'Write requests: ¥ 11.1538 "
        "for every million')",
    ),
    "dynamodb_read_unit": Price(
        11.1538 / 5 / 1e6,
        "read request unit",
        "https://www.amazonaws.cn/en/dynamodb/pricing/",
        note="the stored copy of the page breaks off before the read price: taken as a fifth "
        "of the write price, the page's own ratio for provisioned capacity (¥0.058 per 10 "
        "WCU-hours, per 50 RCU-hours) and AWS's ratio elsewhere",
    ),
    "dynamodb_storage_gb_month": Price(
        0.25 * USD_CNY,
        "GB-month",
        "https://aws.amazon.com/vi/dynamodb/pricing/ (storage: the first 25 GB free, then "
        "0.25 USD per GB-month)",
        converted=True,
    ),
    "dynamodb_pitr_gb_month": Price(
        0.20 * USD_CNY,
        "GB-month",
        "https://finops.com.py/services/dynamodb/backups (continuous backups, 0.20 USD per "
        "GB-month, citing AWS's pricing page)",
        converted=True,
    ),
    # S3 Standard. No China page found.
    "s3_storage_gb_month": Price(
        0.023 * USD_CNY,
        "GB-month",
        "https://cloudburn.io/blog/amazon-s3-pricing (S3 Standard, 0.023 USD per GB-month, "
        "us-east-1, March 2026)",
        converted=True,
    ),
    "s3_put": Price(
        0.005 * USD_CNY / 1000,
        "PUT/COPY/LIST request",
        "AWS's us-east-1 list price (0.005 USD per 1,000); no page with it was found in our "
        "search, China or global",
        converted=True,
    ),
    "s3_get": Price(
        0.0004 * USD_CNY / 1000,
        "GET request",
        "AWS's us-east-1 list price (0.0004 USD per 1,000); not found in our search",
        converted=True,
    ),
    # CloudFront in China: found, in CNY.
    "cloudfront_gb_out": Price(
        0.30866,
        "GB to the internet",
        "https://www.amazonaws.cn/en/cloudfront/pricing/ (0-10 TB a month, CNY 0.30866 per GB)",
    ),
    "cloudfront_https_request": Price(
        0.15 / 10_000,
        "HTTPS request",
        "https://www.amazonaws.cn/en/cloudfront/pricing/ (CNY 0.15 per 10,000 HTTPS requests)",
    ),
}

# The functions' memory (infra/parts/apps.py: lambda_memory_size) in GB.
LAMBDA_GB = 1024 / 1024


@dataclass(frozen=True)
class Year:
    """What one learner does in a year, and what it leaves behind."""

    learners: int = 1_500_000
    # credits
    sessions: int = 120  # sign-ins for the day and courses: start + complete each
    balance_reads: int = 150  # the home screen, opened often
    ledger_pages: int = 10
    study_hours_in_lessons: float = 30  # the 3,000 credits' 30 hours, read or watched
    reports_an_hour: int = 12  # a progress report every 5 minutes (#26)
    video_hours: float = 5  # of those hours, watched (the rest read)
    video_mb_an_hour: float = 225  # ~500 kbit/s, a phone's lesson video
    # exams
    attempts: float = 2.5
    saves_an_attempt: int = 50
    summaries_an_attempt: int = 4
    # practice (#27)
    practice_sets: int = 60
    practice_answers_a_set: int = 5
    notebook_reads: int = 60
    # sign-in: our own identity (China). A session is a sign-in; the ID token lasts 15
    # minutes and is refreshed while the app is open.
    sign_ins: int = 60
    refreshes: int = 120
    # the four APIs' authorizer caches a token's answer 5 minutes: one call per API per
    # token in use, ~2 APIs a session, a token per sign-in or refresh
    authorizer_calls_a_token: float = 2
    roster_reads: int = 60  # /roster/me at each sign-in
    # the web app: a full load (first visit, a new release) now and then, else cached
    app_loads: int = 15
    app_kb: float = 96  # gzipped JS + CSS of the first load (README "Figures": 61 + 35 KB)
    api_answer_kb: float = 2  # an API answer through CloudFront, on average
    lesson_article_kb: float = 30  # an article's HTML, once a lesson
    lessons: int = 30
    # the nightly report: each learner is a row in a CSV and an XLSX every night
    report_nights: int = 365
    report_bytes_a_night: int = 160  # ~100 B of CSV row + ~60 B of XLSX
    report_days_kept: int = 400  # the lifecycle rule (infra/parts/data.py)
    learners_a_unit: int = 150  # report files are per unit: 2 PUTs a unit a night
    certificate_kb: float = 30  # a passing learner's PDF, kept for good
    # what the learner's items weigh in the table (papers ~17 KB each, ledger and
    # sessions ~0.4 KB each, practice sets and notebook ~1 KB each), kept and backed up
    table_kb: float = 200
    # the nightly run's Lambda time per learner: ~2 requests per 100 learners at ~20 ms
    # each (0.4 ms) and rendering at ~100k CSV + ~18k XLSX rows a second (0.06 ms)
    nightly_ms: float = 0.5
    # an authorizer call: RS256 verification of a cached key, no AWS call. Not measured.
    authorizer_ms: float = 10


YEAR = Year()  # the projection's year

# Lambda time of an operation that bench_latency does not time: the one it is most like.
DURATION_PROXY = {
    "credits: progress report": "credits: start session",  # a read and a conditional write
    "practice: set": "credits: ledger page",  # queries
    "practice: answer": "credits: complete session",  # a transaction
    "practice: notebook": "credits: ledger page",
    "identity: refresh": "roster: me",  # a read and a conditional write, no hash
}
