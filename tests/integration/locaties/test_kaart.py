"""The list as a GeoJSON FeatureCollection for maps: it validates against the GeoJSON schema
(RFC 7946, tests/support/geojson), the bbox filter finds the known sites inside a box and not
those outside it, in CRS84 and in RD (bbox-crs), with paging links and peildatum as the JSON
list; bad boxes and unknown formats are problem+json. On SQLite and PostgreSQL; on PostgreSQL
the filter is answered by the GiST index."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.domain.geometrie import crs84_naar_rd
from services.locaties.entrypoints import routes_spoedlocaties
from services.locaties.entrypoints.routes_spoedlocaties import bbox_filter
from tests.support.locaties import NIEUW, locaties_client, token

SCHEMA_PAD = Path(__file__).parents[2] / "support" / "geojson" / "FeatureCollection.schema.json"
SCHEMA = json.loads(SCHEMA_PAD.read_text())
GEOJSON = {"Accept": "application/geo+json"}
ZH = token()
RD_URI = "http://www.opengis.net/def/crs/EPSG/0/28992"
CRS84_URI = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"

# Known sites (CRS84): Rotterdam and Gouda points, a polygon in Delft, one without geometry,
# and one in Rotterdam registered in 2015 (absent on an earlier peildatum).
ROTTERDAM_LONLAT = (4.4796, 51.9218)
GOUDA_LONLAT = (4.7083, 52.0115)
ROTTERDAM: dict[str, Any] = {"type": "Point", "coordinates": list(ROTTERDAM_LONLAT)}
GOUDA: dict[str, Any] = {"type": "Point", "coordinates": list(GOUDA_LONLAT)}
DELFT: dict[str, Any] = {
    "type": "Polygon",
    "coordinates": [[[4.35, 52.0], [4.37, 52.0], [4.37, 52.02], [4.35, 52.02], [4.35, 52.0]]],
}
ROTTERDAM_2015: dict[str, Any] = {"type": "Point", "coordinates": [4.49, 51.915]}


def _registreer(api: TestClient, naam: str, geometrie: Any, datum: str = "2010-03-15") -> str:
    body = {**NIEUW, "naam": naam, "registratiedatum": datum}
    if geometrie is not None:
        body["geometrie"] = geometrie
    antwoord = api.post("/v1/spoedlocaties", json=body, headers=ZH)
    assert antwoord.status_code == 201, antwoord.text
    locatie_id: str = antwoord.json()["locatieId"]
    return locatie_id


@pytest.fixture
def kaart(sql_engine: Engine) -> Any:
    with locaties_client(sql_engine) as api:
        ids = {
            "rotterdam": _registreer(api, "Rotterdam", ROTTERDAM),
            "gouda": _registreer(api, "Gouda", GOUDA),
            "delft": _registreer(api, "Delft", DELFT),
            "zonder": _registreer(api, "Zonder geometrie", None),
            "rotterdam2015": _registreer(api, "Rotterdam later", ROTTERDAM_2015, "2015-06-01"),
        }
        yield api, ids, sql_engine


def _features(api: TestClient, **params: Any) -> dict[str, Any]:
    antwoord = api.get("/v1/spoedlocaties", params=params, headers={**ZH, **GEOJSON})
    assert antwoord.status_code == 200, antwoord.text
    assert antwoord.headers["content-type"].startswith("application/geo+json")
    body: dict[str, Any] = antwoord.json()
    fouten = [str(f) for f in jsonschema_rs.validator_for(SCHEMA).iter_errors(body)]
    assert not fouten, fouten
    return body


def _ids(body: dict[str, Any]) -> set[str]:
    return {f["id"] for f in body["features"]}


def test_the_feature_collection_is_geojson_with_every_site(kaart: Any) -> None:
    api, ids, _ = kaart
    body = _features(api)
    assert _ids(body) == set(ids.values())
    per_id = {f["id"]: f for f in body["features"]}
    assert per_id[ids["rotterdam"]]["geometry"] == ROTTERDAM
    assert per_id[ids["zonder"]]["geometry"] is None
    assert per_id[ids["rotterdam"]]["properties"]["naam"] == "Rotterdam"
    assert "geometrie" not in per_id[ids["rotterdam"]]["properties"]
    assert body["numberMatched"] == 5 and body["numberReturned"] == 5
    antwoord = api.get("/v1/spoedlocaties", headers={**ZH, **GEOJSON})
    assert antwoord.headers["Content-Crs"] == f"<{CRS84_URI}>"
    # JSON stays the default.
    gewoon = api.get("/v1/spoedlocaties", headers=ZH)
    assert gewoon.headers["content-type"].startswith("application/json")
    assert "_embedded" in gewoon.json()


def test_the_geometry_follows_accept_crs(kaart: Any) -> None:
    api, ids, _ = kaart
    antwoord = api.get("/v1/spoedlocaties", headers={**ZH, **GEOJSON, "Accept-Crs": "EPSG:28992"})
    assert antwoord.headers["Content-Crs"] == f"<{RD_URI}>"
    per_id = {f["id"]: f for f in antwoord.json()["features"]}
    x, y = per_id[ids["rotterdam"]]["geometry"]["coordinates"]
    assert (x, y) == pytest.approx(crs84_naar_rd(*ROTTERDAM_LONLAT), abs=0.01)


def test_bbox_in_crs84_finds_the_sites_inside_and_not_outside(kaart: Any) -> None:
    api, ids, _ = kaart
    # Rotterdam's centre: both Rotterdam points, not Delft (5 km north), Gouda or the site
    # without a geometry.
    assert _ids(_features(api, bbox="4.45,51.90,4.52,51.94")) == {
        ids["rotterdam"],
        ids["rotterdam2015"],
    }
    # A box that only touches the Delft polygon's eastern part.
    assert _ids(_features(api, bbox="4.365,52.015,4.40,52.05")) == {ids["delft"]}
    # Explicitly CRS84, Gouda only.
    body = _features(api, bbox="4.69,52.0,4.72,52.02", **{"bbox-crs": CRS84_URI})
    assert _ids(body) == {ids["gouda"]}
    assert _ids(_features(api, bbox="5.0,52.0,5.2,52.2")) == set()  # Utrecht: nothing


def test_bbox_in_rd_finds_the_sites_inside_and_not_outside(kaart: Any) -> None:
    api, ids, _ = kaart
    x, y = crs84_naar_rd(*GOUDA_LONLAT)
    rond_gouda = f"{x - 500},{y - 500},{x + 500},{y + 500}"
    assert _ids(_features(api, bbox=rond_gouda, **{"bbox-crs": RD_URI})) == {ids["gouda"]}
    x, y = crs84_naar_rd(*ROTTERDAM_LONLAT)
    alleen_centrum = f"{x - 100},{y - 100},{x + 100},{y + 100}"  # the 2015 site is 800 m away
    assert _ids(_features(api, bbox=alleen_centrum, **{"bbox-crs": RD_URI})) == {ids["rotterdam"]}
    # The same numbers read as CRS84 are far outside the world: refused, not silently empty.
    fout = api.get("/v1/spoedlocaties", params={"bbox": rond_gouda}, headers={**ZH, **GEOJSON})
    assert fout.status_code == 400


@pytest.mark.parametrize("klein_kader", [50_000, 0])
def test_bbox_filters_the_json_list_and_pages_keep_it(
    kaart: Any, klein_kader: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both ways PostgreSQL pages a box (from its matches, or along the locatieId order)."""
    monkeypatch.setattr(routes_spoedlocaties, "KLEIN_KADER", klein_kader)
    api, ids, _ = kaart
    params = {"bbox": "4.3,51.8,4.8,52.1", "pageSize": 2}
    eerste = _features(api, **params)
    assert eerste["numberMatched"] == 4 and eerste["numberReturned"] == 2
    links = {link["rel"]: link["href"] for link in eerste["links"]}
    assert "bbox=4.3%2C51.8%2C4.8%2C52.1" in links["next"]
    tweede = api.get(links["next"], headers={**ZH, **GEOJSON}).json()
    assert _ids(eerste) | _ids(tweede) == set(ids.values()) - {ids["zonder"]}
    lijst = api.get("/v1/spoedlocaties", params={"bbox": "4.45,51.90,4.52,51.94"}, headers=ZH)
    assert lijst.headers["X-Total-Count"] == "2"
    gevonden = {s["locatieId"] for s in lijst.json()["_embedded"]["spoedlocaties"]}
    assert gevonden == {ids["rotterdam"], ids["rotterdam2015"]}


