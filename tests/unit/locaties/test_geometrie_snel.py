"""A point skips shapely (``geometrie.ALTIJD_GELDIG``): its verdicts, accepted or refused, and
the geometry it gives back stay exactly those of the full check through shapely."""

from __future__ import annotations

from typing import Any

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from services.locaties.domain import geometrie
from services.locaties.domain.geometrie import OngeldigeGeometrie, vorm

GEVALLEN: list[Any] = [
    {"type": "Point", "coordinates": [4.7, 52.01]},
    {"type": "Point", "coordinates": [0, 0]},
    {"type": "Point", "coordinates": [-0.0, 1e308]},
    {"type": "Point", "coordinates": [155000, 463000, -12.5]},
    {"type": "Point", "coordinates": [155000, 463000, 1e5]},  # height out of range
    {"type": "Point", "coordinates": [1.0, float("nan")]},
    {"type": "Point", "coordinates": [1.0, float("inf")]},
    {"type": "Point", "coordinates": [1.0, 10**400]},
    {"type": "Point", "coordinates": [True, 1.0]},
    {"type": "Point", "coordinates": ["1", 1.0]},
    {"type": "Point", "coordinates": [1.0]},
    {"type": "Point", "coordinates": [1.0, 2.0, 3.0, 4.0]},
    {"type": "Point", "coordinates": []},
    {"type": "Point", "coordinates": [[1.0, 2.0]]},
    {"type": "Point", "coordinates": None},
    {"type": "Point", "coordinates": [1.0, 2.0], "bbox": [1, 2, 1, 2]},
    {"type": "Point"},
    {"type": "MultiPoint", "coordinates": [[1.0, 2.0], [1.0, 2.0, 3.0]]},
    {"type": "LineString", "coordinates": [[1.0, 2.0], [1.0, 2.0]]},
    {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
]


def _uitkomst(g: Any) -> Any:
    try:
        return vorm(g)
    except OngeldigeGeometrie as exc:
        return ("ongeldig", str(exc))


def _via_shapely(g: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as m:
        m.setattr(geometrie, "ALTIJD_GELDIG", frozenset())
        return _uitkomst(g)


@pytest.mark.parametrize("g", GEVALLEN)
def test_the_point_shortcut_gives_shapely_s_verdict(
    g: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _uitkomst(g) == _via_shapely(g, monkeypatch)


coordinaat = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**20), 10**20)


@settings(max_examples=300, deadline=None)
@given(st.lists(coordinaat, min_size=0, max_size=4))
def test_any_point_gets_shapely_s_verdict(coordinaten: list[Any]) -> None:
    g = {"type": "Point", "coordinates": coordinaten}
    with pytest.MonkeyPatch.context() as m:
        assert _uitkomst(g) == _via_shapely(g, m)


def test_a_point_does_not_reach_shapely(monkeypatch: pytest.MonkeyPatch) -> None:
    def geen_shapely(*_: Any) -> Any:
        raise AssertionError("shapely was asked")

    monkeypatch.setattr(geometrie, "shape", geen_shapely)
    assert vorm({"type": "Point", "coordinates": [4, 52]}) == {
        "type": "Point",
        "coordinates": [4.0, 52.0],
    }
    with pytest.raises(AssertionError):
        vorm({"type": "LineString", "coordinates": [[4, 52], [5, 53]]})
    assert shapely.is_valid(shapely.Point(4, 52))
