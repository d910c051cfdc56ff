"""People in the APIs of locaties and kennis: events and feeds carry pseudonyms only, reads
show the person store's details, the programme erases, and reads then say "verwijderd"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from shared.auth import Rol, mint_dev_token
from shared.eventstore.tables import events
from shared.privacy import is_pseudoniem
from shared.privacy.tables import personen
from tests.support.locaties import NIEUW, SECRET, locaties_client, verzegeld

GEHEIM = "ab" * 32


def _token(sub: str, rol: Rol = Rol.BEVOEGD_GEZAG, org: str | None = "ZH") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_dev_token(SECRET, sub, rol, org)}"}


UP = _token("programma@bodemregie.nl", Rol.UITVOERINGSPROGRAMMA, None)


def _rijen(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(events.c.data, events.c.event_metadata)))


def _aantal_personen(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(personen)).scalar_one())


@pytest.fixture
def locaties(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine, privacy_geheim=GEHEIM) as client:
        yield client


@pytest.fixture
def kennis(sql_engine: Engine) -> Iterator[TestClient]:
    cfg = KennisSettings(
        database_url=sql_engine.url.render_as_string(hide_password=False),
        jwt_secret=SECRET,
        kafka_enabled=False,
        privacy_geheim=GEHEIM,
    )
    with TestClient(kennis_app(cfg)) as client:
        yield client


def test_locaties_events_and_feed_name_the_actor_by_pseudonym_only(
    locaties: TestClient, sql_engine: Engine
) -> None:
    ambtenaar = _token("ambtenaar@zh.nl")
    assert locaties.get("/v1/gebeurtenissen", headers=ambtenaar).status_code == 200
    assert _aantal_personen(sql_engine) == 0  # a read stores nobody
    assert locaties.post("/v1/spoedlocaties", json=NIEUW, headers=ambtenaar).status_code == 201
    verzegeld(locaties)
    feed = locaties.get("/v1/gebeurtenissen", headers=ambtenaar).json()["gebeurtenissen"]
    actor = feed[0]["actor"]
    assert is_pseudoniem(actor)
    assert "@" not in json.dumps(feed)
    assert "@" not in json.dumps([dict(r._mapping) for r in _rijen(sql_engine)], default=str)

    persoon = locaties.get(f"/v1/personen/{actor}", headers=UP)
    assert persoon.json() == {
        "pseudoniem": actor,
        "login": "ambtenaar@zh.nl",
        "verwijderd": False,
        "verwijderdOp": None,
    }
    assert locaties.get(f"/v1/personen/{actor}", headers=ambtenaar).status_code == 403
    assert locaties.delete(f"/v1/personen/{actor}", headers=ambtenaar).status_code == 403
    assert locaties.delete(f"/v1/personen/{actor}", headers=UP).status_code == 204
    na = locaties.get(f"/v1/personen/{actor}", headers=UP)
    assert na.status_code == 410 and "vergeten op" in na.json()["detail"]
    assert locaties.delete(f"/v1/personen/{actor}", headers=UP).status_code == 204
    # The same official acting again is a new person; the old events keep the old pseudonym.
    locaties.post("/v1/spoedlocaties", json=NIEUW, headers=ambtenaar)
    verzegeld(locaties)
    feed = locaties.get("/v1/gebeurtenissen", headers=ambtenaar).json()["gebeurtenissen"]
    assert feed[0]["actor"] == actor and feed[-1]["actor"] not in (actor, "")


def test_erasure_by_login_and_refusals(locaties: TestClient, sql_engine: Engine) -> None:
    locaties.post("/v1/spoedlocaties", json=NIEUW, headers=_token("Wim@ZH.nl"))
    onbekend = f"prs-{'0' * 8}-0000-0000-0000-{'0' * 12}"
    assert locaties.get(f"/v1/personen/{onbekend}", headers=UP).status_code == 404
    assert locaties.delete(f"/v1/personen/{onbekend}", headers=UP).status_code == 404
    fout = locaties.get("/v1/personen/wim@zh.nl", headers=UP)
    assert fout.status_code == 400 and fout.headers["content-type"].startswith(
        "application/problem+json"
    )
    for body in ({}, {"persoon": ""}, {"persoon": "x", "extra": 1}):
        assert locaties.post("/v1/vergeetverzoeken", json=body, headers=UP).status_code == 400
    niemand = {"persoon": "niemand@zh.nl"}
    assert locaties.post("/v1/vergeetverzoeken", json=niemand, headers=UP).status_code == 404
    verzoek = locaties.post("/v1/vergeetverzoeken", json={"persoon": "wim@zh.nl"}, headers=UP)
    assert verzoek.status_code == 201, verzoek.text
    assert verzoek.json()["login"] == "verwijderd"
    assert verzoek.headers["Location"] == f"/v1/personen/{verzoek.json()['pseudoniem']}"
    again = locaties.post("/v1/vergeetverzoeken", json={"persoon": "wim@zh.nl"}, headers=UP)
    assert again.status_code == 404  # the lookup is gone with the key


VRAAG = {"titel": "WKO in een pluim", "tekst": "Mag dat?", "themas": ["bodemenergie-wko"]}


def test_kennis_compares_pseudonyms_and_shows_verwijderd_after_erasure(
    kennis: TestClient, sql_engine: Engine
) -> None:
    # Rijk has no organisation: only the asker themself may accept, recognised by pseudonym.
    vrager = _token("vrager@minienw.nl", Rol.RIJK, None)
    ander = _token("ander@minienw.nl", Rol.RIJK, None)
    expert = _token("Expert@UT.nl", Rol.BEVOEGD_GEZAG, "UT")
    vraag = kennis.post("/v1/kennisvragen", json=VRAAG, headers=vrager).json()
    url = f"/v1/kennisvragen/{vraag['vraagId']}"
    # Only the programme (privacy.lees) sees the login behind a pseudonym; the asker sees theirs.
    assert is_pseudoniem(vraag["gesteldDoor"])
    assert kennis.get(url, headers=UP).json()["gesteldDoor"] == "vrager@minienw.nl"
    antwoord = kennis.post(f"{url}/antwoorden", json={"tekst": "Ja."}, headers=expert).json()
    antwoord_id = antwoord["antwoorden"][0]["antwoordId"]
    acceptatie = {"antwoordId": antwoord_id}
    assert kennis.post(f"{url}/acceptaties", json=acceptatie, headers=ander).status_code == 403
    assert kennis.post(f"{url}/acceptaties", json=acceptatie, headers=vrager).status_code == 201
    registratie = {
        "naam": "Ir. E. Xpert",
        "themas": ["bodemenergie-wko"],
        "contact": "expert@ut.nl",
    }
    geregistreerd = kennis.post("/v1/experts", json=registratie, headers=UP)
    assert geregistreerd.status_code == 201
    assert geregistreerd.json()["naam"] == "Ir. E. Xpert"
    assert (
        kennis.post(
            "/v1/experts", json={**registratie, "contact": "nee@ut.nl"}, headers=vrager
        ).status_code
        == 403
    )
    # Refused commands stored nobody: the other (refused acceptance) and the refused expert
    # are no persons; the asker, the expert (who answered) and the programme are.
    assert _aantal_personen(sql_engine) == 3
    nee = kennis.post("/v1/vergeetverzoeken", json={"persoon": "nee@ut.nl"}, headers=UP)
    assert nee.status_code == 404

    # Nothing personal in any event; the expert is the answerer, matched by pseudonym.
    assert "@" not in json.dumps([dict(r._mapping) for r in _rijen(sql_engine)], default=str)
    assert "Xpert" not in json.dumps([dict(r._mapping) for r in _rijen(sql_engine)], default=str)
    nieuw = kennis.post("/v1/kennisvragen", json=VRAAG, headers=ander).json()
    voorstel = kennis.get(f"/v1/kennisvragen/{nieuw['vraagId']}/experts", headers=ander).json()
    assert voorstel[0]["beantwoordeVergelijkbare"] == [vraag["vraagId"]]
    persoon = voorstel[0]["persoon"]

    verzoek = kennis.post("/v1/vergeetverzoeken", json={"persoon": "expert@ut.nl"}, headers=UP)
    assert verzoek.status_code == 201 and verzoek.json()["pseudoniem"] == persoon
    for gelezen in (
        kennis.get(url, headers=ander).json(),
        next(
            v
            for v in kennis.get("/v1/kennisvragen", headers=ander).json()
            if v["vraagId"] == vraag["vraagId"]
        ),
    ):
        assert gelezen["antwoorden"][0]["door"] == "verwijderd"
        assert gelezen["gesteldDoor"] == vraag["gesteldDoor"]
        assert "@" not in json.dumps(gelezen)
    als_programma = kennis.get(url, headers=UP).json()
    assert als_programma["gesteldDoor"] == "vrager@minienw.nl"
    assert als_programma["antwoorden"][0]["door"] == "verwijderd"
    (lijst,) = kennis.get("/v1/experts", headers=ander).json()
    assert (lijst["naam"], lijst["contact"], lijst["persoon"]) == (
        "verwijderd",
        "verwijderd",
        persoon,
    )
    voorstel = kennis.get(f"/v1/kennisvragen/{nieuw['vraagId']}/experts", headers=ander).json()
    assert voorstel[0]["naam"] == "verwijderd"
    assert voorstel[0]["beantwoordeVergelijkbare"] == [vraag["vraagId"]]


def test_attendance_is_given_by_login_and_kept_by_pseudonym(kennis: TestClient) -> None:
    deelnemer = _token("deelnemer@zh.nl")
    vandaag = datetime.now(UTC).date().isoformat()
    body = {"soort": "workshop", "titel": "WKO", "datum": vandaag, "themas": ["ondergrond"]}
    b = kennis.post("/v1/bijeenkomsten", json=body, headers=UP).json()
    url = f"/v1/bijeenkomsten/{b['bijeenkomstId']}"
    assert kennis.post(f"{url}/aanmeldingen", headers=deelnemer).status_code == 201
    onbekend = kennis.post(f"{url}/aanwezigheden", json={"aanwezig": ["iemand@zh.nl"]}, headers=UP)
    assert onbekend.status_code == 400 and "iemand@zh.nl" in onbekend.text
    aanwezig = kennis.post(
        f"{url}/aanwezigheden", json={"aanwezig": ["Deelnemer@ZH.nl"]}, headers=UP
    )
    assert aanwezig.status_code == 201 and aanwezig.json()["aanwezig"] == 1
    evaluatie = kennis.post(f"{url}/evaluaties", json={"score": 5}, headers=deelnemer)
    assert evaluatie.status_code == 201
    assert kennis.post(f"{url}/evaluaties", json={"score": 5}, headers=UP).status_code == 403
