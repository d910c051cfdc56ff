"""The token buckets behind the rate limit, on a clock the test turns."""

from __future__ import annotations

import pytest

from shared.http import ratelimit
from shared.http.ratelimit import TokenBuckets


class Klok:
    def __init__(self) -> None:
        self.nu = 1000.0

    def __call__(self) -> float:
        return self.nu


def test_a_caller_may_burst_a_minutes_worth_then_waits_for_the_refill() -> None:
    klok = Klok()
    emmers = TokenBuckets(60, klok)  # one a second
    assert all(emmers.neem("sub:a") is None for _ in range(60))
    wacht = emmers.neem("sub:a")
    assert wacht == pytest.approx(1.0)
    klok.nu += 0.5
    assert emmers.neem("sub:a") == pytest.approx(0.5)
    klok.nu += 0.5
    assert emmers.neem("sub:a") is None
    assert emmers.neem("sub:a") is not None


def test_each_caller_has_its_own_bucket() -> None:
    emmers = TokenBuckets(2, Klok())
    assert emmers.neem("sub:a") is None and emmers.neem("sub:a") is None
    assert emmers.neem("sub:a") is not None
    assert emmers.neem("sub:b") is None
    assert emmers.neem("ip:10.0.0.1") is None


def test_a_bucket_never_holds_more_than_a_minutes_worth() -> None:
    klok = Klok()
    emmers = TokenBuckets(3, klok)
    emmers.neem("sub:a")
    klok.nu += 3600  # an hour idle does not save up an hour of requests
    assert [emmers.neem("sub:a") is None for _ in range(4)] == [True, True, True, False]


def test_idle_buckets_are_forgotten_when_there_are_too_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ratelimit, "MAX_BUCKETS", 10)
    klok = Klok()
    emmers = TokenBuckets(60, klok)
    for n in range(10):
        emmers.neem(f"ip:{n}")
    klok.nu += 61  # all full again: forgetting them loses nothing
    emmers.neem("ip:nieuw")
    assert len(emmers._emmers) == 1
    for n in range(20):  # many addresses at once: memory stays bounded
        emmers.neem(f"ip:x{n}")
    assert len(emmers._emmers) <= 10
