"""GeoJSON geometry in RD New (EPSG:28992) and CRS84, with the RD <-> WGS84 approximation
formulas of Schreutelkamp and Strang van Hees (accurate to about a metre within the
Netherlands, enough for locating a site; no grid files or native libraries needed)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

RD = "EPSG:28992"
CRS84 = "OGC:CRS84"
CRS_NAMEN = {"epsg:28992": RD, "ogc:crs84": CRS84}

_X0, _Y0 = 155000.0, 463000.0
_PHI0, _LAM0 = 52.15517440, 5.38720621

_K = (
    (0, 1, 3235.65389),
    (2, 0, -32.58297),
    (0, 2, -0.24750),
    (2, 1, -0.84978),
    (0, 3, -0.06550),
    (2, 2, -0.01709),
    (1, 0, -0.00738),
    (4, 0, 0.00530),
    (2, 3, -0.00039),
    (4, 1, 0.00033),
    (1, 1, -0.00012),
)
_L = (
    (1, 0, 5260.52916),
    (1, 1, 105.94684),
    (1, 2, 2.45656),
    (3, 0, -0.81885),
    (1, 3, 0.05594),
    (3, 1, -0.05607),
    (0, 1, 0.01199),
    (3, 2, -0.00256),
    (1, 4, 0.00128),
    (0, 2, 0.00022),
    (2, 0, -0.00022),
    (5, 0, 0.00026),
)
_R = (
    (0, 1, 190094.945),
    (1, 1, -11832.228),
    (2, 1, -114.221),
    (0, 3, -32.391),
    (1, 0, -0.705),
    (3, 1, -2.340),
    (1, 3, -0.608),
    (0, 2, -0.008),
    (2, 3, 0.148),
)
_S = (
    (1, 0, 309056.544),
    (0, 2, 3638.893),
    (2, 0, 73.077),
    (1, 2, -157.984),
    (3, 0, 59.788),
    (0, 1, 0.433),
    (2, 2, -6.439),
    (1, 1, -0.032),
    (0, 4, 0.092),
    (1, 4, -0.054),
)

# Bounds of the RD grid and of the Netherlands in CRS84 (with a margin for the sea).
RD_GRENZEN = (-7000.0, 289000.0, 300000.0, 629000.0)
CRS84_GRENZEN = (3.0, 50.6, 7.4, 53.8)


class OngeldigeGeometrie(ValueError):
    pass


def rd_naar_crs84(x: float, y: float) -> tuple[float, float]:
    dx, dy = (x - _X0) * 1e-5, (y - _Y0) * 1e-5
    phi = _PHI0 + sum(k * dx**p * dy**q for p, q, k in _K) / 3600
    lam = _LAM0 + sum(k * dx**p * dy**q for p, q, k in _L) / 3600
    return round(lam, 7), round(phi, 7)


def crs84_naar_rd(lon: float, lat: float) -> tuple[float, float]:
    dphi, dlam = 0.36 * (lat - _PHI0), 0.36 * (lon - _LAM0)
    x = _X0 + sum(r * dphi**p * dlam**q for p, q, r in _R)
    y = _Y0 + sum(s * dphi**p * dlam**q for p, q, s in _S)
    return round(x, 2), round(y, 2)


def crs_naam(waarde: str | None, standaard: str = CRS84) -> str:
    if not waarde:
        return standaard
    naam = CRS_NAMEN.get(waarde.strip().lower())
    if naam is None:
        raise OngeldigeGeometrie(f"CRS {waarde!r} wordt niet ondersteund; gebruik {RD} of {CRS84}")
    return naam


_TYPES = {"Point": 0, "MultiPoint": 1, "LineString": 1, "Polygon": 2, "MultiPolygon": 3}


def valideer(geometrie: dict[str, Any], crs: str) -> None:
    soort = geometrie.get("type")
    if soort not in _TYPES:
        raise OngeldigeGeometrie(
            f"type {soort!r} wordt niet ondersteund; gebruik {', '.join(_TYPES)}"
        )
    grenzen = RD_GRENZEN if crs == RD else CRS84_GRENZEN

    def punt(c: Any) -> None:
        if (
            not isinstance(c, list)
            or len(c) not in (2, 3)
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in c)
        ):
            raise OngeldigeGeometrie(f"coördinaat {c!r} is geen [x, y]")
        if not (grenzen[0] <= c[0] <= grenzen[2] and grenzen[1] <= c[1] <= grenzen[3]):
            raise OngeldigeGeometrie(f"coördinaat {c!r} ligt buiten Nederland in {crs}")

    def diepte(c: Any, d: int) -> None:
        if d == 0:
            punt(c)
            return
        if not isinstance(c, list) or not c:
            raise OngeldigeGeometrie("coordinates heeft niet de vorm van een " + str(soort))
        for sub in c:
            diepte(sub, d - 1)

    diepte(geometrie.get("coordinates"), _TYPES[str(soort)])
    if soort in ("Polygon", "MultiPolygon"):
        ringen = (
            geometrie["coordinates"]
            if soort == "Polygon"
            else [r for poly in geometrie["coordinates"] for r in poly]
        )
        for ring in ringen:
            if len(ring) < 4 or ring[0] != ring[-1]:
                raise OngeldigeGeometrie(
                    "een ring van een polygoon is gesloten en heeft minstens 4 punten"
                )


def transformeer(geometrie: dict[str, Any], van: str, naar: str) -> dict[str, Any]:
    if van == naar:
        return geometrie
    f: Callable[[float, float], tuple[float, float]] = rd_naar_crs84 if van == RD else crs84_naar_rd

    def map_(c: Any) -> Any:
        if c and isinstance(c[0], int | float):
            return list(f(c[0], c[1]))
        return [map_(sub) for sub in c]

    return {"type": geometrie["type"], "coordinates": map_(geometrie["coordinates"])}
