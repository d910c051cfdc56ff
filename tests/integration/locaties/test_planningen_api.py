"""POST /v1/spoedlocaties/{id}/planningen on SQLite and PostgreSQL: the command's contract
(If-Match, Idempotency-Key, 403 for another gezag, 400 problem+json storing nothing), and the
plan as an import line."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from shared.auth import Rol
from shared.eventstore.tables import events
from shared.http.problems import PROBLEM_JSON
from tests.support.locaties import NIEUW, locaties_client, token

ZH = token()
UT = token(Rol.BEVOEGD_GEZAG, "UT")
PLAN = {"onderzoekGereed": "2011-06-01", "afgehandeld": "2015-10-01", "datum": "2011-02-01"}


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def _aantal(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def _site(api: TestClient) -> str:
    r = api.post("/v1/spoedlocaties", json=NIEUW, headers=ZH)
    assert r.status_code == 201, r.text
    return str(r.json()["locatieId"])


def test_a_plan_and_its_revision_are_events_on_the_site(api: TestClient) -> None:
    url = f"/v1/spoedlocaties/{_site(api)}/planningen"
    assert api.post(url, json=PLAN, headers=ZH).status_code == 428
    sleutel = {**ZH, "If-Match": '"1"', "Idempotency-Key": "plan-1"}
    eerste = api.post(url, json=PLAN, headers=sleutel)
    assert eerste.status_code == 201, eerste.text
    assert eerste.headers["etag"] == '"2"'
    herhaald = api.post(url, json=PLAN, headers=sleutel)
    assert (herhaald.status_code, herhaald.content) == (eerste.status_code, eerste.content)
    herzien = {"afgehandeld": "2017-01-01", "datum": "2013-03-01", "reden": "extra onderzoek"}
    r = api.post(url, json=herzien, headers={**ZH, "If-Match": '"2"'})
    assert r.status_code == 201, r.text
    historie = api.get(url.replace("planningen", "gebeurtenissen"), headers=ZH).json()
    plannen = [
        e["data"]
        for e in historie["gebeurtenissen"]
        if e["type"].endswith("spoedlocatie-planning-vastgesteld")
    ]
    assert [p["afgehandeld"] for p in plannen] == ["2015-10-01", "2017-01-01"]
    assert plannen[1]["reden"] == "extra onderzoek"


@pytest.mark.parametrize(
    ("body", "veld"),
    [
        ({**PLAN, "afgehandeld": "2011-01-01"}, "body.afgehandeld"),
        ({**PLAN, "afgehandeld": "2015-13-01"}, "body.afgehandeld"),
        ({**PLAN, "afgehandeld": "2150-01-01"}, "body.afgehandeld"),
        ({**PLAN, "datum": "2099-01-01"}, "body.datum"),
        ({**PLAN, "wanneer": "morgen"}, "body.wanneer"),
        ({"datum": "2011-02-01"}, "body.afgehandeld"),
    ],
)
def test_a_bad_plan_is_400_naming_the_field_and_stores_nothing(
    api: TestClient, sql_engine: Engine, body: dict[str, str], veld: str
) -> None:
    url = f"/v1/spoedlocaties/{_site(api)}/planningen"
    r = api.post(url, json=body, headers={**ZH, "If-Match": '"1"'})
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == PROBLEM_JSON
    assert veld in [p["name"] for p in r.json()["invalidParams"]], r.json()
    assert _aantal(sql_engine) == 1


def test_a_revision_without_reason_and_another_gezag_are_refused(
    api: TestClient, sql_engine: Engine
) -> None:
    url = f"/v1/spoedlocaties/{_site(api)}/planningen"
    assert api.post(url, json=PLAN, headers={**ZH, "If-Match": '"1"'}).status_code == 201
    zonder = {"afgehandeld": "2017-01-01", "datum": "2013-03-01"}
    r = api.post(url, json=zonder, headers={**ZH, "If-Match": '"2"'})
    assert r.status_code == 400 and "reden" in r.text
    r = api.post(url, json={**zonder, "reden": "x"}, headers={**UT, "If-Match": '"2"'})
    assert r.status_code == 403 and r.headers["content-type"] == PROBLEM_JSON
    assert _aantal(sql_engine) == 2


def test_a_plan_can_be_an_import_line(api: TestClient, sql_engine: Engine) -> None:
    locatie_id = _site(api)
    regels = [
        {"sleutel": "p1", "soort": "planningen", "locatieId": locatie_id, "versie": 1}
        | {"body": PLAN},
        {"sleutel": "p2", "soort": "planningen", "locatieId": locatie_id, "versie": 2}
        | {"body": {"afgehandeld": "2017-01-01", "datum": "2013-03-01"}},
    ]
    body = "".join(json.dumps(r) + "\n" for r in regels)
    r = api.post(
        "/v1/spoedlocaties/import",
        content=body,
        headers={**ZH, "Content-Type": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text
    uit = [json.loads(regel) for regel in r.text.splitlines()]
    assert uit[0]["status"] == 201, uit
    # The revision without a reason is refused by the same rule as the single command.
    assert uit[1]["status"] == 400 and "reden" in json.dumps(uit[1]), uit
    assert _aantal(sql_engine) == 2
