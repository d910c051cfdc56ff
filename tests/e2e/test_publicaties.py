"""Publications end to end on Kafka and PostgreSQL, every service logged in as its own
principal: the registry's events reach rapportage over Kafka, the programme publishes a
Kamerbrief's report, a late correction is registered, the Rijk publishes the corrected one
naming the first, anyone reads both without a token (JSON, XLSX, PDF) and the difference names
the correction with its reason; the publications are sealed events on their own topic, the
auditor verifies that log and recomputes each publication from the registry's log."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import ExitStack

import pypdfium2 as pdfium
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine, func, select

from auditor import export, replay, verify
from services.locaties.bootstrap import VERSIONS as LOCATIES_VERSIONS
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared.eventstore.tables import events
from shared.messaging.acls import LOCATIES, RAPPORTAGE, Names
from tests.integration.rapportage.test_publicaties import (
    PROGRAMMA,
    REDEN,
    RIJK,
    TITEL,
    ZH,
    _gesaneerd,
)
from tests.support.infra import (
    KAFKA_BOOTSTRAP,
    create_topic,
    kafka_as,
    login_file,
    postgres_database,
    service_grants,
)
from tests.support.kafka_read import read_topic
from tests.support.locaties import SECRET, locaties_client, verzegeld
from tests.support.rapportage import RAPPORTAGE_VERSIONS

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]


@pytest.fixture
def databases() -> Iterator[tuple[Engine, Engine]]:
    with ExitStack() as stack:
        yield (
            stack.enter_context(postgres_database([LOCATIES_VERSIONS])),
            stack.enter_context(postgres_database(RAPPORTAGE_VERSIONS)),
        )


def _tot(rapportage: TestClient, positie: int) -> None:
    deadline = time.monotonic() + 60
    while rapportage.get("/v1/rapportages", headers=ZH).json()["positie"] < positie:
        assert time.monotonic() < deadline, "rapportage did not catch up over Kafka"
        time.sleep(0.3)


def _laatste_positie(locaties: TestClient, engine: Engine) -> int:
    verzegeld(locaties)
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(events.c.position))).scalar_one())


def test_publish_correct_publish_again_and_the_diff_names_the_reason(
    databases: tuple[Engine, Engine],
) -> None:
    locaties_db, rapportage_db = databases
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    kennis_topic = create_topic(KAFKA_BOOTSTRAP, partitions=1)
    publicaties_topic = create_topic(KAFKA_BOOTSTRAP, partitions=1)
    groep = f"test-pub-{publicaties_topic.rsplit('.', 1)[-1]}"
    settings = RapportageSettings(
        database_url=rapportage_db.url.render_as_string(hide_password=False),
        jwt_secret=SECRET,
        kafka_bootstrap=KAFKA_BOOTSTRAP,
        kafka_credentials_file=login_file(RAPPORTAGE),
        spoedlocaties_topic=topic,
        kennis_topic=kennis_topic,
        publicaties_topic=publicaties_topic,
        consumer_group=groep,
    )
    names = Names(
        spoedlocaties=topic,
        kennis=kennis_topic,
        publicaties=publicaties_topic,
        rapportage_group=groep,
    )
    with (
        service_grants(names),
        locaties_client(
            locaties_db,
            kafka_enabled=True,
            kafka_bootstrap=KAFKA_BOOTSTRAP,
            kafka_credentials_file=login_file(LOCATIES),
            spoedlocaties_topic=topic,
            anker_elke=4,
        ) as locaties,
        TestClient(rapportage_app(settings)) as rapportage,
    ):
        lid = _gesaneerd(locaties)
        _tot(rapportage, _laatste_positie(locaties, locaties_db))
        aanvraag = {"rapport": "voortgang", "titel": TITEL, "peildatum": "2012-12-31"}
        eerste = rapportage.post("/v1/publicaties", json=aanvraag, headers=PROGRAMMA)
        assert eerste.status_code == 201, eerste.text

        correctie = locaties.post(
            f"/v1/spoedlocaties/{lid}/correcties",
            json={
                "gecorrigeerdeVersie": 7,
                "correctie": {"besluitdatum": "2013-01-10"},
                "reden": REDEN,
            },
            headers={**ZH, "If-Match": '"7"'},
        )
        assert correctie.status_code == 201, correctie.text
        _tot(rapportage, _laatste_positie(locaties, locaties_db))
        tweede = rapportage.post(
            "/v1/publicaties",
            json={**aanvraag, "titel": f"{TITEL} (verbeterd)", "vervangt": 1},
            headers=RIJK,
        )
        assert tweede.status_code == 201, tweede.text
        assert tweede.json()["positie"] > eerste.json()["positie"]

        # Published is public: no token for the list, each publication and the difference.
        lijst = rapportage.get("/v1/publicaties").json()["publicaties"]
        assert [(p["nummer"], p["vervangenDoor"]) for p in lijst] == [(1, 2), (2, None)]
        een = rapportage.get("/v1/publicaties/1").json()
        twee = rapportage.get("/v1/publicaties/2").json()
        assert een["digest"] == eerste.json()["digest"]
        assert een["inhoud"]["samenvatting"]["humaanAfgehandeld"] == 1
        v = rapportage.get("/v1/publicaties/1/verschillen/2").json()
        cijfers = {c["cijfer"]: (c["oud"], c["nieuw"]) for c in v["cijfers"]}
        assert cijfers["samenvatting.humaanAfgehandeld"] == (1, 0)
        (locatie,) = v["locaties"]
        (reden,) = locatie["redenen"]
        assert (locatie["locatieId"], reden["soort"], reden["reden"]) == (lid, "correctie", REDEN)
        assert reden["correctie"] == {"besluitdatum": "2013-01-10"}

        boek = load_workbook(io.BytesIO(rapportage.get("/v1/publicaties/2?formaat=xlsx").content))
        assert boek["Per status"].freeze_panes == "A2"
        pdf = pdfium.PdfDocument(rapportage.get("/v1/publicaties/2?formaat=pdf").content)
        tekst = " ".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
        assert f"{TITEL} (verbeterd)" in " ".join(tekst.split())
        pdf[0].render(scale=1).to_pil()  # a page renders to an image

    # The relay sealed both on their own topic (and anchored them when the service stopped).
    gelezen = [e for p in read_topic(KAFKA_BOOTSTRAP, publicaties_topic, 3).values() for e in p]
    gepubliceerd = [e for e in gelezen if e.type.endswith("rapport-gepubliceerd")]
    assert [(e.data["nummer"], e.data["vervangt"]) for e in gepubliceerd] == [(1, None), (2, 1)]
    assert gepubliceerd[0].data["digest"] == eerste.json()["digest"]
    assert all(e.extensions.get("hash") for e in gelezen)
    log = export.uit_kafka(kafka_as(), publicaties_topic, toon=False)
    uitslag = verify.controleer(log)
    assert uitslag.in_orde, str(uitslag.eerste)
    # Each publication, its JSON body as served, recomputed by the auditor from the registry's
    # log exported from Kafka: the same figures and digest at its own position.
    register = export.uit_kafka(kafka_as(), topic, toon=False)
    for publicatie in (een, twee):
        oordeel = replay.controleer_publicatie(register, publicatie)
        assert oordeel.klopt, oordeel.verschillen
