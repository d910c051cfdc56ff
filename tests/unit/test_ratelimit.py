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
    buckets = TokenBuckets(60, klok)  # one a second
    assert all(buckets.take("sub:a") is None for _ in range(60))
    wacht = buckets.take("sub:a")
    assert wacht == pytest.approx(1.0)
    klok.nu += 0.5
    assert buckets.take("sub:a") == pytest.approx(0.5)
    klok.nu += 0.5
    assert buckets.take("sub:a") is None
    assert buckets.take("sub:a") is not None


def test_each_caller_has_its_own_bucket() -> None:
    buckets = TokenBuckets(2, Klok())
    assert buckets.take("sub:a") is None and buckets.take("sub:a") is None
    assert buckets.take("sub:a") is not None
    assert buckets.take("sub:b") is None
    assert buckets.take("ip:10.0.0.1") is None


def test_a_bucket_never_holds_more_than_a_minutes_worth() -> None:
    klok = Klok()
    buckets = TokenBuckets(3, klok)
    buckets.take("sub:a")
    klok.nu += 3600  # an hour idle does not save up an hour of requests
    assert [buckets.take("sub:a") is None for _ in range(4)] == [True, True, True, False]


def test_idle_buckets_are_forgotten_when_there_are_too_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ratelimit, "MAX_BUCKETS", 10)
    klok = Klok()
    buckets = TokenBuckets(60, klok)
    for n in range(10):
        buckets.take(f"ip:{n}")
    klok.nu += 61  # all full again: forgetting them loses nothing
    buckets.take("ip:nieuw")
    assert len(buckets._buckets) == 1
    for n in range(20):  # many addresses at once: memory stays bounded
        buckets.take(f"ip:x{n}")
    assert len(buckets._buckets) <= 10
