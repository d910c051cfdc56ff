"""Publishing on SQLite and PostgreSQL: a report frozen with its parameters, position, digest
and binding, numbered, recorded as a sealed event with its outbox row on the publications
topic, readable without a token in every format; a correction is a new publication naming the
one it replaces, and the difference names the late correction with its reason."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from auditor import export
from services.rapportage.adapters.publicaties import publicaties
from services.rapportage.bootstrap import processor
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app
from shared.auth import Rol
from shared.db.engine import make_session_factory
from shared.eventstore.tables import event_seals, events, outbox
from shared.messaging.consumer import ListDeadLetterSink, Record
from tests.support.infra import sqlite_database
from tests.support.locaties import NIEUW, SECRET, locaties_client, token, verzegeld

ZH = token(Rol.BEVOEGD_GEZAG, "ZH")
PROGRAMMA = token(Rol.UITVOERINGSPROGRAMMA, None)
RIJK = token(Rol.RIJK, None)
TITEL = "Kamerbrief voortgang bodemsanering 2013"
REDEN = "evaluatierapport later goedgekeurd"


class Registry:
    """A locaties service on SQLite whose sealed log is fed to rapportage as Kafka would."""

    def __init__(self, api: TestClient) -> None:
        self.api = api
        self.gelezen = 0

    def log(self) -> list[dict[str, Any]]:
        verzegeld(self.api)
        return export.uit_api("", ZH["Authorization"].split()[1], toon=False, client=self.api)

    def voer(self, sessions: Any) -> None:
        nieuw = [e for e in self.log() if int(e["position"]) > self.gelezen]
        proc = processor(RapportageSettings(), sessions, ListDeadLetterSink())
        proc.process(
            [Record("t", 0, int(e["position"]) - 1, b"k", json.dumps(e).encode()) for e in nieuw]
        )
        self.gelezen = max([self.gelezen, *(int(e["position"]) for e in nieuw)])


def _gesaneerd(api: TestClient) -> str:
    lid = str(api.post("/v1/spoedlocaties", json=NIEUW, headers=ZH).json()["locatieId"])
    stappen: list[tuple[str, dict[str, Any]]] = [
        ("statuswijzigingen", {"naar": "onderzocht", "besluitdatum": "2010-06-01"}),
        ("statuswijzigingen", {"naar": "ernstig-spoed", "besluitdatum": "2010-09-01"}),
        (
            "risicobeoordelingen",
            {
                "risicotype": "humaan",
                "vastgesteld": True,
                "criteria": ["ingestie-grond"],
                "beoordelingsdatum": "2010-09-01",
            },
        ),
        ("statuswijzigingen", {"naar": "saneringsplan", "besluitdatum": "2011-03-01"}),
        ("statuswijzigingen", {"naar": "sanering-gestart", "besluitdatum": "2011-09-01"}),
        ("statuswijzigingen", {"naar": "gesaneerd", "besluitdatum": "2012-11-30"}),
    ]
    for versie, (pad, body) in enumerate(stappen, start=1):
        r = api.post(
            f"/v1/spoedlocaties/{lid}/{pad}", json=body, headers={**ZH, "If-Match": f'"{versie}"'}
        )
        assert r.status_code == 201, r.text
    return lid


@contextmanager
def _rapportage(engine: Engine) -> Iterator[TestClient]:
    settings = RapportageSettings(
        database_url=engine.url.render_as_string(hide_password=False),
        jwt_secret=SECRET,
        kafka_enabled=False,
        tijdlijnen_momentopname="uit",
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _aantal(engine: Engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (events, outbox, publicaties)
        )


def test_publishing_at_once_takes_each_number_once(sql_engine: Engine) -> None:
    """Eight publish at the same moment: each answer is a 201 with its own number or a 409
    (publish again), and the register holds exactly the numbers answered, each with its event."""
    with _rapportage(sql_engine) as rapportage:
        aanvraag = {"rapport": "voortgang", "titel": TITEL, "peildatum": "2012-12-31"}
        rapportage.post("/v1/publicaties", json=aanvraag, headers=PROGRAMMA)  # warm the report

        def publiceer(_: int) -> tuple[int, int | None]:
            r = rapportage.post("/v1/publicaties", json=aanvraag, headers=PROGRAMMA)
            return r.status_code, r.json().get("nummer")

        with ThreadPoolExecutor(8) as pool:
            antwoorden = list(pool.map(publiceer, range(8)))
    assert {status for status, _ in antwoorden} <= {201, 409}
    nummers = sorted(n for status, n in antwoorden if status == 201 and n is not None)
    assert nummers == list(range(2, 2 + len(nummers)))
    assert _aantal(sql_engine)[2] == len(nummers) + 1
    with sql_engine.connect() as conn:
        versies = conn.execute(
            select(events.c.version).where(events.c.stream_id == "publicaties")
        ).scalars()
        assert sorted(versies) == list(range(1, len(nummers) + 2))


def test_publish_correct_and_compare(sql_engine: Engine, tmp_path: Path) -> None:
    with (
        sqlite_database(tmp_path) as locaties_db,
        locaties_client(locaties_db) as locaties,
        _rapportage(sql_engine) as rapportage,
    ):
        sessions = make_session_factory(sql_engine)
        registry = Registry(locaties)
        lid = _gesaneerd(locaties)
        registry.voer(sessions)
        aanvraag = {"rapport": "voortgang", "titel": TITEL, "peildatum": "2012-12-31"}

        # Only the programme and the Rijk publish; a refusal stores nothing.
        voor = _aantal(sql_engine)
        assert rapportage.post("/v1/publicaties", json=aanvraag, headers=ZH).status_code == 403
        assert _aantal(sql_engine) == voor

        r = rapportage.post("/v1/publicaties", json=aanvraag, headers=PROGRAMMA)
        assert r.status_code == 201, r.text
        eerste = r.json()
        assert r.headers["Location"] == "/v1/publicaties/1" and eerste["nummer"] == 1
        assert eerste["parameters"]["kennisdatum"]  # frozen: the day it was published
        live = rapportage.get(
            "/v1/rapportages/voortgang",
            params={"peildatum": "2012-12-31", "kennisdatum": eerste["parameters"]["kennisdatum"]},
            headers=ZH,
        ).json()
        assert (eerste["digest"], eerste["positie"]) == (live["digest"], live["positie"])
        assert eerste["logboeken"] == live["logboeken"]

        # In 2014 it turned out the remediation was only completed in January 2013.
        r = locaties.post(
            f"/v1/spoedlocaties/{lid}/correcties",
            json={
                "gecorrigeerdeVersie": 7,
                "correctie": {"besluitdatum": "2013-01-10"},
                "reden": REDEN,
            },
            headers={**ZH, "If-Match": '"7"'},
        )
        assert r.status_code == 201, r.text
        registry.voer(sessions)

        # The published one did not change with it.
        openbaar = rapportage.get("/v1/publicaties/1")
        assert openbaar.status_code == 200 and "Authorization" not in openbaar.request.headers
        assert openbaar.json()["digest"] == eerste["digest"]
        assert openbaar.json()["inhoud"]["samenvatting"]["humaanAfgehandeld"] == 1
        een_inhoud = openbaar.json()["inhoud"]

        # The landing page lists it, read through the real publications route.
        landing = rapportage.get("/")
        assert landing.status_code == 200 and "Nog geen publicaties" not in landing.text
        assert TITEL in landing.text and 'href="/v1/publicaties/1"' in landing.text

        r = rapportage.post("/v1/publicaties", json={**aanvraag, "vervangt": 1}, headers=RIJK)
        assert r.status_code == 201, r.text
        tweede = r.json()
        assert (tweede["nummer"], tweede["vervangt"]) == (2, 1)
        nogmaals = rapportage.post(
            "/v1/publicaties", json={**aanvraag, "vervangt": 1}, headers=RIJK
        )
        assert nogmaals.status_code == 409 and "vervangen door publicatie 2" in nogmaals.text
        onbekend = rapportage.post(
            "/v1/publicaties", json={**aanvraag, "vervangt": 9}, headers=RIJK
        )
        assert onbekend.status_code == 400
        assert onbekend.json()["invalidParams"][0]["name"] == "body.vervangt"

        # A retry with the same Idempotency-Key is answered as the first time, published once.
        sleutel = {**PROGRAMMA, "Idempotency-Key": "kamerbrief-2013-bijlage"}
        derde = rapportage.post("/v1/publicaties", json=aanvraag, headers=sleutel)
        nog_eens = rapportage.post("/v1/publicaties", json=aanvraag, headers=sleutel)
        assert derde.status_code == nog_eens.status_code == 201
        assert nog_eens.json() == derde.json() and derde.json()["nummer"] == 3
        assert _aantal(sql_engine)[2] == 3

        lijst = rapportage.get("/v1/publicaties").json()["publicaties"]
        assert [(p["nummer"], p["vervangt"], p["vervangenDoor"]) for p in lijst] == [
            (1, None, 2),
            (2, 1, None),
            (3, None, None),
        ]

        verschil = rapportage.get("/v1/publicaties/1/verschillen/2")
        assert verschil.status_code == 200, verschil.text
        v = verschil.json()
        cijfers = {c["cijfer"]: (c["oud"], c["nieuw"]) for c in v["cijfers"]}
        assert cijfers["samenvatting.humaanAfgehandeld"] == (1, 0)
        (locatie,) = v["locaties"]
        assert locatie["locatieId"] == lid
        assert (locatie["oud"]["status"], locatie["nieuw"]["status"]) == (
            "gesaneerd",
            "sanering-gestart",
        )
        assert [(x["soort"], x["reden"]) for x in locatie["redenen"]] == [("correctie", REDEN)]
        assert rapportage.get("/v1/publicaties/1/verschillen/4").status_code == 404

        # The live report on two peildata: the (corrected) remediation is a decision in between.
        live_verschil = rapportage.get(
            "/v1/rapportages/voortgang/verschillen",
            params={"vorigePeildatum": "2012-12-31", "peildatum": "2013-12-31"},
            headers=ZH,
        )
        assert live_verschil.status_code == 200, live_verschil.text
        (locatie,) = live_verschil.json()["locaties"]
        assert [(x["soort"], x["naar"], x["datum"]) for x in locatie["redenen"]] == [
            ("nieuw-besluit", "gesaneerd", "2013-01-10")
        ]
        assert rapportage.get("/v1/rapportages/voortgang/verschillen").status_code == 401
        zonder = rapportage.get(
            "/v1/rapportages/voortgang/verschillen", params={"peildatum": "2013-12-31"}, headers=ZH
        )
        assert zonder.status_code == 400 and "vorigePeildatum" in zonder.text

        # Every format, without a token.
        xlsx = rapportage.get("/v1/publicaties/2", params={"formaat": "xlsx"})
        boek = load_workbook(io.BytesIO(xlsx.content))
        assert boek.sheetnames[1:] == ["Per status", "Doelen", "Per jaar", "Gebruikte afspraken"]
        pdf = rapportage.get("/v1/publicaties/2", headers={"Accept": "application/pdf"})
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
        html = rapportage.get("/v1/publicaties/2", params={"formaat": "html"}).text
        assert TITEL in html and "Vervangt publicatie" in html
        per_jaar = rapportage.get(
            "/v1/publicaties/2", params={"formaat": "csv", "tabel": "per-jaar"}
        )
        assert per_jaar.text.startswith("jaar,geregistreerd,afgehandeld")
        fout = rapportage.get("/v1/publicaties/2", params={"formaat": "csv", "tabel": "x"})
        assert fout.status_code == 400 and "per-status" in fout.text

        # A stored publication changed behind the service's back no longer gives its digest:
        # refused, never served.
        with sql_engine.begin() as conn:
            conn.execute(
                publicaties.update()
                .where(publicaties.c.nummer == 1)
                .values(inhoud={**een_inhoud, "samenvatting": {"humaanAfgehandeld": 0}})
            )
        geschonden = rapportage.get("/v1/publicaties/1")
        assert geschonden.status_code == 500
        assert geschonden.json()["detail"].startswith("publicatie 1: de inhoud geeft sha256:")

        # Its own log in /metrics, as locaties and kennis show theirs (Kafka off: they wait).
        metriek = rapportage.get("/metrics").text
        assert 'bodemregie_outbox_backlog{service="rapportage"} 3.0' in metriek

        # Two events on the publications' stream, each with its outbox row, sealed by the relay.
        relay = rapportage.app.state.container.relay  # type: ignore[attr-defined]
        assert relay is not None
    with sql_engine.connect() as conn:
        rijen = conn.execute(
            select(events.c.stream_id, events.c.version, events.c.event_type, outbox.c.topic)
            .join(outbox, outbox.c.position == events.c.position)
            .where(events.c.stream_id == "publicaties")
            .order_by(events.c.position)
        ).all()
        assert [tuple(r) for r in rijen] == [
            ("publicaties", 1, "rapport-gepubliceerd", "bodem.publicaties.v1"),
            ("publicaties", 2, "rapport-gepubliceerd", "bodem.publicaties.v1"),
            ("publicaties", 3, "rapport-gepubliceerd", "bodem.publicaties.v1"),
        ]
        verzegeld = conn.execute(select(func.count()).select_from(event_seals)).scalar_one()
        assert verzegeld >= 2  # the relay sealed them (and anchored on its graceful stop)
