"""The list of sites as a GeoJSON FeatureCollection (RFC 7946) for maps, with the paging links
of OGC API Features (``links`` with ``rel``, ``numberMatched``, ``numberReturned``).

A feature's ``id`` is the locatieId, its ``properties`` the site as the JSON list shows it
without geometry and links, its ``geometry`` the site's geometry (null when it has none).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.locaties.entrypoints.schemas import Link, SpoedlocatieOut

GEO_JSON = "application/geo+json"
_ZONDER = {"geometrie", "links"}
_RELATIES = {"self": "self", "first": "first", "last": "last", "prev": "prev", "next": "next"}


def feature(site: SpoedlocatieOut) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": site.locatie_id,
        "geometry": site.geometrie,
        "properties": site.model_dump(mode="json", by_alias=True, exclude=_ZONDER),
    }


def feature_collection(
    sites: list[SpoedlocatieOut], links: dict[str, Link], totaal: int
) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [feature(s) for s in sites],
        "links": [
            {"href": link.href, "rel": _RELATIES[naam], "type": GEO_JSON}
            for naam, link in links.items()
        ],
        "numberMatched": totaal,
        "numberReturned": len(sites),
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
    }


_GETAL = {"type": "number"}
_POSITIE = {"type": "array", "minItems": 2, "maxItems": 3, "items": _GETAL}


def _geometrie_schema() -> dict[str, Any]:
    def soort(naam: str, coordinates: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["type", "coordinates"],
            "properties": {"type": {"type": "string", "enum": [naam]}, "coordinates": coordinates},
        }

    def reeks(items: dict[str, Any], minimum: int = 1) -> dict[str, Any]:
        return {"type": "array", "minItems": minimum, "items": items}

    ring = reeks(_POSITIE, 4)
    return {
        "oneOf": [
            soort("Point", _POSITIE),
            soort("MultiPoint", reeks(_POSITIE)),
            soort("LineString", reeks(_POSITIE, 2)),
            soort("MultiLineString", reeks(reeks(_POSITIE, 2))),
            soort("Polygon", reeks(ring)),
            soort("MultiPolygon", reeks(reeks(ring))),
            {"type": "null"},
        ]
    }


def openapi_schema(kenmerken: dict[str, Any]) -> dict[str, Any]:
    """The FeatureCollection's schema for the OpenAPI document; ``kenmerken`` the schema of a
    feature's properties."""
    feature_schema = {
        "type": "object",
        "required": ["type", "id", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {"type": "string", "examples": ["ZH051300001"]},
            "geometry": _geometrie_schema(),
            "properties": kenmerken,
        },
    }
    link = {
        "type": "object",
        "required": ["href", "rel"],
        "properties": {
            "href": {"type": "string"},
            "rel": {"type": "string", "enum": sorted(_RELATIES.values())},
            "type": {"type": "string"},
        },
    }
    return {
        "type": "object",
        "required": ["type", "features", "links", "numberMatched", "numberReturned"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": feature_schema},
            "links": {"type": "array", "items": link},
            "numberMatched": {"type": "integer", "minimum": 0},
            "numberReturned": {"type": "integer", "minimum": 0},
            "timeStamp": {"type": "string", "format": "date-time"},
        },
    }


def kenmerken_schema() -> dict[str, Any]:
    """A feature's properties: the list's site without geometry and links, its nested types
    referring to the document's components (the JSON list puts them there)."""
    schema = SpoedlocatieOut.model_json_schema(
        by_alias=True, mode="serialization", ref_template="#/components/schemas/{model}"
    )
    schema.pop("$defs", None)
    schema.pop("title", None)
    for naam in ("geometrie", "_links"):
        schema["properties"].pop(naam, None)
        if naam in schema.get("required", []):
            schema["required"].remove(naam)
    return schema
