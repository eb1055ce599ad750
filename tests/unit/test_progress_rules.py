"""Who is behind, by the rules alone: the target pro rata to the days gone, and bands."""

from datetime import datetime

from xuefa.core.clock import SHANGHAI
from xuefa.reports.progress import credit_band, expected_credits
from xuefa.years.rules import load_packaged_year

Y2017 = load_packaged_year(2017)  # 2016-12-01 to 2017-11-30: 365 days


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


def test_nothing_is_expected_on_the_first_day_and_everything_after_the_last() -> None:
    assert expected_credits(Y2017, at("2016-12-01T23:00:00")) == 0
    assert expected_credits(Y2017, at("2017-12-05T10:00:00")) == 3000
    assert expected_credits(Y2017, at("2016-11-01T10:00:00")) == 0


def test_the_target_is_spread_over_the_whole_days_gone() -> None:
    # 1 June 2017: 182 whole days gone of 365 → 3000 × 182 / 365 = 1495.8 → 1495
    assert expected_credits(Y2017, at("2017-06-01T08:00:00")) == 1495


def test_credit_bands_split_the_target_in_quarters() -> None:
    assert [credit_band(c, 3000) for c in (0, 1, 749, 750, 1500, 2999, 3000, 5000)] == [
        0, 1, 1, 2, 3, 4, 5, 5,
    ]  # fmt: skip
