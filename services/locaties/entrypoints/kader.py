"""The list's ``bbox`` and ``bbox-crs`` query parameters (OGC API Features - Part 1 and 2): a
box in CRS84 (lon/lat, the default) or in RD New, taken to RD for the database's filter."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from services.locaties.domain.geometrie import (
    CRS84,
    CRS_URI,
    CRS_VAN_URI,
    Omhullende,
    OngeldigeGeometrie,
    lees_bbox,
)
from shared.http.queryparameters import ongeldig
from shared.http.schematypen import domeinregel

_GETAL = r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"
BBOX_PATROON = rf"^{_GETAL},{_GETAL},{_GETAL},{_GETAL}$"
BBOX_REGEL = (
    "minx niet groter dan maxx en miny niet groter dan maxy; in CRS84 lengtegraad tussen -180 "
    "en 180 en breedtegraad tussen -90 en 90"
)


@dataclass(frozen=True)
class Kader:
    """A requested box: in RD for the filter, and the parameters that ask it again (links)."""

    rd: Omhullende
    parameters: dict[str, str]


def kader(
    bbox: Annotated[
        str | None,
        Query(
            pattern=BBOX_PATROON,
            description="Alleen locaties waarvan de omhullende rechthoek dit kader raakt: "
            "minx,miny,maxx,maxy, in CRS84 (lengtegraad, breedtegraad) of in het CRS uit "
            "bbox-crs. Een kader in CRS84 wordt de kleinste RD-rechthoek eromheen. Locaties "
            "zonder geometrie vallen erbuiten.",
            examples=["4.4,51.85,4.55,51.95"],
            json_schema_extra=domeinregel(BBOX_REGEL),
        ),
    ] = None,
    bbox_crs: Annotated[
        str | None,
        Query(
            alias="bbox-crs",
            description="Het CRS van bbox als URI (OGC API Features - Part 2): CRS84 "
            "(standaard) of RD New (EPSG:28992).",
            json_schema_extra={"enum": sorted(CRS_VAN_URI)},
        ),
    ] = None,
) -> Kader | None:
    crs = CRS84
    if bbox_crs is not None:
        if bbox_crs not in CRS_VAN_URI:
            reden = f"kies uit {', '.join(sorted(CRS_VAN_URI))}"
            raise ongeldig("bbox-crs", reden, f"bbox-crs {bbox_crs!r} wordt niet ondersteund")
        crs = CRS_VAN_URI[bbox_crs]
    if bbox is None:
        return None
    try:
        rd = lees_bbox(bbox, crs)
    except OngeldigeGeometrie as exc:
        raise ongeldig("bbox", str(exc), f"bbox {bbox!r} is ongeldig: {exc}") from exc
    parameters = {"bbox": bbox}
    if bbox_crs is not None:
        parameters["bbox-crs"] = CRS_URI[crs]
    return Kader(rd, parameters)


KaderFilter = Annotated[Kader | None, Depends(kader)]
