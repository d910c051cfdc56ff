"""After reading many slices of the log (the start) the allocator's free memory goes back to
the system; an ordinary catch-up of one slice does not pay for that."""

from __future__ import annotations

import pytest

from services.rapportage.service_layer import geheugen
from services.rapportage.service_layer.geheugen import Tijdlijnfeiten
from services.rapportage.service_layer.unit_of_work import FakeLogboek
from tests.unit.rapportage.test_bulkbouw import willekeurige_geschiedenis


def test_free_memory_is_given_back_after_a_start_not_after_a_catch_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    aanroepen: list[int] = []

    def trim(pad: int) -> int:
        aanroepen.append(pad)
        return 1

    monkeypatch.setattr(geheugen, "_trim", trim)
    alle = willekeurige_geschiedenis(3, sites=10)
    logboek = FakeLogboek("spoedlocaties", alle)
    feiten = Tijdlijnfeiten(per_keer=10)
    with feiten.vast(logboek, len(alle) - 5):  # the start: many slices
        pass
    assert aanroepen == [0]
    with feiten.vast(logboek, len(alle)):  # five more facts: one slice
        pass
    assert aanroepen == [0]
    assert len(feiten.tijdlijnen) == len(alle)
