"""``gc_tuning.bulk``: the youngest generation's threshold raised while bulk work runs, the
thresholds as they were once the last bulk work ends, also when works overlap in threads."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from shared import gc_tuning


@pytest.fixture(autouse=True)
def drempels() -> Iterator[None]:
    voor = gc.get_threshold()
    gc.set_threshold(20_000, 20, 20)
    yield
    gc.set_threshold(*voor)


def test_raised_while_bulk_work_runs_and_put_back_after() -> None:
    with gc_tuning.bulk():
        assert gc.get_threshold() == (gc_tuning.BULK_GEN0, 20, 20)
    assert gc.get_threshold() == (20_000, 20, 20)


def test_put_back_after_a_failure() -> None:
    with pytest.raises(RuntimeError), gc_tuning.bulk():
        raise RuntimeError
    assert gc.get_threshold() == (20_000, 20, 20)


def test_overlapping_works_put_it_back_when_the_last_ends() -> None:
    binnen, verder = threading.Event(), threading.Event()

    def ander() -> None:
        with gc_tuning.bulk():
            binnen.set()
            verder.wait(5)

    draad = threading.Thread(target=ander)
    with gc_tuning.bulk():
        draad.start()
        binnen.wait(5)
    assert gc.get_threshold() == (gc_tuning.BULK_GEN0, 20, 20)  # the other still runs
    verder.set()
    draad.join()
    assert gc.get_threshold() == (20_000, 20, 20)


def test_thresholds_set_meanwhile_are_left_alone() -> None:
    with gc_tuning.bulk():
        gc.set_threshold(5_000, 10, 10)
    assert gc.get_threshold() == (5_000, 10, 10)


def test_a_higher_threshold_is_not_lowered() -> None:
    gc.set_threshold(10 * gc_tuning.BULK_GEN0, 20, 20)
    with gc_tuning.bulk():
        assert gc.get_threshold() == (10 * gc_tuning.BULK_GEN0, 20, 20)


def test_collection_switched_off_stays_off() -> None:
    """A threshold of 0 switches collection off: bulk work does not switch it back on."""
    gc.set_threshold(0, 20, 20)
    with gc_tuning.bulk():
        assert gc.get_threshold() == (0, 20, 20)
    assert gc.get_threshold() == (0, 20, 20)
