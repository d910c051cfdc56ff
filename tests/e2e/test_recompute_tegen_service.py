"""The served reports against the independent computation: the demo played through the
locaties API, consumed by rapportage from real Kafka, exported from the topic and recomputed in
DuckDB from docs/rapportages.md; every report's content must be what the service served."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from auditor import export, verify
from auditor.recompute_duckdb import Herberekening
from services.locaties.bootstrap import VERSIONS as LOCATIES_VERSIONS
from services.locaties.entrypoints.demo import vul
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared.auth import Rol
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, postgres_database
from tests.support.locaties import SECRET, locaties_client, token
from tests.support.rapportage import RAPPORTAGE_VERSIONS

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
AUDITOR = token(Rol.AUDITOR, None)
PEILDATA = [date(2010, 12, 31), date(2013, 7, 1), date(2015, 12, 31), date(2021, 1, 1)]
RAPPORTEN = (
    "voortgang",
    "bevoegde-gezagen",
    "provincies",
    "deadlines",
    "midterm-review",
    "kamerbrief-bijlage",
)


@pytest.fixture
def databases() -> Iterator[tuple[Engine, Engine]]:
    with ExitStack() as stack:
        yield (
            stack.enter_context(postgres_database([LOCATIES_VERSIONS])),
            stack.enter_context(postgres_database(RAPPORTAGE_VERSIONS)),
        )


def test_every_served_report_is_what_duckdb_computes_from_the_exported_topic(
    databases: tuple[Engine, Engine], tmp_path: Path
) -> None:
    locaties_db, rapportage_db = databases
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    settings = RapportageSettings(
        database_url=rapportage_db.url.render_as_string(hide_password=False),
        jwt_secret=SECRET,
        kafka_bootstrap=KAFKA_BOOTSTRAP,
        spoedlocaties_topic=topic,
        consumer_group="recompute",
    )
    vandaag = datetime.now(UTC).date()
    gediend = []
    with locaties_client(
        locaties_db, kafka_enabled=True, kafka_bootstrap=KAFKA_BOOTSTRAP, spoedlocaties_topic=topic
    ) as locaties:
        laatste = vul(locaties, schaal=0.04, werkers=2, secret=SECRET, toon_voortgang=False)[
            "verzoeken"
        ]
        with TestClient(rapportage_app(settings)) as rapportage:
            deadline = time.monotonic() + 90
            while rapportage.get("/v1/rapportages", headers=AUDITOR).json()["positie"] < laatste:
                assert time.monotonic() < deadline, "rapportage did not catch up"
                time.sleep(0.3)
            for naam in RAPPORTEN:
                for peildatum in PEILDATA:
                    for kennisdatum in (None, vandaag):
                        params = {"kennisdatum": kennisdatum.isoformat()} if kennisdatum else {}
                        if naam == "kamerbrief-bijlage":
                            params |= {"van": "2010-06-01", "tot": peildatum.isoformat()}
                        else:
                            params["peildatum"] = peildatum.isoformat()
                        antwoord = rapportage.get(
                            f"/v1/rapportages/{naam}", params=params, headers=AUDITOR
                        )
                        assert antwoord.status_code == 200, antwoord.text
                        gediend.append((naam, peildatum, kennisdatum, antwoord.json()))

    log = export.uit_kafka(KAFKA_BOOTSTRAP, topic, toon=False)
    assert verify.controleer(log).in_orde
    bestand = tmp_path / "log.jsonl"
    with bestand.open("w", encoding="utf-8") as fh:
        export.schrijf(log, fh)
    herberekening = Herberekening(bestand)
    try:
        teruggedateerd = 0
        for naam, peildatum, kennisdatum, rapport in gediend:
            opnieuw = herberekening.rapport(
                naam, peildatum, kennisdatum, rapport["positie"], date(2010, 6, 1)
            )
            assert opnieuw["parameters"] == rapport["parameters"], (naam, peildatum)
            assert opnieuw["inhoud"] == rapport["inhoud"], (naam, peildatum, kennisdatum)
            if naam == "deadlines":
                teruggedateerd += rapport["inhoud"]["teruggedateerd"]["aantal"]
    finally:
        herberekening.close()
    # The demo history is put on record today, years after its decisions: all back-dated.
    assert teruggedateerd > 0
