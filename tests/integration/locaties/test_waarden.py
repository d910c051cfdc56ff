"""Issue #10's impossible values, each refused with a 400 problem naming the field, nothing
stored, and every site and list page still readable afterwards; on SQLite and PostgreSQL.

Through the commands (registration with NaN heights, self-intersecting polygons, one-point
lines, places outside the Netherlands, dates before the Wbb or far ahead, names with bidi
overrides or only spaces) and through corrections of earlier events (a number for a name, a
geometry that is none, a point at 1e308, a registratiedatum in 9999, a path for a municipality
code, a budget correction that would make the budget negative).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shared.http.problems import PROBLEM_JSON
from tests.support.locaties import NIEUW, locaties_client, token
from tests.support.locaties_lezen import aantal_events, lees_alles

ZH = token()
RD = {"Content-Crs": "EPSG:28992"}
NAN = float("nan")
GOUDA_RD = {"type": "Point", "coordinates": [107000.0, 447000.0]}


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def _site(api: TestClient) -> str:
    """A site with a history: registration, a decision, a grant, a withdrawal, costs."""
    r = api.post("/v1/spoedlocaties", json={**NIEUW, "geometrie": GOUDA_RD}, headers={**ZH, **RD})
    assert r.status_code == 201, r.text
    locatie_id: str = r.json()["locatieId"]
    stappen = [
        ("statuswijzigingen", {"naar": "onderzocht", "besluitdatum": "2010-06-01"}),
        ("budgettoekenningen", {"bedragEuro": 100_000, "datum": "2011-01-01"}),
        ("budgettoekenningen", {"bedragEuro": -40_000, "datum": "2012-01-01"}),
        ("kostenboekingen", {"bedragEuro": 30_000, "datum": "2012-05-01"}),
    ]
    for versie, (pad, body) in enumerate(stappen, start=1):
        r = api.post(
            f"/v1/spoedlocaties/{locatie_id}/{pad}",
            json=body,
            headers={**ZH, "If-Match": f'"{versie}"'},
        )
        assert r.status_code == 201, r.text
    return locatie_id


def _refused(
    api: TestClient,
    engine: Engine,
    url: str,
    body: Any,
    veld: str,
    headers: dict[str, str],
) -> None:
    """POST ``body`` (sent as written, NaN included) and expect a 400 naming ``veld``, with
    nothing stored; then every read still answers 200."""
    voor = aantal_events(engine)
    r = api.post(
        url,
        content=json.dumps(body, allow_nan=True).encode(),
        headers={**ZH, "Content-Type": "application/json", **headers},
    )
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == PROBLEM_JSON
    namen = [p["name"] for p in r.json()["invalidParams"]]
    assert veld in namen, namen
    assert aantal_events(engine) == voor
    assert lees_alles(api, ZH) == []


def _punt(x: float, y: float, *z: float) -> dict[str, Any]:
    return {"type": "Point", "coordinates": [x, y, *z]}


ZELFSNIJDEND = {
    "type": "Polygon",
    "coordinates": [
        [[107000, 447000], [107100, 447100], [107100, 447000], [107000, 447100], [107000, 447000]]
    ],
}
REGISTRATIES: list[tuple[str, dict[str, Any], dict[str, str], str]] = [
    ("NaN height in RD", {"geometrie": _punt(107000, 447000, NAN)}, RD, "body.geometrie"),
    ("infinite height", {"geometrie": _punt(107000, 447000, float("inf"))}, RD, "body.geometrie"),
    ("NaN x", {"geometrie": _punt(NAN, 447000)}, RD, "body.geometrie"),
    ("self-intersecting polygon", {"geometrie": ZELFSNIJDEND}, RD, "body.geometrie"),
    (
        "one-point LineString",
        {"geometrie": {"type": "LineString", "coordinates": [[107000, 447000]]}},
        RD,
        "body.geometrie",
    ),
    (
        "a line of two equal points",
        {"geometrie": {"type": "LineString", "coordinates": [[107000, 447000]] * 2}},
        RD,
        "body.geometrie",
    ),
    ("Paris", {"geometrie": _punt(2.35, 48.86)}, {}, "body.geometrie"),
    ("London", {"geometrie": _punt(-0.12, 51.5)}, {}, "body.geometrie"),
    ("the Dogger Bank", {"geometrie": _punt(2.5, 54.8)}, {}, "body.geometrie"),
    ("the North Sea in RD", {"geometrie": _punt(-50000, 500000)}, RD, "body.geometrie"),
    ("1e308 in CRS84", {"geometrie": _punt(1e308, 1e308)}, {}, "body.geometrie"),
    ("1e308 in RD", {"geometrie": _punt(1e308, 1e308)}, RD, "body.geometrie"),
    ("not GeoJSON", {"geometrie": {"foo": "bar"}}, {}, "body.geometrie.type"),
    (
        "registratiedatum 0001-01-01",
        {"registratiedatum": "0001-01-01"},
        {},
        "body.registratiedatum",
    ),
    (
        "registratiedatum 1986-12-31",
        {"registratiedatum": "1986-12-31"},
        {},
        "body.registratiedatum",
    ),
    (
        "registratiedatum 9999-12-31",
        {"registratiedatum": "9999-12-31"},
        {},
        "body.registratiedatum",
    ),
    ("RTL override", {"naam": "Gasfabriek \u202eGouda"}, {}, "body.naam"),
    ("RTL isolate", {"naam": "Gasfabriek \u2067Gouda\u2069"}, {}, "body.naam"),
    ("only whitespace", {"naam": " \t\u00a0 "}, {}, "body.naam"),
    ("a line break in a name", {"naam": "Gas\nfabriek"}, {}, "body.naam"),
    ("a number for a name", {"naam": 12345}, {}, "body.naam"),
    ("gemeentecode as a path", {"gemeentecode": "../../etc"}, {}, "body.gemeentecode"),
    ("gemeentecode in Arabic digits", {"gemeentecode": "٠٥١٣"}, {}, "body.gemeentecode"),
]


@pytest.mark.parametrize(
    ("velden", "headers", "veld"),
    [r[1:] for r in REGISTRATIES],
    ids=[r[0] for r in REGISTRATIES],
)
def test_impossible_registrations_are_refused(
    api: TestClient, sql_engine: Engine, velden: dict[str, Any], headers: dict[str, str], veld: str
) -> None:
    _site(api)
    _refused(api, sql_engine, "/v1/spoedlocaties", {**NIEUW, **velden}, veld, headers)


CORRECTIES: list[tuple[str, int, dict[str, Any], dict[str, str], str]] = [
    ("a number for a name", 1, {"naam": 12345}, {}, "body.correctie.naam"),
    ("RTL override in a name", 1, {"naam": "abc\u202edef"}, {}, "body.correctie.naam"),
    ("a name of spaces", 1, {"naam": "   "}, {}, "body.correctie.naam"),
    ("not a geometry", 1, {"geometrie": {"foo": "bar"}}, {}, "body.correctie.geometrie.type"),
    ("a point at 1e308", 1, {"geometrie": _punt(1e308, 1e308)}, {}, "body.correctie.geometrie"),
    (
        "NaN height in RD",
        1,
        {"geometrie": _punt(107000, 447000, NAN)},
        RD,
        "body.correctie.geometrie",
    ),
    ("self-intersecting", 1, {"geometrie": ZELFSNIJDEND}, RD, "body.correctie.geometrie"),
    (
        "registratiedatum 9999",
        1,
        {"registratiedatum": "9999-12-31"},
        {},
        "body.correctie.registratiedatum",
    ),
    (
        "registratiedatum 0001",
        1,
        {"registratiedatum": "0001-01-01"},
        {},
        "body.correctie.registratiedatum",
    ),
    (
        "registratiedatum after the first decision",
        1,
        {"registratiedatum": "2011-01-01"},
        {},
        "body.correctie.registratiedatum",
    ),
    ("gemeentecode as a path", 1, {"gemeentecode": "../../etc"}, {}, "body.correctie.gemeentecode"),
    (
        "gemeentecode of another gezag",
        1,
        {"gemeentecode": "0363"},
        {},
        "body.correctie.gemeentecode",
    ),
    ("the bevoegd gezag", 1, {"bevoegdGezag": "UT"}, {}, "body.correctie.bevoegdGezag"),
    ("the status", 1, {"status": "gesaneerd"}, {}, "body.correctie.status"),
    ("the id", 1, {"locatieId": "ZH051300099"}, {}, "body.correctie.locatieId"),
    ("a snake_case name", 3, {"bedrag_euro": 5}, {}, "body.correctie.bedrag_euro"),
    (
        "a decision into the future",
        2,
        {"besluitdatum": "2999-01-01"},
        {},
        "body.correctie.besluitdatum",
    ),
    ("a transition the lifecycle forbids", 2, {"naar": "gesaneerd"}, {}, "body.correctie.naar"),
    (
        "budget that makes the total negative",
        3,
        {"bedragEuro": 10_000},
        {},
        "body.correctie.bedragEuro",
    ),
    ("a grant dated after its withdrawal", 3, {"datum": "2012-06-01"}, {}, "body.correctie.datum"),
    (
        "a budget beyond the schema's bounds",
        3,
        {"bedragEuro": 10**30},
        {},
        "body.correctie.bedragEuro",
    ),
    ("a grant of 0", 3, {"bedragEuro": 0}, {}, "body.correctie.bedragEuro"),
    ("negative costs", 5, {"bedragEuro": -30_000}, {}, "body.correctie.bedragEuro"),
    ("NaN costs", 5, {"bedragEuro": NAN}, {}, "body.correctie.bedragEuro"),
    ("a version that does not exist", 9, {"naam": "x"}, {}, "body.gecorrigeerdeVersie"),
    ("no fields", 1, {}, {}, "body.correctie"),
]


@pytest.mark.parametrize(
    ("versie", "correctie", "headers", "veld"),
    [c[1:] for c in CORRECTIES],
    ids=[c[0] for c in CORRECTIES],
)
def test_impossible_corrections_are_refused(
    api: TestClient,
    sql_engine: Engine,
    versie: int,
    correctie: dict[str, Any],
    headers: dict[str, str],
    veld: str,
) -> None:
    locatie_id = _site(api)
    body = {"gecorrigeerdeVersie": versie, "correctie": correctie, "reden": "test"}
    url = f"/v1/spoedlocaties/{locatie_id}/correcties"
    _refused(api, sql_engine, url, body, veld, {**headers, "If-Match": '"5"'})
    assert api.get(f"/v1/spoedlocaties/{locatie_id}", headers=ZH).headers["etag"] == '"5"'


def test_a_correction_of_a_correction_is_refused(api: TestClient, sql_engine: Engine) -> None:
    locatie_id = _site(api)
    url = f"/v1/spoedlocaties/{locatie_id}/correcties"
    goed = {"gecorrigeerdeVersie": 5, "correctie": {"bedragEuro": 35_000}, "reden": "factuur"}
    r = api.post(url, json=goed, headers={**ZH, "If-Match": '"5"'})
    assert r.status_code == 201, r.text
    body = {"gecorrigeerdeVersie": 6, "correctie": {"reden": "x"}, "reden": "x"}
    _refused(api, sql_engine, url, body, "body.gecorrigeerdeVersie", {"If-Match": '"6"'})


def test_valid_corrections_are_normalised_and_converted_like_the_command(
    api: TestClient, sql_engine: Engine
) -> None:
    locatie_id = _site(api)
    url = f"/v1/spoedlocaties/{locatie_id}/correcties"
    correcties: list[tuple[dict[str, Any], dict[str, str]]] = [
        # A name in NFD with spaces around it is stored as NFC, trimmed: as registration does.
        ({"naam": "  Gasfabriek Goude\u0301  "}, {}),
        ({"geometrie": {"type": "Point", "coordinates": [4.7, 52.0]}}, {}),  # CRS84 -> RD
        ({"gemeentecode": "0484"}, {}),
    ]
    for versie, (correctie, headers) in enumerate(correcties, start=5):
        body = {"gecorrigeerdeVersie": 1, "correctie": correctie, "reden": "typefout"}
        r = api.post(url, json=body, headers={**ZH, **headers, "If-Match": f'"{versie}"'})
        assert r.status_code == 201, r.text
    r = api.post(
        url,
        json={"gecorrigeerdeVersie": 3, "correctie": {"bedragEuro": 40_000}, "reden": "exact"},
        headers={**ZH, "If-Match": '"8"'},
    )
    assert r.status_code == 201, r.text  # 40,000 - 40,000 = 0: never negative
    site = api.get(f"/v1/spoedlocaties/{locatie_id}", headers={**ZH, "Accept-Crs": "EPSG:28992"})
    body = site.json()
    assert body["naam"] == "Gasfabriek Goud\u00e9"
    assert body["gemeentecode"] == "0484" and body["budgetEuro"] == 0
    x, y = body["geometrie"]["coordinates"]
    assert 100_000 < x < 110_000 and 440_000 < y < 450_000
    stored = api.get(f"/v1/spoedlocaties/{locatie_id}/gebeurtenissen/7", headers=ZH).json()
    assert stored["data"]["correctie"]["geometrie"]["coordinates"] == [x, y]
    assert lees_alles(api, ZH) == []


def test_a_decision_keeps_its_decision_date_and_its_record_date(api: TestClient) -> None:
    """What the back-dating report reads (issue #10, part 5): the business date in the data and
    in ``occurredat``, the record time in ``time``; a corrected date in a correction recorded
    at its own time."""
    locatie_id = _site(api)
    url = f"/v1/spoedlocaties/{locatie_id}/correcties"
    body = {"gecorrigeerdeVersie": 2, "correctie": {"besluitdatum": "2010-05-01"}, "reden": "x"}
    assert api.post(url, json=body, headers={**ZH, "If-Match": '"5"'}).status_code == 201
    historie = api.get(f"/v1/spoedlocaties/{locatie_id}/gebeurtenissen", headers=ZH).json()
    besluit, correctie = historie["gebeurtenissen"][1], historie["gebeurtenissen"][5]
    assert besluit["data"]["besluitdatum"] == "2010-06-01"
    assert besluit["occurredat"] == "2010-06-01T00:00:00Z"
    assert besluit["time"][:4] >= "2025"  # recorded when the test ran, years later
    assert correctie["data"]["correctie"] == {"besluitdatum": "2010-05-01"}
    # A correction happens when it is recorded (its business time is its record time).
    assert correctie["time"] >= besluit["time"]
    assert correctie["occurredat"][:10] == correctie["time"][:10]
