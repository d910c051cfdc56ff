"""``datums.vandaag`` keeps today until midnight in the Netherlands, and is then the next day:
at every moment the date ``datetime.now(Europe/Amsterdam)`` gives, also around the changes to
and from summer time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from services.locaties.domain import datums
from services.locaties.domain.model import business_time

MOMENTEN = [
    datetime(2026, 12, 1, 22, 59, 59, 999_000, tzinfo=UTC),  # 23:59:59.999 in winter
    datetime(2026, 12, 1, 23, 0, 0, tzinfo=UTC),  # midnight
    datetime(2026, 3, 28, 22, 59, 59, tzinfo=UTC),  # the night summer time begins
    datetime(2026, 3, 28, 23, 0, 0, tzinfo=UTC),
    datetime(2026, 3, 29, 21, 59, 59, tzinfo=UTC),  # a day of 23 hours
    datetime(2026, 3, 29, 22, 0, 0, tzinfo=UTC),
    datetime(2026, 10, 24, 21, 59, 59, tzinfo=UTC),  # the night summer time ends
    datetime(2026, 10, 24, 22, 0, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC),  # a day of 25 hours
    datetime(2026, 10, 25, 23, 0, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 12, 0, 0, tzinfo=UTC),  # the clock set back a day
]


def test_today_follows_the_clock_across_midnights(monkeypatch: pytest.MonkeyPatch) -> None:
    nu = [MOMENTEN[0]]

    class Klok(datetime):
        @classmethod
        def now(cls, tz=None):  # type: ignore[no-untyped-def]
            return nu[0].astimezone(tz)

    monkeypatch.setattr(datums, "datetime", Klok)
    monkeypatch.setattr(datums.time, "time", lambda: nu[0].timestamp())
    for moment in MOMENTEN:
        for stap in (timedelta(0), timedelta(milliseconds=1), timedelta(hours=1)):
            nu[0] = moment + stap
            assert datums.vandaag() == nu[0].astimezone(datums._NEDERLAND).date(), nu[0]


def test_business_time_is_midnight_utc_of_the_date() -> None:
    for d in (date(1987, 1, 1), date(2010, 3, 15), date(2010, 3, 15), date(2024, 2, 29)):
        assert business_time(d) == datetime(d.year, d.month, d.day, tzinfo=UTC)
        assert business_time(d).tzinfo is UTC
