"""The kennis API on SQLite and PostgreSQL: the question flow, combining, and bad input."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaConsumer, TopicPartition
from sqlalchemy import Engine, func, select

from shared.auth import Rol, mint_dev_token
from shared.envelope import CloudEvent
from shared.eventstore.tables import events
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, kafka_as
from tests.support.kennis import kennis_client
from tests.support.locaties import SECRET, token

ZL = token(Rol.BEVOEGD_GEZAG, "ZL")
# Another person in another organisation: the asker is recognised by sub or organisation.
UT = {"Authorization": f"Bearer {mint_dev_token(SECRET, 'anne@ut.nl', Rol.BEVOEGD_GEZAG, 'UT')}"}
UP = token(Rol.UITVOERINGSPROGRAMMA, None)
VRAAG = {
    "titel": "WKO in verontreinigd grondwater",
    "tekst": "Mag een warmte-koudeopslag in een pluim met verontreinigd grondwater?",
    "themas": ["bodemenergie-wko", "gebiedsgericht-grondwaterbeheer"],
}


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with kennis_client(sql_engine) as client:
        yield client


def _count(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


def _stel(api: TestClient, headers: dict[str, str] = ZL, **extra: Any) -> dict[str, Any]:
    response = api.post("/v1/kennisvragen", json={**VRAAG, **extra}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_ask_answer_accept(api: TestClient) -> None:
    vraag = _stel(api)
    url = f"/v1/kennisvragen/{vraag['vraagId']}"
    antwoord = api.post(
        f"{url}/antwoorden", json={"tekst": "Ja, met een saneringsplan."}, headers=UT
    )
    assert antwoord.status_code == 201
    antwoord_id = antwoord.json()["antwoorden"][0]["antwoordId"]
    geaccepteerd = api.post(f"{url}/acceptaties", json={"antwoordId": antwoord_id}, headers=ZL)
    assert geaccepteerd.status_code == 201
    assert geaccepteerd.json()["status"] == "beantwoord"
    lijst = api.get("/v1/kennisvragen", params={"thema": "bodemenergie-wko"}, headers=UT).json()
    assert [v["status"] for v in lijst] == ["beantwoord"]


def test_bad_input_is_refused_and_stores_nothing(api: TestClient, sql_engine: Engine) -> None:
    for body in [
        {**VRAAG, "tekst": ""},
        {**VRAAG, "tekst": "   "},
        {**VRAAG, "themas": ["astrologie"]},
        {**VRAAG, "themas": []},
    ]:
        response = api.post("/v1/kennisvragen", json=body, headers=ZL)
        assert response.status_code == 400, body
        assert response.headers["content-type"] == "application/problem+json"
    assert _count(sql_engine) == 0


def test_answer_to_a_closed_question_is_409(api: TestClient, sql_engine: Engine) -> None:
    vraag = _stel(api)
    url = f"/v1/kennisvragen/{vraag['vraagId']}"
    assert (
        api.post(f"{url}/sluitingen", json={"reden": "elders beantwoord"}, headers=ZL).status_code
        == 201
    )
    voor = _count(sql_engine)
    response = api.post(f"{url}/antwoorden", json={"tekst": "te laat"}, headers=UT)
    assert response.status_code == 409
    assert _count(sql_engine) == voor


def test_only_the_asker_accepts(api: TestClient, sql_engine: Engine) -> None:
    vraag = _stel(api)
    url = f"/v1/kennisvragen/{vraag['vraagId']}"
    antwoord_id = api.post(f"{url}/antwoorden", json={"tekst": "zo"}, headers=UT).json()[
        "antwoorden"
    ][0]["antwoordId"]
    voor = _count(sql_engine)
    response = api.post(f"{url}/acceptaties", json={"antwoordId": antwoord_id}, headers=UT)
    assert response.status_code == 403
    unknown = api.post(f"{url}/acceptaties", json={"antwoordId": "an-000000000000"}, headers=ZL)
    assert unknown.status_code == 400
    assert _count(sql_engine) == voor


def test_similar_questions_and_combining_them(api: TestClient) -> None:
    a = _stel(api)
    b = _stel(
        api,
        UT,
        titel="Bodemenergie in grondwaterpluim",
        tekst="Hoe gaan anderen om met WKO in verontreinigd grondwater?",
    )
    c = _stel(
        api,
        UT,
        titel="Asbest",
        tekst="Onderzoeksstrategie voor asbest in de bodem",
        themas=["saneringstechniek"],
    )
    ranking = api.get(f"/v1/kennisvragen/{a['vraagId']}/vergelijkbare", headers=ZL).json()
    assert ranking[0]["vraagId"] == b["vraagId"]
    assert c["vraagId"] not in [r["vraagId"] for r in ranking[:1]]
    body = {
        "titel": "WKO en verontreinigd grondwater",
        "vraagIds": [a["vraagId"], b["vraagId"]],
        "aanpak": "kennisbijeenkomst in juni",
    }
    assert api.post("/v1/vraaggroepen", json=body, headers=ZL).status_code == 403
    groep = api.post("/v1/vraaggroepen", json=body, headers=UP)
    assert groep.status_code == 201
    assert (
        api.get(f"/v1/kennisvragen/{a['vraagId']}", headers=ZL).json()["groepId"]
        == groep.json()["groepId"]
    )
    onbekend = api.post(
        "/v1/vraaggroepen", json={**body, "vraagIds": [a["vraagId"], "kv-000000000000"]}, headers=UP
    )
    assert onbekend.status_code == 400


@pytest.mark.kafka
def test_the_question_flow_is_published_as_cloudevents(pg_engine: Engine) -> None:
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    with kennis_client(
        pg_engine, kafka_enabled=True, kafka_bootstrap=KAFKA_BOOTSTRAP, kennis_topic=topic
    ) as api:
        vraag = _stel(api)
        url = f"/v1/kennisvragen/{vraag['vraagId']}"
        antwoord_id = api.post(f"{url}/antwoorden", json={"tekst": "zo"}, headers=UT).json()[
            "antwoorden"
        ][0]["antwoordId"]
        api.post(f"{url}/acceptaties", json={"antwoordId": antwoord_id}, headers=ZL)
        consumer = KafkaConsumer(**kafka_as().client_options(), group_id=None)
        tps = [TopicPartition(topic, p) for p in range(3)]
        consumer.assign(tps)
        consumer.seek_to_beginning(*tps)
        seen: list[CloudEvent] = []
        deadline = time.monotonic() + 30
        while len(seen) < 3 and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                seen.extend(CloudEvent.from_json(r.value) for r in records)
        consumer.close()
    assert [e.type for e in seen] == [
        "nl.overheid.bodem.kennisvraag-gesteld",
        "nl.overheid.bodem.kennisvraag-antwoord-gegeven",
        "nl.overheid.bodem.kennisvraag-antwoord-geaccepteerd",
    ]
    assert all(e.subject == vraag["vraagId"] and e.extensions["hash"] for e in seen)


def test_documents_successes_and_dutch_search(api: TestClient) -> None:
    doc = api.post(
        "/v1/documenten",
        headers=UP,
        json={
            "soort": "handreiking",
            "titel": "Handreiking saneringen bij bodemenergie",
            "tekst": "Hoe saneringen en warmte-koudeopslag samengaan in een gebiedsplan.",
            "themas": ["bodemenergie-wko", "saneringstechniek"],
        },
    )
    assert doc.status_code == 201
    succes = api.post(
        "/v1/successen",
        headers=ZL,
        json={
            "titel": "Gebiedsgericht grondwaterbeheer in Middelburg",
            "verhaal": "Eén beheerplan voor de hele binnenstad in plaats van veertig saneringen.",
            "themas": ["gebiedsgericht-grondwaterbeheer"],
        },
    )
    assert succes.status_code == 201 and succes.json()["organisatie"] == "ZL"
    assert (
        api.post(
            "/v1/successen",
            headers=token(Rol.AUDITOR, None),
            json={"titel": "x", "verhaal": "y", "themas": ["ondergrond"]},
        ).status_code
        == 403
    )
    _stel(
        api, titel="Asbest", tekst="Onderzoek naar asbest in de bodem", themas=["saneringstechniek"]
    )

    treffers = api.get("/v1/zoeken", params={"q": "sanering"}, headers=UT).json()
    soorten = {t["soort"] for t in treffers}
    assert soorten == {"handreiking", "succes"}  # "saneringen" found by its stem
    assert treffers[0]["ref"] == doc.json()["ref"]  # title and text both match
    asbest = api.get("/v1/zoeken", params={"q": "asbestonderzoek bodem"}, headers=UT).json()
    assert asbest and asbest[0]["soort"] == "kennisvraag"
    assert api.get("/v1/zoeken", params={"q": "x"}, headers=UT).status_code == 400
    assert [
        d["titel"]
        for d in api.get("/v1/documenten", params={"thema": "bodemenergie-wko"}, headers=UT).json()
    ] == [doc.json()["titel"]]
    assert len(api.get("/v1/successen", headers=UT).json()) == 1


def test_a_meeting_with_registration_attendance_and_evaluation(
    api: TestClient, sql_engine: Engine
) -> None:
    vraag = _stel(api)
    body = {
        "soort": "workshop",
        "titel": "WKO en bodemsanering",
        "datum": "2020-06-15",
        "themas": ["bodemenergie-wko"],
        "vraagIds": [vraag["vraagId"]],
    }
    assert api.post("/v1/bijeenkomsten", json=body, headers=ZL).status_code == 403
    toekomst = api.post(
        "/v1/bijeenkomsten", headers=UP, json={**body, "datum": "2999-01-01"}
    ).json()
    url = f"/v1/bijeenkomsten/{toekomst['bijeenkomstId']}"
    assert api.post(f"{url}/aanmeldingen", headers=ZL).status_code == 201
    assert api.post(f"{url}/aanmeldingen", headers=ZL).status_code == 409  # already
    assert (
        api.post(f"{url}/aanwezigheden", headers=UP, json={"aanwezig": ["tester"]}).status_code
        == 409
    )  # not held yet

    geweest = api.post("/v1/bijeenkomsten", headers=UP, json=body).json()
    url = f"/v1/bijeenkomsten/{geweest['bijeenkomstId']}"
    assert api.post(f"{url}/aanmeldingen", headers=ZL).status_code == 409  # it is past
    voor = _count(sql_engine)
    assert (
        api.post(f"{url}/evaluaties", headers=ZL, json={"score": 4}).status_code == 403
    )  # was not there
    assert (
        api.post(
            f"{url}/aanwezigheden", headers=UP, json={"aanwezig": ["iemand-anders"]}
        ).status_code
        == 400
    )  # not registered
    assert _count(sql_engine) == voor
    assert api.post(f"{url}/evaluaties", headers=ZL, json={"score": 9}).status_code == 400
    lijst = api.get("/v1/bijeenkomsten", headers=UT).json()
    assert {b["titel"] for b in lijst} == {"WKO en bodemsanering"}
    assert api.post("/v1/bijeenkomsten/bk-000000000000/aanmeldingen", headers=ZL).status_code == 404


def test_experts_are_suggested_for_a_question_by_theme(api: TestClient) -> None:
    vraag = _stel(api)
    for naam, themas in [
        ("Bodemenergieteam NL", ["bodemenergie-wko"]),
        ("Grondwater en WKO BV", ["bodemenergie-wko", "gebiedsgericht-grondwaterbeheer"]),
        ("Asbestkenniscentrum", ["saneringstechniek"]),
    ]:
        assert (
            api.post(
                "/v1/experts",
                headers=UP,
                json={"naam": naam, "themas": themas, "contact": "info@example.org"},
            ).status_code
            == 201
        )
    assert (
        api.post(
            "/v1/experts",
            headers=ZL,
            json={"naam": "x", "themas": ["ondergrond"], "contact": "x@y.nl"},
        ).status_code
        == 403
    )
    voorstel = api.get(f"/v1/kennisvragen/{vraag['vraagId']}/experts", headers=ZL).json()
    assert [e["naam"] for e in voorstel] == ["Grondwater en WKO BV", "Bodemenergieteam NL"]
    assert voorstel[0]["gedeeldeThemas"] == ["bodemenergie-wko", "gebiedsgericht-grondwaterbeheer"]


def test_who_answered_similar_questions_is_suggested_first(api: TestClient) -> None:
    """An expert is recognised by the contact address they log in with; their accepted answer
    to a similar question (in another region) puts them first, without a shared theme."""
    wko = {
        "Authorization": f"Bearer {mint_dev_token(SECRET, 'WKO@ut.nl', Rol.BEVOEGD_GEZAG, 'UT')}"
    }
    eerder = _stel(
        api,
        tekst="Mag een WKO-installatie in een grondwaterpluim met chloorhoudende "
        "oplosmiddelen draaien?",
    )
    url = f"/v1/kennisvragen/{eerder['vraagId']}"
    antwoord = api.post(f"{url}/antwoorden", json={"tekst": "Ja, gebiedsgericht."}, headers=wko)
    antwoord_id = antwoord.json()["antwoorden"][0]["antwoordId"]
    assert api.post(f"{url}/acceptaties", json={"antwoordId": antwoord_id}, headers=ZL).is_success
    for naam, themas, contact in [
        ("Bodemenergieteam NL", ["bodemenergie-wko"], "team@example.org"),
        ("Ingenieur Utrecht", ["ondergrond"], "wko@ut.nl"),
        ("Asbestkenniscentrum", ["saneringstechniek"], "asbest@example.org"),
    ]:
        expert = {"naam": naam, "themas": themas, "contact": contact}
        assert api.post("/v1/experts", headers=UP, json=expert).status_code == 201
    nieuw = _stel(api, headers=UT, titel="WKO en verontreinigd grondwater in Utrecht")
    voorstel = api.get(f"/v1/kennisvragen/{nieuw['vraagId']}/experts", headers=UT).json()
    assert [e["naam"] for e in voorstel] == ["Ingenieur Utrecht", "Bodemenergieteam NL"]
    assert voorstel[0]["beantwoordeVergelijkbare"] == [eerder["vraagId"]]
    assert voorstel[0]["gedeeldeThemas"] == []
    assert voorstel[1]["beantwoordeVergelijkbare"] == []


def test_nobody_speaks_for_a_bevoegd_gezag_it_is_not(api: TestClient, sql_engine: Engine) -> None:
    """The issue's cases: an unknown organisation, a rijk or auditor token claiming ZL, and the
    auditor writing at all; nothing of it is stored."""
    vraag = _stel(api)
    url = f"/v1/kennisvragen/{vraag['vraagId']}"
    antwoord_id = api.post(f"{url}/antwoorden", json={"tekst": "zo"}, headers=UT).json()[
        "antwoorden"
    ][0]["antwoordId"]
    voor = _count(sql_engine)
    succes = {"titel": "x", "verhaal": "y", "themas": ["ondergrond"]}
    xx = {"Authorization": f"Bearer {mint_dev_token(SECRET, 'x@xx.nl', Rol.BEVOEGD_GEZAG, 'XX')}"}
    assert api.post("/v1/successen", json=succes, headers=xx).status_code == 401
    for rol in (Rol.RIJK, Rol.AUDITOR):
        claimt_zl = {"Authorization": f"Bearer {mint_dev_token(SECRET, 'x', rol, 'ZL')}"}
        r = api.post(f"{url}/acceptaties", json={"antwoordId": antwoord_id}, headers=claimt_zl)
        assert r.status_code == 401 and "namens een bevoegd gezag" in r.json()["detail"]
    auditor = token(Rol.AUDITOR, None)
    document = {"soort": "tips-en-trucs", "titel": "x", "tekst": "y", "themas": ["ondergrond"]}
    for pad, body in [
        ("/v1/kennisvragen", VRAAG),
        (f"{url}/antwoorden", {"tekst": "zo"}),
        (f"{url}/sluitingen", {"reden": "klaar"}),
        ("/v1/documenten", document),
    ]:
        r = api.post(pad, json=body, headers=auditor)
        assert r.status_code == 403 and "Met de rol auditor mag je niet" in r.json()["detail"]
    assert _count(sql_engine) == voor
