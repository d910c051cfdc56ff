"""The locaties API over HTTP on SQLite and PostgreSQL: conventions, rules, bad input."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from shared.auth import Rol
from shared.eventstore.tables import events
from shared.http.problems import PROBLEM_JSON
from tests.support.locaties import NIEUW, locaties_client, token, verzegeld

ZH = token()
UT = token(Rol.BEVOEGD_GEZAG, "UT")


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def _event_count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def _registreer(api: TestClient, **extra: Any) -> dict[str, Any]:
    response = api.post("/v1/spoedlocaties", json={**NIEUW, **extra}, headers=ZH)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_registration_answers_201_with_location_and_etag(api: TestClient) -> None:
    response = api.post("/v1/spoedlocaties", json=NIEUW, headers=ZH)
    assert response.status_code == 201
    body = response.json()
    assert body["locatieId"] == "ZH051300001"
    assert response.headers["location"] == "/v1/spoedlocaties/ZH051300001"
    assert response.headers["etag"] == '"1"'
    assert response.headers["api-version"] == "1.0.0"
    got = api.get(response.headers["location"], headers=UT)
    assert got.status_code == 200 and got.headers["etag"] == '"1"'
    assert got.json()["status"] == "potentieel-spoed"


def test_a_status_change_needs_the_current_etag(api: TestClient, sql_engine: Engine) -> None:
    locatie = _registreer(api)
    url = f"/v1/spoedlocaties/{locatie['locatieId']}/statuswijzigingen"
    body = {"naar": "onderzocht", "besluitdatum": "2010-06-01"}
    missing = api.post(url, json=body, headers=ZH)
    assert missing.status_code == 428
    ok = api.post(url, json=body, headers={**ZH, "If-Match": '"1"'})
    assert ok.status_code == 201 and ok.headers["etag"] == '"2"'
    assert ok.headers["location"].endswith("/gebeurtenissen/2")
    stale = api.post(
        url,
        json={"naar": "ernstig-spoed", "besluitdatum": "2010-07-01"},
        headers={**ZH, "If-Match": '"1"'},
    )
    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM_JSON
    assert _event_count(sql_engine) == 2


def test_an_invalid_transition_is_409_naming_the_allowed_ones(
    api: TestClient, sql_engine: Engine
) -> None:
    locatie = _registreer(api)
    response = api.post(
        f"/v1/spoedlocaties/{locatie['locatieId']}/statuswijzigingen",
        json={"naar": "gesaneerd", "besluitdatum": "2010-06-01"},
        headers={**ZH, "If-Match": '"1"'},
    )
    assert response.status_code == 409
    assert "onderzocht" in response.json()["detail"]
    assert _event_count(sql_engine) == 1


def test_another_bevoegd_gezag_gets_403(api: TestClient, sql_engine: Engine) -> None:
    locatie = _registreer(api)
    response = api.post(
        f"/v1/spoedlocaties/{locatie['locatieId']}/statuswijzigingen",
        json={"naar": "onderzocht", "besluitdatum": "2010-06-01"},
        headers={**UT, "If-Match": '"1"'},
    )
    assert response.status_code == 403
    assert api.post("/v1/spoedlocaties", json=NIEUW, headers=UT).status_code == 403
    assert _event_count(sql_engine) == 1


def test_requests_without_a_valid_token_get_401(api: TestClient) -> None:
    assert api.get("/v1/spoedlocaties").status_code == 401
    bad = api.get("/v1/spoedlocaties", headers={"Authorization": "Bearer nonsense"})
    assert bad.status_code == 401 and bad.headers["content-type"] == PROBLEM_JSON


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NIEUW, "bevoegdGezag": "QQ"}, "body.bevoegdGezag"),
        ({**NIEUW, "bevoegdGezag": "zh"}, "body.bevoegdGezag"),
        ({**NIEUW, "gemeentecode": "0363"}, "body.gemeentecode"),
        ({**NIEUW, "locatieId": "ZH-0513-1"}, "body.locatieId"),
        ({**NIEUW, "registratiedatum": "2010-02-30"}, "body.registratiedatum"),
        ({**NIEUW, "registratiedatum": "2999-01-01"}, "body.registratiedatum"),
        ({**NIEUW, "naam": ""}, "body.naam"),
        ({**NIEUW, "verontreinigingsgroepen": ["plutonium"]}, "body.verontreinigingsgroepen.0"),
        ({**NIEUW, "onbekendVeld": 1}, "body.onbekendVeld"),
        ({**NIEUW, "geometrie": {"type": "Point", "coordinates": [200.0, 20.0]}}, "body.geometrie"),
        (
            {
                **NIEUW,
                "geometrie": {
                    "type": "Polygon",
                    "coordinates": [[[5.1, 52.1], [5.2, 52.1], [5.2, 52.2]]],
                },
            },
            "body.geometrie",
        ),
    ],
)
def test_bad_registrations_are_400_naming_the_field_and_store_nothing(
    api: TestClient,
    sql_engine: Engine,
    body: dict[str, Any],
    field: str,
) -> None:
    # An unknown code is a 400 before the policy is asked, whoever sends it.
    response = api.post("/v1/spoedlocaties", json=body, headers=ZH)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert field in [p["name"] for p in response.json()["invalidParams"]]
    assert _event_count(sql_engine) == 0


def test_malformed_json_and_oversized_bodies_store_nothing(
    api: TestClient, sql_engine: Engine
) -> None:
    malformed = api.post(
        "/v1/spoedlocaties",
        content=b'{"naam": ',
        headers={**ZH, "content-type": "application/json"},
    )
    assert malformed.status_code == 400
    huge = api.post("/v1/spoedlocaties", json={**NIEUW, "naam": "x" * 2_000_000}, headers=ZH)
    assert huge.status_code == 413
    assert huge.headers["content-type"] == PROBLEM_JSON
    assert _event_count(sql_engine) == 0


def test_a_wrong_id_format_in_the_path_is_400_and_an_unknown_id_404(api: TestClient) -> None:
    wrong = api.get("/v1/spoedlocaties/12345", headers=ZH)
    assert wrong.status_code == 400
    assert wrong.json()["invalidParams"][0]["name"] == "path.locatieId"
    assert api.get("/v1/spoedlocaties/ZH051399999", headers=ZH).status_code == 404
    # ASCII digits only, as a registration's id: an Arabic-Indic one is a bad id (400), not
    # an unknown one (404).
    vreemd = api.get("/v1/spoedlocaties/ZH٠٥١٣٩٩٩٩٩", headers=ZH)
    assert vreemd.status_code == 400
    assert vreemd.json()["invalidParams"][0]["name"] == "path.locatieId"


def test_impossible_dates_in_commands_are_400(api: TestClient, sql_engine: Engine) -> None:
    locatie = _registreer(api)
    url = f"/v1/spoedlocaties/{locatie['locatieId']}/statuswijzigingen"
    for datum in ["2010-13-01", "gisteren", "2009-01-01"]:
        response = api.post(
            url,
            json={"naar": "onderzocht", "besluitdatum": datum},
            headers={**ZH, "If-Match": '"1"'},
        )
        assert response.status_code == 400, (datum, response.text)
    assert _event_count(sql_engine) == 1


def test_geometry_in_rd_is_returned_in_crs84_and_in_rd_on_request(api: TestClient) -> None:
    rd = {"type": "Point", "coordinates": [107000.0, 447000.0]}
    response = api.post(
        "/v1/spoedlocaties",
        json={**NIEUW, "geometrie": rd},
        headers={**ZH, "Content-Crs": "EPSG:28992"},
    )
    assert response.status_code == 201
    assert response.headers["content-crs"] == "OGC:CRS84"
    lon, lat = response.json()["geometrie"]["coordinates"]
    assert 4.6 < lon < 4.8 and 51.9 < lat < 52.1  # Gouda
    again = api.get(response.headers["location"], headers={**ZH, "Accept-Crs": "EPSG:28992"})
    assert again.headers["content-crs"] == "EPSG:28992"
    x, y = again.json()["geometrie"]["coordinates"]
    assert abs(x - 107000) < 0.01 and abs(y - 447000) < 0.01
    bad = api.get(response.headers["location"], headers={**ZH, "Accept-Crs": "EPSG:4326x"})
    assert bad.status_code == 400


def test_the_list_filters_and_pages(api: TestClient) -> None:
    for _ in range(3):
        _registreer(api)
    _registreer(api, gemeentecode="0484")
    first = api.get("/v1/spoedlocaties", params={"bevoegdGezag": "ZH", "pageSize": 2}, headers=ZH)
    assert first.status_code == 200
    assert first.headers["x-total-count"] == "4"
    body = first.json()
    assert len(body["_embedded"]["spoedlocaties"]) == 2
    assert "next" in body["_links"] and "prev" not in body["_links"]
    second = api.get(body["_links"]["next"]["href"], headers=ZH).json()
    assert "next" not in second["_links"]
    assert (
        api.get("/v1/spoedlocaties", params={"bevoegdGezag": "UT"}, headers=ZH).headers[
            "x-total-count"
        ]
        == "0"
    )
    assert (
        api.get("/v1/spoedlocaties", params={"status": "bestaat-niet"}, headers=ZH).status_code
        == 400
    )


def test_risk_filter_and_sub_resources(api: TestClient) -> None:
    locatie = _registreer(api)
    base = f"/v1/spoedlocaties/{locatie['locatieId']}"
    steps = [
        (
            "risicobeoordelingen",
            {
                "risicotype": "humaan",
                "vastgesteld": True,
                "criteria": ["ingestie-grond"],
                "beoordelingsdatum": "2010-04-01",
            },
        ),
        ("knelpunten", {"knelpunt": "financieel", "datum": "2011-01-01"}),
        ("budgettoekenningen", {"bedragEuro": 500000, "datum": "2011-01-01"}),
        ("kostenboekingen", {"bedragEuro": 120000, "datum": "2012-01-01"}),
        (
            "correcties",
            {
                "gecorrigeerdeVersie": 5,
                "correctie": {"bedragEuro": 125000},
                "reden": "factuur later gecorrigeerd",
            },
        ),
    ]
    for version, (path, body) in enumerate(steps, start=1):
        response = api.post(f"{base}/{path}", json=body, headers={**ZH, "If-Match": f'"{version}"'})
        assert response.status_code == 201, (path, response.text)
    got = api.get(base, headers=ZH).json()
    assert got["kostenEuro"] == 125000 and got["budgetEuro"] == 500000
    assert got["knelpunt"] == "financieel"
    assert got["risicos"][0]["criteria"] == ["ingestie-grond"]
    humaan = api.get("/v1/spoedlocaties", params={"risicotype": "humaan"}, headers=ZH)
    assert humaan.headers["x-total-count"] == "1"
    overdracht = api.post(
        f"{base}/overdrachten",
        json={"naar": "UT", "datum": "2013-01-01", "reden": "herindeling"},
        headers={**ZH, "If-Match": '"6"'},
    )
    assert overdracht.status_code == 201
    assert overdracht.json()["bevoegdGezag"] == "UT"


def test_history_and_global_feed_are_cloudevents_in_order(api: TestClient) -> None:
    a = _registreer(api)["locatieId"]
    b = _registreer(api)["locatieId"]
    api.post(
        f"/v1/spoedlocaties/{a}/statuswijzigingen",
        json={"naar": "onderzocht", "besluitdatum": "2010-06-01"},
        headers={**ZH, "If-Match": '"1"'},
    )
    history = api.get(f"/v1/spoedlocaties/{a}/gebeurtenissen", headers=ZH).json()
    assert [e["sequence"] for e in history["gebeurtenissen"]] == ["1", "2"]
    assert history["gebeurtenissen"][1]["type"] == "nl.overheid.bodem.spoedlocatie-status-gewijzigd"
    assert history["gebeurtenissen"][1]["occurredat"] == "2010-06-01T00:00:00Z"
    verzegeld(api)  # the feed serves what the relay sealed
    feed = api.get("/v1/gebeurtenissen", params={"vanafPositie": 2}, headers=ZH).json()
    assert [(e["subject"], e["position"]) for e in feed["gebeurtenissen"]] == [(b, 2), (a, 3)]
    assert feed["_links"]["next"]["href"] == "/v1/gebeurtenissen?vanafPositie=4"
    single = api.get(f"/v1/spoedlocaties/{a}/gebeurtenissen/2", headers=ZH)
    assert single.json()["data"]["naar"] == "onderzocht"


def test_the_bevoegde_gezagen_are_the_42_of_the_covenant(api: TestClient) -> None:
    body = api.get("/v1/bevoegde-gezagen").json()
    assert len(body) == 42
    assert sum(b["soort"] == "provincie" for b in body) == 12
    assert api.get("/v1/bevoegde-gezagen/AM").json()["gemeentecodes"] == ["0363"]
    assert api.get("/v1/bevoegde-gezagen/QQ").status_code == 404


def test_a_numbered_registration_passes_over_a_number_an_explicit_id_holds(
    api: TestClient,
) -> None:
    """A registration with its own id took ZH051300001, the number the service hands out next:
    the registration without an id gets ZH051300002 (before: 409, and every later one too, as
    the clash rolled the counter back with it)."""
    assert _registreer(api, locatieId="ZH051300001")["locatieId"] == "ZH051300001"
    assert _registreer(api)["locatieId"] == "ZH051300002"
    assert _registreer(api)["locatieId"] == "ZH051300003"
