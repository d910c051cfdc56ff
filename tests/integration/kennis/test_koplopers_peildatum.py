"""Koplopers on a peildatum, on SQLite and PostgreSQL: the sites' statuses as they were on that
day (from the spoedlocaties events' business dates), the answers given and the successes
reported by then."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.kennis.adapters import voortgang
from shared.auth import Rol, mint_dev_token
from shared.envelope import TYPE_PREFIX, CloudEvent
from tests.support.kennis import kennis_client
from tests.support.locaties import SECRET, token

ZL = token(Rol.BEVOEGD_GEZAG, "ZL")
UT = {"Authorization": f"Bearer {mint_dev_token(SECRET, 'anne@ut.nl', Rol.BEVOEGD_GEZAG, 'UT')}"}
GR = {"Authorization": f"Bearer {mint_dev_token(SECRET, 'jan@gr.nl', Rol.BEVOEGD_GEZAG, 'GR')}"}
_VOLGNUMMER = itertools.count(1)


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[tuple[TestClient, Engine]]:
    with kennis_client(sql_engine) as client:
        yield client, sql_engine


def _event(engine: Engine, soort: str, locatie_id: str, **data: Any) -> None:
    """A spoedlocaties event as the kennis consumer reads it, in its own transaction."""
    n = next(_VOLGNUMMER)
    event = CloudEvent(str(n), "/test", TYPE_PREFIX + soort, locatie_id, datetime.now(UTC), data, n)
    with Session(engine) as session, session.begin():
        voortgang.verwerk(session, event)


def _sites(engine: Engine) -> None:
    """Four sites of ZL dealt with in 2012 and 2014, four of UT never; national share: 2012
    1 of 8, 2014 4 of 8."""
    for n, gezag in enumerate(["ZL"] * 4 + ["UT"] * 4):
        locatie_id = f"{gezag}0000000{n:02d}"
        _event(
            engine,
            "spoedlocatie-geregistreerd",
            locatie_id,
            bevoegd_gezag=gezag,
            status="ernstig-spoed",
            registratiedatum="2010-05-01",
        )
        if gezag == "ZL":
            besluit = "2012-06-01" if n == 0 else "2014-03-01"
            _event(
                engine,
                "spoedlocatie-status-gewijzigd",
                locatie_id,
                naar="gesaneerd",
                besluitdatum=besluit,
            )


def _koplopers(api: TestClient, peildatum: str) -> dict[str, list[str]]:
    response = api.get(f"/v1/koplopers?peildatum={peildatum}", headers=ZL)
    assert response.status_code == 200, response.text
    return {k["organisatie"]: k["redenen"] for k in response.json()}


def test_koplopers_as_they_were_on_each_peildatum(api: tuple[TestClient, Engine]) -> None:
    client, engine = api
    _sites(engine)
    vraag = {"titel": "WKO", "tekst": "Mag WKO in een pluim?", "themas": ["ondergrond"]}
    vraag_id = client.post(
        "/v1/kennisvragen", json={**vraag, "datum": "2011-02-01"}, headers=ZL
    ).json()["vraagId"]
    for datum in ("2011-03-01", "2013-05-01"):
        antwoord = {"tekst": "Ja, met monitoring.", "datum": datum}
        response = client.post(f"/v1/kennisvragen/{vraag_id}/antwoorden", json=antwoord, headers=UT)
        assert response.status_code == 201, response.text
    succes = {
        "titel": "Gebiedsgericht",
        "verhaal": "Eén plan voor de pluim.",
        "themas": ["ondergrond"],
    }
    response = client.post("/v1/successen", json={**succes, "datum": "2013-09-01"}, headers=GR)
    assert response.status_code == 201, response.text

    # 2012: ZL dealt with 1 of 4 (25 %), nationally 1 of 8 (12.5 %): more than 10 points
    # ahead. UT had answered once, GR reported nothing yet.
    assert _koplopers(client, "2012-12-31") == {
        "ZL": ["voorop in de sanering: 25% van 4 spoedlocaties afgehandeld, landelijk 12%"]
    }
    # 2014: ZL 100 % against 50 %; UT's second answer; GR's success.
    assert _koplopers(client, "2014-12-31") == {
        "GR": ["vernieuwer: 1 succes gemeld"],
        "UT": ["actieve beantwoorder: 2 antwoorden op vragen uit het veld"],
        "ZL": ["voorop in de sanering: 100% van 4 spoedlocaties afgehandeld, landelijk 50%"],
    }
    # Before anything was dealt with, answered twice or reported: nobody.
    assert _koplopers(client, "2010-12-31") == {}


def test_a_peildatum_in_the_future_is_refused_naming_it(api: tuple[TestClient, Engine]) -> None:
    client, _ = api
    response = client.get("/v1/koplopers?peildatum=2999-01-01", headers=ZL)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [p["name"] for p in response.json()["invalidParams"]] == ["query.peildatum"]
