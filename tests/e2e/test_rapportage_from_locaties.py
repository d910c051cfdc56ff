"""End to end over real Kafka and PostgreSQL: commands through the locaties API, reports from
the rapportage API; a consumer killed mid-stream, a rebuild from offset 0, a poison message."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer
from sqlalchemy import Engine, func, select

from services.locaties.bootstrap import VERSIONS as LOCATIES_VERSIONS
from services.locaties.entrypoints.demo import vul
from services.rapportage.adapters.tables import bron, feiten
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from services.rapportage.entrypoints.cli import rebuild
from services.rapportage.service_layer.rapportage import Rapportage
from shared.auth import Rol
from shared.db.engine import make_session_factory
from shared.eventstore.tables import consumer_offsets, events
from shared.vocabulaire import Status
from tests.support.infra import KAFKA_BOOTSTRAP, ROOT, create_topic, kafka_as, postgres_database
from tests.support.locaties import NIEUW, SECRET, locaties_client, token
from tests.support.rapportage import RAPPORTAGE_VERSIONS

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
AUDITOR = token(Rol.AUDITOR, None)
PEILDATA = [date(2012, 12, 31), date(2015, 12, 31), date(2020, 12, 31), date(2026, 1, 1)]


def _settings(engine: Engine, topic: str, group: str) -> RapportageSettings:
    return RapportageSettings(
        database_url=engine.url.render_as_string(hide_password=False),
        jwt_secret=SECRET,
        kafka_bootstrap=KAFKA_BOOTSTRAP,
        spoedlocaties_topic=topic,
        consumer_group=group,
    )


def _wait_for(check: object, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def _digests(engine: Engine) -> dict[str, str]:
    rapportage = Rapportage(make_session_factory(engine))
    uit = {}
    for peildatum in PEILDATA:
        uit[f"voortgang {peildatum}"] = rapportage.rapport("voortgang", peildatum).digest
        uit[f"lijst {peildatum}"] = rapportage.rapport("bevoegde-gezagen", peildatum).digest
        uit[f"deadlines {peildatum}"] = rapportage.rapport("deadlines", peildatum).digest
    return uit


def _consumed(engine: Engine, group: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                select(func.coalesce(func.sum(consumer_offsets.c.next_offset), 0)).where(
                    consumer_offsets.c.consumer == group
                )
            ).scalar_one()
        )


def _watermark(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(bron.c.watermark)).scalar() or 0)


@pytest.fixture
def databases() -> Iterator[tuple[Engine, Engine, Engine]]:
    with ExitStack() as stack:
        yield (
            stack.enter_context(postgres_database([LOCATIES_VERSIONS])),
            stack.enter_context(postgres_database(RAPPORTAGE_VERSIONS)),
            stack.enter_context(postgres_database(RAPPORTAGE_VERSIONS)),
        )


def test_reports_follow_the_registry_and_survive_crashes_and_rebuilds(
    databases: tuple[Engine, Engine, Engine],
) -> None:
    locaties_db, rapportage_db, crash_db = databases
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=6)
    with locaties_client(
        locaties_db, kafka_enabled=True, kafka_bootstrap=KAFKA_BOOTSTRAP, spoedlocaties_topic=topic
    ) as locaties:
        uitkomst = vul(locaties, schaal=0.06, werkers=2, secret=SECRET, toon_voortgang=False)
        laatste = uitkomst["verzoeken"]
        counts = {
            str(s): int(
                locaties.get(
                    "/v1/spoedlocaties", params={"status": str(s)}, headers=AUDITOR
                ).headers["x-total-count"]
            )
            for s in Status
        }

        settings = _settings(rapportage_db, topic, "rapportage-e2e")
        with TestClient(rapportage_app(settings)) as rapportage:
            _wait_for(
                lambda: (
                    rapportage.get("/v1/rapportages", headers=AUDITOR).json()["positie"] == laatste
                )
            )
            voortgang = rapportage.get("/v1/rapportages/voortgang", headers=AUDITOR).json()
            assert voortgang["positie"] == laatste
            assert voortgang["inhoud"]["perStatus"] == counts
            assert voortgang["inhoud"]["samenvatting"]["geregistreerd"] == sum(counts.values())
            again = rapportage.get("/v1/rapportages/voortgang", headers=AUDITOR).json()
            assert again["digest"] == voortgang["digest"]

            # A poison message lands in the dead letters; later events are still processed.
            producer = KafkaProducer(**kafka_as().client_options())
            producer.send(topic, key=b"ZH051300001", value=b'{"specversion": "1.0"}')
            producer.flush()
            producer.close()
            nieuw = locaties.post("/v1/spoedlocaties", json=NIEUW, headers=token())
            assert nieuw.status_code == 201
            laatste += 1
            _wait_for(
                lambda: (
                    rapportage.get("/v1/rapportages", headers=AUDITOR).json()["positie"] == laatste
                )
            )
            dead = rapportage.get("/v1/onverwerkbare-gebeurtenissen", headers=AUDITOR).json()
            assert len(dead) == 1 and "missing attributes" in dead[0]["reden"]

    # Stopping locaties anchored the log: its last position is the anchor after ``laatste``.
    with locaties_db.connect() as conn:
        eind = int(conn.execute(select(func.max(events.c.position))).scalar_one())
    assert eind == laatste + 1

    # A consumer killed with SIGKILL in the middle of a batch, then restarted.
    env = {
        **os.environ,
        "BODEMREGIE_DATABASE_URL": crash_db.url.render_as_string(hide_password=False),
        "BODEMREGIE_KAFKA_BOOTSTRAP": KAFKA_BOOTSTRAP,
        "BODEMREGIE_SPOEDLOCATIES_TOPIC": topic,
        "BODEMREGIE_CONSUMER_GROUP": "rapportage-crash",
    }
    crashed = subprocess.run(
        [sys.executable, "-m", "tests.support.rapportage_proc", "--kill-after", str(laatste // 2)],
        cwd=ROOT,
        env=env,
        timeout=120,
    )
    assert crashed.returncode == -9
    verwerkt = _consumed(crash_db, "rapportage-crash")
    assert 0 < verwerkt < laatste + 1  # the poison message has an offset too
    restarted = subprocess.Popen(
        [sys.executable, "-m", "tests.support.rapportage_proc"], cwd=ROOT, env=env
    )
    try:
        _wait_for(lambda: _watermark(crash_db) == eind)
    finally:
        restarted.terminate()
        restarted.wait(30)
    reference = _digests(crash_db)

    # Rebuild from offset 0 reproduces the incrementally built read model exactly.
    with rapportage_db.connect() as conn:
        before = conn.execute(select(feiten).order_by(feiten.c.positie)).all()
    assert rebuild(_settings(rapportage_db, topic, "rapportage-e2e"), toon_voortgang=False) > 0
    with rapportage_db.connect() as conn:
        after = conn.execute(select(feiten).order_by(feiten.c.positie)).all()
    assert after == before
    assert _watermark(rapportage_db) == eind
    assert _digests(rapportage_db) == reference  # rebuilt from 0 == killed and restarted


def test_invalid_report_parameters_are_400(pg_engine: Engine) -> None:
    settings = RapportageSettings(
        database_url=pg_engine.url.render_as_string(hide_password=False),
        jwt_secret=SECRET,
        kafka_enabled=False,
    )
    with TestClient(rapportage_app(settings)) as api:
        for path, params in [
            ("voortgang", {"peildatum": "2015-02-30"}),
            ("voortgang", {"peildatum": "2999-01-01"}),
            ("voortgang", {"peildatum": "gisteren"}),
            ("bevoegde-gezagen", {"bevoegdGezag": "QQ"}),
            ("kamerbrief-bijlage", {"van": "2016-01-01", "tot": "2015-01-01"}),
            ("kamerbrief-bijlage", {}),
            ("voortgang", {"formaat": "docx"}),
            ("voortgang", {"formaat": "json", "tabel": "per-jaar"}),  # tables are for csv
        ]:
            response = api.get(f"/v1/rapportages/{path}", params=params, headers=AUDITOR)
            assert response.status_code == 400, (path, params, response.text)
            assert response.headers["content-type"] == "application/problem+json"
        assert (
            api.get(
                "/v1/rapportages/voortgang", headers={**AUDITOR, "Accept": "application/msword"}
            ).status_code
            == 406
        )
        pdf = api.get("/v1/rapportages/voortgang", headers={**AUDITOR, "Accept": "application/pdf"})
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
        csv = api.get("/v1/rapportages/voortgang", params={"formaat": "csv"}, headers=AUDITOR)
        assert csv.headers["content-type"].startswith("text/csv")
        assert csv.text.splitlines()[0] == "status,aantal"
        page = api.get(
            "/v1/rapportages/bevoegde-gezagen", headers={**AUDITOR, "Accept": "text/html"}
        )
        assert page.headers["content-type"].startswith("text/html")
        assert "<svg" in page.text and "digest" in page.text
        assert api.get("/v1/rapportages/voortgang").status_code == 401
