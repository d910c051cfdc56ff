"""Geometry: shapely's validity, the Dutch bounds, pyproj's transformation offline."""

from __future__ import annotations

import math
from typing import Any

import pyproj
import pytest
from pyproj import CRS

from services.locaties.domain import geometrie
from services.locaties.domain.geometrie import (
    CRS84,
    RD,
    RD_GRENZEN,
    OngeldigeGeometrie,
    crs84_naar_rd,
    lees_bbox,
    naar_rd,
    omhullende,
    rd_naar_crs84,
    vorm,
)

# The origin of RD, the Onze Lieve Vrouwetoren in Amersfoort, in WGS84 as the published
# approximation formulas (Schreutelkamp and Strang van Hees, used here before pyproj) give it.
# Over the whole RD box the two agree to within 0.31 m (measured when pyproj came in); PROJ's
# Helmert transformation itself is given as accurate to 1 m.
REFERENTIE = [((155000.0, 463000.0), (5.38720621, 52.15517440))]


def _meters(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    dy = (lat2 - lat1) * 111_320
    dx = (lon2 - lon1) * 111_320 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


@pytest.mark.parametrize(("rd", "wgs"), REFERENTIE)
def test_pyproj_agrees_with_the_published_origin_to_half_a_metre(
    rd: tuple[float, float], wgs: tuple[float, float]
) -> None:
    lon, lat = rd_naar_crs84(*rd)
    assert _meters(lon, lat, *wgs) < 0.5
    x, y = crs84_naar_rd(*wgs)
    assert math.hypot(x - rd[0], y - rd[1]) < 0.5


def test_there_and_back_is_within_two_centimetres() -> None:
    for x in range(10_000, 280_000, 30_000):
        for y in range(310_000, 630_000, 40_000):
            terug = crs84_naar_rd(*rd_naar_crs84(x, y))
            assert math.hypot(terug[0] - x, terug[1] - y) < 0.02


def test_the_network_is_off_even_when_someone_switched_it_on() -> None:
    pyproj.network.set_network_enabled(True)  # as PROJ_NETWORK=ON in the environment would
    geometrie._transformer.cache_clear()
    rd_naar_crs84(155000.0, 463000.0)
    assert not pyproj.network.is_network_enabled()


def test_the_bounds_are_the_area_where_rd_applies_rounded_to_kilometres() -> None:
    # EPSG's area of use of RD New: land, Wadden and the 12-mile zone, a box in lon/lat whose
    # edges curve in RD; sample them and round outward to whole kilometres.
    gebied = CRS(RD).area_of_use
    assert gebied is not None
    stappen = [i / 100 for i in range(101)]
    lons = [gebied.west + f * (gebied.east - gebied.west) for f in stappen]
    lats = [gebied.south + f * (gebied.north - gebied.south) for f in stappen]
    rand = [(lon, gebied.south) for lon in lons] + [(lon, gebied.north) for lon in lons]
    rand += [(gebied.west, lat) for lat in lats] + [(gebied.east, lat) for lat in lats]
    xs, ys = zip(*(crs84_naar_rd(lon, lat) for lon, lat in rand), strict=True)
    km = 1000.0
    assert (
        math.floor(min(xs) / km) * km,
        math.floor(min(ys) / km) * km,
        math.ceil(max(xs) / km) * km,
        math.ceil(max(ys) / km) * km,
    ) == RD_GRENZEN


def _punt(*c: Any) -> dict[str, Any]:
    return {"type": "Point", "coordinates": list(c)}


@pytest.mark.parametrize(
    ("g", "reden"),
    [
        (_punt(107000, 447000, math.nan), "eindig"),
        (_punt(math.inf, 447000), "eindig"),
        (_punt(10**400, 447000), "eindig"),
        (_punt(True, 447000), "geen getal"),
        (_punt(107000, 447000, 1e6), "hoogte"),
        (_punt(107000), "geen \\[x, y\\]"),
        ({"type": "LineString", "coordinates": [[1, 2]]}, "geen geldige LineString"),
        ({"type": "LineString", "coordinates": [[1, 2], [1, 2]]}, "Too few points"),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]},
            "Self-intersection",
        ),
        ({"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0]]]}, "gesloten"),
        ({"type": "GeometryCollection", "geometries": []}, "verwacht"),
        ({"type": "Point", "coordinates": [1, 2], "crs": "x"}, "verwacht"),
        ({"type": "MultiPoint", "coordinates": []}, "vorm"),
    ],
)
def test_impossible_shapes_are_refused_with_a_reason(g: dict[str, Any], reden: str) -> None:
    with pytest.raises(OngeldigeGeometrie, match=reden):
        vorm(g)


@pytest.mark.parametrize(
    ("g", "crs"),
    [
        (_punt(2.35, 48.86), CRS84),  # Paris
        (_punt(1e308, 1e308), CRS84),
        (_punt(1e308, 1e308), RD),
        (_punt(200.0, 20.0), CRS84),
        (_punt(-50_000, 500_000), RD),  # far into the North Sea
    ],
)
def test_places_outside_the_netherlands_are_refused(g: dict[str, Any], crs: str) -> None:
    with pytest.raises(OngeldigeGeometrie, match="buiten Nederland"):
        naar_rd(g, crs)


def test_a_valid_polygon_in_crs84_is_stored_in_rd() -> None:
    g = {
        "type": "Polygon",
        "coordinates": [[[4.70, 52.00], [4.71, 52.00], [4.71, 52.01], [4.70, 52.00]]],
    }
    rd = naar_rd(g, CRS84)
    assert rd["type"] == "Polygon" and len(rd["coordinates"][0]) == 4
    x, y = rd["coordinates"][0][0]
    assert 100_000 < x < 110_000 and 440_000 < y < 450_000
    assert geometrie.controleer_rd(rd) == rd


# --- bbox (the map's filter) ---


def test_a_crs84_bbox_becomes_the_rd_box_around_it() -> None:
    x0, y0, x1, y1 = lees_bbox("4.4,51.85,4.55,51.95", CRS84)
    # Every point of the lon/lat box, edges included, lies in the RD box.
    for lon in (4.4, 4.475, 4.55):
        for lat in (51.85, 51.9, 51.95):
            x, y = crs84_naar_rd(lon, lat)
            assert x0 <= x <= x1 and y0 <= y <= y1
    # And the RD box is not much larger (tens of metres over ~10 km).
    assert x1 - x0 < (crs84_naar_rd(4.55, 51.9)[0] - crs84_naar_rd(4.4, 51.9)[0]) + 300


def test_an_rd_bbox_is_taken_as_it_is() -> None:
    assert lees_bbox("90000,430000,95000,440000.5", RD) == (90000, 430000, 95000, 440000.5)


@pytest.mark.parametrize(
    "waarde",
    ["1,2,3", "1,2,3,4,5", "a,2,3,4", "3,2,1,4", "1,4,3,2", "nan,1,2,3", "1,2,inf,4", "1,2,200,4"],
)
def test_a_bad_bbox_is_refused(waarde: str) -> None:
    with pytest.raises(OngeldigeGeometrie):
        lees_bbox(waarde, CRS84)


def test_the_omhullende_covers_every_position() -> None:
    veelhoek = {"type": "MultiPolygon", "coordinates": [[[[1, 5], [4, 2], [3, 9], [1, 5]]]]}
    assert omhullende(veelhoek) == (1, 2, 4, 9)
    assert omhullende({"type": "Point", "coordinates": [7, 8]}) == (7, 8, 7, 8)
