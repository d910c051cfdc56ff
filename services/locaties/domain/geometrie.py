"""GeoJSON geometry of a site: checked with shapely, stored in RD New (EPSG:28992), converted
to and from CRS84 with pyproj.

The conversion is PROJ's standard one for RD New: the 7-parameter Helmert transformation
"Amersfoort to WGS 84 (4)" (EPSG:15739, accuracy about 1 m; pyproj picks it because the
RDNAPTRANS grid is not installed). It agrees with the Schreutelkamp/Strang van Hees formulas
used before to within about 0.3 m in the Netherlands. The grids would make it centimetre-exact,
but PROJ would fetch them from its CDN on demand: the network is switched off before the first
transformation, so a transformation never waits for or depends on the internet.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any

import pyproj
import shapely
from pyproj import Transformer
from shapely.errors import ShapelyError
from shapely.geometry import shape

RD = "EPSG:28992"
CRS84 = "OGC:CRS84"
CRS_NAMEN = {"epsg:28992": RD, "ogc:crs84": CRS84}

# The area where RD New applies according to EPSG (the Netherlands on land, the Wadden and the
# 12-mile zone: lon 3.2..7.22, lat 50.75..53.7), as a box in RD metres rounded outward to whole
# kilometres. A site outside it is not Dutch soil or water bottom. A box, not the border: a
# point in Brussels or Cologne (same latitudes as Maastricht and Kerkrade) still passes.
RD_GRENZEN = (0.0, 306_000.0, 285_000.0, 638_000.0)
# Heights in metres (NAP): from deep geothermal wells to well above any building.
HOOGTE_GRENZEN = (-10_000.0, 10_000.0)

# GeoJSON types and how deep their coordinates nest (a position is depth 0).
_DIEPTE = {
    "Point": 0,
    "MultiPoint": 1,
    "LineString": 1,
    "MultiLineString": 2,
    "Polygon": 2,
    "MultiPolygon": 3,
}


# Types that are valid in the OGC sense whenever their coordinates are 2 or 3 finite numbers
# (what ``_nest`` already checked): a point is. Shapely is asked for the rest; a site registered
# as a point (the common case in an import) then costs ~3 instead of ~26 µs a check. A test
# holds the verdicts equal to shapely's.
ALTIJD_GELDIG = frozenset({"Point"})


class OngeldigeGeometrie(ValueError):
    pass


@cache
def _transformer(van: str, naar: str) -> Transformer:
    pyproj.network.set_network_enabled(False)
    return Transformer.from_crs(van, naar, always_xy=True)


def rd_naar_crs84(x: float, y: float) -> tuple[float, float]:
    lon, lat = _transformer(RD, CRS84).transform(x, y, errcheck=False)
    return round(lon, 7), round(lat, 7)


def crs84_naar_rd(lon: float, lat: float) -> tuple[float, float]:
    x, y = _transformer(CRS84, RD).transform(lon, lat, errcheck=False)
    return round(x, 2), round(y, 2)


# A position in one CRS -> the same position converted to another, as ``transformeer`` converts
# it (both coordinates rounded as ``rd_naar_crs84`` and ``crs84_naar_rd`` round them).
Omgerekend = Mapping[tuple[float, float], tuple[float, float]]
_DECIMALEN = {RD: 2, CRS84: 7}


def reken_om(coordinaten: Iterable[Any], van: str, naar: str) -> Omgerekend:
    """Every position of these geometries' coordinates (as ``vorm`` leaves them) converted from
    ``van`` to ``naar`` in one call of PROJ, for ``transformeer(..., omgerekend=)``. PROJ
    converts each position on its own either way, so the result is the one-at-a-time
    conversion's; what it saves is a call per position (~3.7 instead of ~0.9 µs of CPU a
    position) and, in a thread, waiting for the GIL again after each call (PROJ runs without
    it): ~2 ms a call while other threads are busy, the import's reader stalled on every
    registration. A test holds the results equal to ``rd_naar_crs84``'s and
    ``crs84_naar_rd``'s."""
    if van == naar:
        return {}
    posities = list(dict.fromkeys((p[0], p[1]) for c in coordinaten for p in _posities(c)))
    if not posities:
        return {}
    xs, ys = _transformer(van, naar).transform(
        [p[0] for p in posities], [p[1] for p in posities], errcheck=False
    )
    n = _DECIMALEN[naar]
    return {p: (round(x, n), round(y, n)) for p, x, y in zip(posities, xs, ys, strict=True)}


def crs_naam(waarde: str | None, standaard: str = CRS84) -> str:
    if not waarde:
        return standaard
    naam = CRS_NAMEN.get(waarde.strip().lower())
    if naam is None:
        raise OngeldigeGeometrie(f"CRS {waarde!r} wordt niet ondersteund; gebruik {RD} of {CRS84}")
    return naam