def test_bbox_with_peildatum_and_kennisdatum(kaart: Any) -> None:
    api, ids, _ = kaart
    rotterdam = "4.45,51.90,4.52,51.94"
    assert _ids(_features(api, bbox=rotterdam, peildatum="2012-01-01")) == {ids["rotterdam"]}
    assert _ids(_features(api, bbox=rotterdam, peildatum="2016-01-01")) == {
        ids["rotterdam"],
        ids["rotterdam2015"],
    }
    # Nothing was known at the end of 2019 (the sites were recorded today).
    assert _ids(_features(api, bbox=rotterdam, kennisdatum="2020-01-01")) == set()


@pytest.mark.parametrize(
    ("params", "naam"),
    [
        ({"bbox": "4.5,51.9,4.4,52.0"}, "query.bbox"),  # minx > maxx
        ({"bbox": "4.4,91,4.5,92"}, "query.bbox"),  # latitude beyond the pole
        ({"bbox": "4.4,51.9,4.5"}, "query.bbox"),  # three numbers
        ({"bbox": "a,b,c,d"}, "query.bbox"),
        ({"bbox": "1e999,0,2e999,1"}, "query.bbox"),  # infinite
        ({"bbox": "4.4,51.9,4.5,52.0", "bbox-crs": "EPSG:28992"}, "query.bbox-crs"),
    ],
)
def test_a_bad_bbox_is_a_problem_naming_the_parameter(
    kaart: Any, params: dict[str, str], naam: str
) -> None:
    api, _, _ = kaart
    antwoord = api.get("/v1/spoedlocaties", params=params, headers={**ZH, **GEOJSON})
    assert antwoord.status_code == 400, antwoord.text
    assert antwoord.headers["content-type"].startswith("application/problem+json")
    assert naam in [p["name"] for p in antwoord.json()["invalidParams"]]


def test_a_format_the_list_cannot_give_is_406(kaart: Any) -> None:
    api, _, _ = kaart
    antwoord = api.get("/v1/spoedlocaties", headers={**ZH, "Accept": "text/html"})
    assert antwoord.status_code == 406
    assert antwoord.headers["content-type"].startswith("application/problem+json")
    voorkeur = "application/json;q=0.5, application/geo+json"
    assert (
        api.get("/v1/spoedlocaties", headers={**ZH, "Accept": voorkeur})
        .headers["content-type"]
        .startswith("application/geo+json")
    )


def test_postgresql_answers_the_bbox_filter_from_the_spgist_index(kaart: Any) -> None:
    _, _, engine = kaart
    if engine.dialect.name != "postgresql":
        pytest.skip("the SP-GiST index is PostgreSQL's")
    with engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        for tabel in (spoedlocaties, spoedlocatie_standen):
            query = select(tabel.c.locatie_id).where(
                bbox_filter(tabel, (90_000.0, 430_000.0, 95_000.0, 440_000.0), "postgresql")
            )
            sql = str(query.compile(conn, compile_kwargs={"literal_binds": True}))
            plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {sql}")))
            assert "_bbox_spgist" in plan, plan
