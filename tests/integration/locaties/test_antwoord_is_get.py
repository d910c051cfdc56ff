"""A command's 201 answer (written from the state with orjson, ``stand_json``) is what a GET of
the same site then returns (through the response model), on SQLite and PostgreSQL: the body
as JSON, ETag and Content-Crs, in both CRSs, with unusual text, big amounts and a polygon."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.support.locaties import NIEUW, locaties_client, token

ZH = token()


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def _zelfde(api: TestClient, antwoord: Any, crs: str) -> None:
    assert antwoord.status_code == 201, antwoord.text
    url = f"/v1/spoedlocaties/{antwoord.json()['locatieId']}"
    gelezen = api.get(url, headers={**ZH, "Accept-Crs": crs})
    assert gelezen.status_code == 200
    assert gelezen.json() == antwoord.json()
    for kop in ("etag", "content-crs", "content-type"):
        assert gelezen.headers[kop] == antwoord.headers[kop]


@pytest.mark.parametrize("crs", ["EPSG:28992", "OGC:CRS84"])
def test_every_command_s_answer_is_what_a_get_then_returns(api: TestClient, crs: str) -> None:
    naam = 'Ga\u0301sfabriek \u00e9\U0001f4a9 \u2028\u00a0 \u4e2d"\\ x'  # NFC folds the a+accent
    polygoon = {
        "type": "Polygon",
        "coordinates": [
            [
                [155000.123456, 463000.5],
                [155100.1, 463000.25],
                [155050, 463100.75],
                [155000.123456, 463000.5],
            ]
        ],
    }
    kop = {**ZH, "Content-Crs": "EPSG:28992", "Accept-Crs": crs}
    eerste = api.post(
        "/v1/spoedlocaties", json={**NIEUW, "naam": naam, "geometrie": polygoon}, headers=kop
    )
    _zelfde(api, eerste, crs)
    url = eerste.headers["location"]
    stappen: list[tuple[str, dict[str, Any]]] = [
        ("statuswijzigingen", {"naar": "onderzocht", "besluitdatum": "2011-02-03"}),
        (
            "risicobeoordelingen",
            {
                "risicotype": "humaan",
                "vastgesteld": True,
                "criteria": ["ingestie-grond"],
                "beoordelingsdatum": "2011-03-04",
            },
        ),
        ("budgettoekenningen", {"bedragEuro": 10**10, "datum": "2011-04-05"}),
        ("kostenboekingen", {"bedragEuro": 10**10, "datum": "2011-04-06"}),
        ("statuswijzigingen", {"naar": "ernstig-spoed", "besluitdatum": "2011-05-06"}),
        ("knelpunten", {"knelpunt": "geen", "datum": "2011-05-07"}),
        (
            "correcties",
            {"gecorrigeerdeVersie": 1, "correctie": {"naam": "\u00c5 \U0001f600"}, "reden": "r"},
        ),
    ]
    versie = 1
    for pad, body in stappen:
        antwoord = api.post(f"{url}/{pad}", json=body, headers={**kop, "If-Match": f'"{versie}"'})
        _zelfde(api, antwoord, crs)
        versie += 1