def _getal(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise OngeldigeGeometrie(f"{v!r} is geen getal")
    try:
        getal = float(v)
    except OverflowError:
        getal = math.inf
    if not math.isfinite(getal):
        raise OngeldigeGeometrie(f"{v!r} is geen eindig getal")
    return getal


def _positie(c: Any) -> list[float]:
    if type(c) is list and len(c) == 2:
        # The common position, two finite floats, without a call per number (a polygon has
        # hundreds, and each is checked as the request arrives and again in RD): what the
        # general way below returns for it.
        x, y = c
        if type(x) is float and type(y) is float and math.isfinite(x) and math.isfinite(y):
            return [x, y]
    return _positie_algemeen(c)


def _positie_algemeen(c: Any) -> list[float]:
    if not isinstance(c, list) or len(c) not in (2, 3):
        raise OngeldigeGeometrie(f"coördinaat {str(c)[:80]} is geen [x, y] of [x, y, hoogte]")
    positie = [_getal(v) for v in c]
    if len(positie) == 3 and not HOOGTE_GRENZEN[0] <= positie[2] <= HOOGTE_GRENZEN[1]:
        raise OngeldigeGeometrie(f"hoogte {positie[2]} m ligt buiten {HOOGTE_GRENZEN}")
    return positie


def _nest(c: Any, diepte: int, soort: str) -> Any:
    if diepte == 0:
        return _positie(c)
    if not isinstance(c, list) or not c:
        raise OngeldigeGeometrie(f"coordinates heeft niet de vorm van een {soort}")
    return [_nest(sub, diepte - 1, soort) for sub in c]


def vorm(geometrie: Mapping[str, Any]) -> dict[str, Any]:
    """The geometry as plain GeoJSON with float coordinates, if it is one a site can have: a
    supported type, finite numbers, closed rings, and valid in the OGC sense (no
    self-intersecting polygons, no lines of one point). The same in every CRS."""
    soort = geometrie.get("type")
    if soort not in _DIEPTE or set(geometrie) != {"type", "coordinates"}:
        raise OngeldigeGeometrie(
            f"verwacht {{type, coordinates}} met type {', '.join(_DIEPTE)}; kreeg "
            f"{str(soort)[:40]!r} met {', '.join(sorted(map(str, geometrie)))[:80]}"
        )
    coordinates = _nest(geometrie.get("coordinates"), _DIEPTE[str(soort)], str(soort))
    ringen = []
    if soort == "Polygon":
        ringen = coordinates
    elif soort == "MultiPolygon":
        ringen = [ring for polygoon in coordinates for ring in polygoon]
    for ring in ringen:
        if len(ring) < 4 or ring[0] != ring[-1]:
            raise OngeldigeGeometrie(
                "een ring van een polygoon is gesloten en heeft minstens 4 punten"
            )
    uit = {"type": soort, "coordinates": coordinates}
    if soort in ALTIJD_GELDIG:
        return uit
    try:
        vorm_ = shape(uit)
        reden = None if vorm_.is_valid else shapely.is_valid_reason(vorm_)
    except (ShapelyError, ValueError, TypeError) as exc:
        reden = str(exc)
    if reden is not None:
        raise OngeldigeGeometrie(f"geen geldige {soort}: {reden}")
    return uit


def in_nederland(geometrie: Mapping[str, Any]) -> None:
    """Raise unless every position of this RD geometry lies within ``RD_GRENZEN``."""
    x0, y0, x1, y1 = RD_GRENZEN
    for x, y, *_ in _posities(geometrie["coordinates"]):
        if not (math.isfinite(x) and math.isfinite(y) and x0 <= x <= x1 and y0 <= y <= y1):
            raise OngeldigeGeometrie(
                f"coördinaat ligt buiten Nederland (RD x {x0:.0f}..{x1:.0f}, y {y0:.0f}..{y1:.0f})"
            )


def controleer_rd(geometrie: Mapping[str, Any]) -> dict[str, Any]:
    """The checks for a geometry as stored: a valid shape within the Netherlands in RD."""
    rd = vorm(geometrie)
    in_nederland(rd)
    return rd


def naar_rd(
    geometrie: Mapping[str, Any], crs: str, omgerekend: Omgerekend | None = None
) -> dict[str, Any]:
    """A geometry sent in ``crs``, checked and converted to RD for storing (checked again
    after the conversion: rounding to centimetres can make a tiny polygon invalid).
    ``omgerekend``: positions converted beforehand (``reken_om``)."""
    rd = transformeer(vorm(geometrie), crs, RD, omgerekend)
    in_nederland(rd)
    return vorm(rd)


def valideer(geometrie: Mapping[str, Any], crs: str) -> None:
    """Raise ``OngeldigeGeometrie`` unless ``naar_rd`` accepts this geometry."""
    naar_rd(geometrie, crs)


def _posities(c: Any) -> list[list[float]]:
    if c and isinstance(c[0], int | float):
        return [c]
    return [p for sub in c for p in _posities(sub)]


def transformeer(
    geometrie: Mapping[str, Any], van: str, naar: str, omgerekend: Omgerekend | None = None
) -> dict[str, Any]:
    """Convert between RD and CRS84 (2D: a height is dropped, as GeoJSON heights are
    ellipsoidal and RD's are NAP). ``omgerekend``: positions converted beforehand
    (``reken_om``, the same conversion); any other position is converted here."""
    if van == naar:
        return dict(geometrie)
    f = rd_naar_crs84 if van == RD else crs84_naar_rd
    return {
        "type": geometrie["type"],
        "coordinates": _zet_om(geometrie["coordinates"], f, omgerekend or {}),
    }


def _zet_om(c: Any, f: Callable[[float, float], tuple[float, float]], klaar: Omgerekend) -> Any:
    """Every position of ``c`` through ``f``, or as ``klaar`` has it already. A function of the
    module, not a closure that calls itself: such a closure is a reference cycle (function ->
    cell -> function, holding ``klaar``), garbage only the collector can free, left by every
    registration with a geometry and every answer that shows one in another CRS."""
    if c and isinstance(c[0], int | float):
        al = klaar.get((c[0], c[1]))
        return list(f(c[0], c[1]) if al is None else al)
    return [_zet_om(sub, f, klaar) for sub in c]


# --- Bounding boxes (the map's bbox filter) ---

# A box as (min x, min y, max x, max y), in RD metres or CRS84 degrees.
Omhullende = tuple[float, float, float, float]

# bbox-crs as OGC API Features - Part 2 names the CRSs (a URI each).
CRS_URI = {
    CRS84: "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
    RD: "http://www.opengis.net/def/crs/EPSG/0/28992",
}
CRS_VAN_URI = {uri: naam for naam, uri in CRS_URI.items()}
# CRS84 degrees that cover the whole of RD_GRENZEN's area, with room: a box outside them is a
# typo (lat/lon swapped, RD metres sent as degrees), not a question about the Netherlands.
CRS84_GRENZEN = (-180.0, -90.0, 180.0, 90.0)
# Points per edge when a CRS84 box is taken to RD: the edges of a lon/lat box are curves in RD,
# so the corners alone could miss the bulge of an edge.
_PUNTEN_PER_ZIJDE = 16


def omhullende(geometrie: Mapping[str, Any]) -> Omhullende:
    """The smallest box around every position of the geometry, in its own CRS."""
    posities = _posities(geometrie["coordinates"])
    xs = [p[0] for p in posities]
    ys = [p[1] for p in posities]
    return min(xs), min(ys), max(xs), max(ys)


def lees_bbox(waarde: str, crs: str) -> Omhullende:
    """A ``bbox=minx,miny,maxx,maxy`` query value in ``crs``, as RD metres: a CRS84 box becomes
    the smallest RD box that encloses it (its edges sampled, as they curve in RD). Raises
    ``OngeldigeGeometrie`` for anything but four finite numbers with min <= max inside the CRS's
    range (a box crossing the antimeridian does not touch the Netherlands)."""
    delen = waarde.split(",")
    if len(delen) != 4:
        raise OngeldigeGeometrie("verwacht vier getallen: minx,miny,maxx,maxy")
    try:
        getallen = [float(d) for d in delen]
    except ValueError as exc:
        raise OngeldigeGeometrie("verwacht vier getallen: minx,miny,maxx,maxy") from exc
    if not all(math.isfinite(g) for g in getallen):
        raise OngeldigeGeometrie("de getallen zijn eindig")
    x0, y0, x1, y1 = getallen
    if x0 > x1 or y0 > y1:
        raise OngeldigeGeometrie("minx is niet groter dan maxx, miny niet groter dan maxy")
    if crs == RD:
        return x0, y0, x1, y1
    gx0, gy0, gx1, gy1 = CRS84_GRENZEN
    if not (gx0 <= x0 and x1 <= gx1 and gy0 <= y0 and y1 <= gy1):
        raise OngeldigeGeometrie(
            "lengtegraad ligt tussen -180 en 180, breedtegraad tussen -90 en 90"
        )
    # RD is only defined around the Netherlands: clamp to where its formulas stay sane, so a
    # box of the whole world asks for every site instead of overflowing the projection.
    x0, y0, x1, y1 = max(x0, -10.0), max(y0, 40.0), min(x1, 20.0), min(y1, 65.0)
    if x0 > x1 or y0 > y1:
        return _LEEG
    stappen = [i / _PUNTEN_PER_ZIJDE for i in range(_PUNTEN_PER_ZIJDE + 1)]
    rand = [(x0 + (x1 - x0) * s, y) for s in stappen for y in (y0, y1)]
    rand += [(x, y0 + (y1 - y0) * s) for s in stappen for x in (x0, x1)]
    rd = [crs84_naar_rd(lon, lat) for lon, lat in rand]
    return (
        min(p[0] for p in rd),
        min(p[1] for p in rd),
        max(p[0] for p in rd),
        max(p[1] for p in rd),
    )


# A box no site is in (RD_GRENZEN never reaches below x = 0).
_LEEG: Omhullende = (-2.0, -2.0, -1.0, -1.0)
