"""The import's direct result line for a recorded line equals what the documented model
(ImportResultaat) writes."""

from __future__ import annotations

import pytest

from services.locaties.entrypoints.routes_import import ImportResultaat, gelukt
from services.locaties.service_layer.importeren import Gelukt


@pytest.mark.parametrize("sleutel", [None, "bis-4711-1"])
@pytest.mark.parametrize("herhaald", [False, True])
def test_a_recorded_line_reads_as_the_model_writes_it(sleutel: str | None, herhaald: bool) -> None:
    uitkomst = Gelukt("ZH051300001", 7, herhaald)
    model = ImportResultaat(
        regel=12,
        sleutel=sleutel,
        status=201,
        locatieId=uitkomst.locatie_id,
        versie=uitkomst.versie,
        herhaald=uitkomst.herhaald or None,
    )
    assert list(gelukt(12, sleutel, uitkomst).items()) == list(
        model.model_dump(exclude_none=True).items()
    )
