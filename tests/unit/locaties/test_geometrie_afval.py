"""Converting a geometry leaves nothing for the garbage collector: every registration with a
geometry converts it, and so does every answer showing one in another CRS; garbage in a
reference cycle stays until a collection finds it (the bulk import's collection at the end of
a request traced ~7 objects a registration before)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from services.locaties.domain.geometrie import CRS84, RD, naar_rd, reken_om, transformeer


@pytest.fixture
def zonder_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.parametrize(
    "geometrie",
    [
        {"type": "Point", "coordinates": [4.7, 52.01]},
        {"type": "MultiPoint", "coordinates": [[5.1, 52.1], [5.2, 52.2]]},
        {
            "type": "Polygon",
            "coordinates": [[[4.9, 52.3], [4.91, 52.3], [4.91, 52.31], [4.9, 52.31], [4.9, 52.3]]],
        },
    ],
)
def test_a_conversion_leaves_no_garbage_for_the_collector(
    zonder_collector: None, geometrie: dict[str, Any]
) -> None:
    omgerekend = reken_om([geometrie["coordinates"]], CRS84, RD)
    for _ in range(10):
        rd = naar_rd(geometrie, CRS84)
        assert naar_rd(geometrie, CRS84, omgerekend) == rd
        transformeer(rd, RD, CRS84)
    assert gc.collect() == 0
