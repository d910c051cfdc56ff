"""Positions converted beforehand, many in one call of PROJ (``geometrie.reken_om``, the bulk
import's batch of registrations), give exactly what the one-position-a-call conversion gives,
and the import's reading of a batch converts its registrations' geometries that way."""

from __future__ import annotations

from functools import partial
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.locaties.domain import geometrie
from services.locaties.domain.geometrie import (
    CRS84,
    RD,
    OngeldigeGeometrie,
    crs84_naar_rd,
    naar_rd,
    rd_naar_crs84,
    reken_om,
    transformeer,
    vorm,
)
from services.locaties.entrypoints import routes_import
from services.locaties.entrypoints.routes_import import ImportRegel, _lees_batch

GEOMETRIEEN: list[dict[str, Any]] = [
    {"type": "Point", "coordinates": [4.7, 52.01]},
    {"type": "Point", "coordinates": [4.7, 52.01, 3.5]},  # height dropped, same position
    {"type": "Point", "coordinates": [-0.0, 0.0]},
    {"type": "MultiPoint", "coordinates": [[5.1, 52.1], [5.2, 52.2], [5.1, 52.1]]},
    {
        "type": "Polygon",
        "coordinates": [[[4.9, 52.3], [4.91, 52.3], [4.91, 52.31], [4.9, 52.31], [4.9, 52.3]]],
    },
    {"type": "LineString", "coordinates": [[6.0, 53.0], [6.5, 53.2]]},
    {"type": "Point", "coordinates": [120.0, -33.0]},  # far away: refused after, not before
]

lonlat = st.tuples(
    st.floats(min_value=-10, max_value=20, allow_nan=False),
    st.floats(min_value=40, max_value=65, allow_nan=False),
)
rd = st.tuples(
    st.floats(min_value=-50_000, max_value=350_000, allow_nan=False),
    st.floats(min_value=250_000, max_value=700_000, allow_nan=False),
)


@settings(max_examples=50, deadline=None)
@given(st.lists(lonlat, min_size=1, max_size=30))
def test_crs84_to_rd_in_one_call_equals_a_call_per_position(punten: list[Any]) -> None:
    omgerekend = reken_om([[list(p) for p in punten]], CRS84, RD)
    assert omgerekend == {p: crs84_naar_rd(*p) for p in punten}


@settings(max_examples=50, deadline=None)
@given(st.lists(rd, min_size=1, max_size=30))
def test_rd_to_crs84_in_one_call_equals_a_call_per_position(punten: list[Any]) -> None:
    omgerekend = reken_om([[list(p) for p in punten]], RD, CRS84)
    assert omgerekend == {p: rd_naar_crs84(*p) for p in punten}


def test_a_geometry_converted_beforehand_is_the_geometry_converted_then() -> None:
    omgerekend = reken_om([vorm(g)["coordinates"] for g in GEOMETRIEEN], CRS84, RD)
    for g in GEOMETRIEEN:
        assert transformeer(vorm(g), CRS84, RD, omgerekend) == transformeer(vorm(g), CRS84, RD)
        try:
            verwacht: Any = naar_rd(g, CRS84)
        except OngeldigeGeometrie as exc:
            verwacht = str(exc)
        try:
            kreeg: Any = naar_rd(g, CRS84, omgerekend)
        except OngeldigeGeometrie as exc:
            kreeg = str(exc)
        assert kreeg == verwacht
    assert reken_om([g["coordinates"] for g in GEOMETRIEEN], RD, RD) == {}


def _regel(n: int, geometrie: dict[str, Any] | None, **extra: Any) -> tuple[int, bytes | None]:
    body: dict[str, Any] = {
        "bevoegdGezag": "ZH",
        "gemeentecode": "0513",
        "naam": f"Locatie {n}",
        "registratiedatum": "2010-03-15",
    }
    if geometrie is not None:
        body["geometrie"] = geometrie
    regel = {"soort": "registratie", "locatieId": f"ZH0513{n:05d}", "body": body, **extra}
    return n, orjson.dumps(regel)


def test_a_batch_converts_its_registrations_in_one_call_per_crs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every registration of the batch gets the geometry (or the refusal) the single
    registration gives it, with one conversion per CRS for the whole batch and none per
    position."""
    regels = [
        _regel(1, {"type": "Point", "coordinates": [4.7, 52.01]}),
        _regel(2, {"type": "Point", "coordinates": [155000, 463000]}, contentCrs="EPSG:28992"),
        _regel(3, {"type": "Point", "coordinates": [120.0, -33.0]}),  # outside: 400
        _regel(4, None),
        _regel(5, GEOMETRIEEN[4]),
        _regel(6, {"type": "Point", "coordinates": [4.8, 52.02]}),
    ]
    verwacht_klaar, verwacht = _lees_batch(regels, CRS84, 10_000)

    oproepen: list[tuple[str, str]] = []
    echt = routes_import.reken_om

    def geteld(coordinaten: Any, van: str, naar: str) -> Any:
        oproepen.append((van, naar))
        return echt(coordinaten, van, naar)

    def per_positie(*_: Any) -> Any:
        raise AssertionError("a position converted on its own")

    monkeypatch.setattr(routes_import, "reken_om", geteld)
    monkeypatch.setattr(geometrie, "crs84_naar_rd", per_positie)
    klaar, te_doen = _lees_batch(regels, CRS84, 10_000)
    assert oproepen == [(CRS84, RD)]
    assert klaar == verwacht_klaar and set(klaar) == {3}
    assert [n for n, _ in te_doen] == [1, 2, 4, 5, 6]
    assert [_commando(r) for _, r in te_doen] == [_commando(r) for _, r in verwacht]


def _commando(regel: ImportRegel) -> Any:
    """The command the line's handler call runs (the handler with its ``cmd``)."""
    assert isinstance(regel.uitvoeren, partial)
    (cmd,) = regel.uitvoeren.args
    return regel.sleutel, regel.vingerafdruk, regel.locatie_ids, regel.uitvoeren.func, cmd
