"""Time travel and the auditor's replay: a report "as known on" an earlier date survives later
corrections, and replaying the exported Kafka log yields the digest the service issued."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from auditor import export, replay, verify
from auditor.cli import main as audit
from services.locaties.bootstrap import VERSIONS as LOCATIES_VERSIONS
from services.locaties.domain import commands
from services.locaties.service_layer import handlers
from services.locaties.service_layer.unit_of_work import SqlLocatiesUnitOfWork
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared.auth import Principal, Rol
from shared.db.engine import make_session_factory
from shared.vocabulaire import RisicoType, Status
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, kafka_as, postgres_database
from tests.support.locaties import SECRET, locaties_client, token
from tests.support.rapportage import RAPPORTAGE_VERSIONS

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
AUDITOR = token(Rol.AUDITOR, None)
ZH = handlers.Actor(Principal("ambtenaar@zh.nl", Rol.BEVOEGD_GEZAG, "ZH"))


class Klok:
    """Record time under the test's control: history registered in 2013 and corrected in 2014."""

    def __init__(self) -> None:
        self.nu = datetime(2013, 1, 15, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.nu


def _geschiedenis(engine: Engine, topic: str, klok: Klok) -> str:
    sessions = make_session_factory(engine)

    def uow() -> SqlLocatiesUnitOfWork:
        return SqlLocatiesUnitOfWork(sessions, topic=topic, clock=klok)

    locatie = handlers.handle(
        commands.RegistreerSpoedlocatie(
            "ZH", "0513", "Gasfabriek", "landbodem", ("pak",), None, date(2010, 3, 1)
        ),
        uow().namens(ZH),
    )
    lid = locatie.id
    stappen = [
        (Status.ONDERZOCHT, date(2010, 6, 1)),
        (Status.ERNSTIG_SPOED, date(2010, 9, 1)),
        (Status.SANERINGSPLAN, date(2011, 3, 1)),
        (Status.SANERING_GESTART, date(2011, 9, 1)),
        (Status.GESANEERD, date(2012, 11, 30)),
    ]
    versie = 1
    handlers.handle(
        commands.BeoordeelRisico(
            lid, versie, RisicoType.HUMAAN, True, ("ingestie-grond",), date(2010, 9, 1), ""
        ),
        uow().namens(ZH),
    )
    versie += 1
    for naar, datum in stappen:
        handlers.handle(commands.WijzigStatus(lid, versie, naar, datum, ""), uow().namens(ZH))
        versie += 1
    # In 2014 it turns out the remediation was only completed in January 2013.
    klok.nu = datetime(2014, 3, 1, 9, 0, tzinfo=UTC)
    handlers.handle(
        commands.Corrigeer(
            lid,
            versie,
            versie,
            {"besluitdatum": "2013-01-10"},
            "evaluatierapport later goedgekeurd",
        ),
        uow().namens(ZH),
    )
    return lid


@pytest.fixture
def databases() -> Iterator[tuple[Engine, Engine]]:
    with ExitStack() as stack:
        yield (
            stack.enter_context(postgres_database([LOCATIES_VERSIONS])),
            stack.enter_context(postgres_database(RAPPORTAGE_VERSIONS)),
        )


def test_what_we_told_parliament_then_and_what_we_know_now(
    databases: tuple[Engine, Engine],
    tmp_path: Path,
) -> None:
    locaties_db, rapportage_db = databases
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    lid = _geschiedenis(locaties_db, topic, Klok())
    settings = RapportageSettings(
        database_url=rapportage_db.url.render_as_string(hide_password=False),
        jwt_secret=SECRET,
        kafka_bootstrap=KAFKA_BOOTSTRAP,
        spoedlocaties_topic=topic,
        consumer_group="tijdreis",
    )
    with (
        locaties_client(
            locaties_db,
            kafka_enabled=True,
            kafka_bootstrap=KAFKA_BOOTSTRAP,
            spoedlocaties_topic=topic,
            anker_elke=4,
        ) as locaties,
        TestClient(rapportage_app(settings)) as rapportage,
    ):
        # The single site read, as known then and now.
        toen = locaties.get(
            f"/v1/spoedlocaties/{lid}",
            headers=AUDITOR,
            params={"peildatum": "2012-12-31", "kennisdatum": "2013-02-01"},
        )
        nu = locaties.get(
            f"/v1/spoedlocaties/{lid}", headers=AUDITOR, params={"peildatum": "2012-12-31"}
        )
        assert toen.json()["status"] == "gesaneerd"
        assert nu.json()["status"] == "sanering-gestart"
        assert (
            locaties.get(
                f"/v1/spoedlocaties/{lid}",
                headers=AUDITOR,
                params={"peildatum": "2013-02-01", "kennisdatum": "2013-01-01"},
            ).status_code
            == 400
        )

        deadline = time.monotonic() + 60
        while rapportage.get("/v1/rapportages", headers=AUDITOR).json()["positie"] < 9:
            assert time.monotonic() < deadline
            time.sleep(0.3)
        gemeld = rapportage.get(
            "/v1/rapportages/voortgang",
            headers=AUDITOR,
            params={"peildatum": "2012-12-31", "kennisdatum": "2013-02-01"},
        ).json()
        geweten = rapportage.get(
            "/v1/rapportages/voortgang", headers=AUDITOR, params={"peildatum": "2012-12-31"}
        ).json()
        assert gemeld["inhoud"]["samenvatting"]["humaanAfgehandeld"] == 1
        assert geweten["inhoud"]["samenvatting"]["humaanAfgehandeld"] == 0
        assert gemeld["digest"] != geweten["digest"]
        assert (
            rapportage.get(
                "/v1/rapportages/voortgang",
                headers=AUDITOR,
                params={"peildatum": "2013-03-01", "kennisdatum": "2013-02-01"},
            ).status_code
            == 400
        )

    # The auditor exports the topic and recomputes both reports from the log alone.
    log = export.uit_kafka(kafka_as(), topic, toon=False)
    assert verify.controleer(log).in_orde
    for rapport, kennisdatum in ((gemeld, date(2013, 2, 1)), (geweten, None)):
        opnieuw = replay.herspeel(
            log, "voortgang", date(2012, 12, 31), rapport["positie"], kennisdatum
        )
        assert opnieuw.digest == rapport["digest"]
    bestand = tmp_path / "log.jsonl"
    with bestand.open("w") as fh:
        export.schrijf(log, fh)
    assert (
        audit(
            [
                "replay",
                str(bestand),
                "--rapport",
                "voortgang",
                "--peildatum",
                "2012-12-31",
                "--kennisdatum",
                "2013-02-01",
                "--positie",
                str(gemeld["positie"]),
                "--digest",
                gemeld["digest"],
                "--stil",
            ]
        )
        == 0
    )
    assert (
        audit(
            [
                "replay",
                str(bestand),
                "--rapport",
                "voortgang",
                "--peildatum",
                "2012-12-31",
                "--positie",
                str(gemeld["positie"]),
                "--digest",
                gemeld["digest"],
                "--stil",
            ]
        )
        == 1
    )
