"""Events produced to the topic by someone other than locaties' relay, with plain kafka-python:
rapportage and kennis dead-letter every one of them, count none, and go on with the genuine
events (issue #11: the copied registration with a new site id, the next position and an
all-zero hash was counted before)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from fastapi.testclient import TestClient
from kafka import KafkaProducer
from sqlalchemy import Engine, func, select

from services.kennis.adapters.tables import k_locaties
from services.kennis.bootstrap import VERSIONS as KENNIS_VERSIONS
from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.locaties.bootstrap import VERSIONS as LOCATIES_VERSIONS
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared import integriteit
from shared.auth import Rol
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, kafka_as, postgres_database
from tests.support.locaties import NIEUW, SECRET, locaties_client, token
from tests.support.rapportage import RAPPORTAGE_VERSIONS

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
AUDITOR = token(Rol.AUDITOR, None)
ZH = token()  # the site owner: only a bevoegd gezag writes its own sites


@pytest.fixture
def databases() -> Iterator[tuple[Engine, Engine, Engine]]:
    with ExitStack() as stack:
        yield (
            stack.enter_context(postgres_database([LOCATIES_VERSIONS])),
            stack.enter_context(postgres_database(RAPPORTAGE_VERSIONS)),
            stack.enter_context(postgres_database([KENNIS_VERSIONS])),
        )


def _wait_for(check: Callable[[], bool], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.3)


def _vervalsingen(echt: dict[str, Any], volgende: int, kop: str) -> list[dict[str, Any]]:
    """Copies of a registration on the topic, each claiming the next position for a new site:
    what someone with network access to the broker can produce."""

    def kopie(locatie_id: str) -> dict[str, Any]:
        doc = json.loads(json.dumps(echt))
        doc.update(id=f"vals-{locatie_id}", subject=locatie_id, position=volgende)
        doc["data"]["locatie_id"] = locatie_id
        return doc

    def herzegeld(doc: dict[str, Any]) -> dict[str, Any]:
        return {**doc, "hash": integriteit.event_hash(doc)}

    nul_hash = {**kopie("ZH051399991"), "hash": integriteit.NUL}  # exactly the attack
    onverzegeld = {
        k: v for k, v in kopie("ZH051399992").items() if k not in integriteit.ZEGEL_VELDEN
    }
    verzonnen_prevhash = herzegeld({**kopie("ZH051399993"), "prevhash": "ab" * 32})
    verkeerde_stroom = herzegeld({**kopie("ZH051399994"), "prevhash": kop, "streamprevhash": kop})
    vreemde_bron = herzegeld(
        {
            **kopie("ZH051399995"),
            "prevhash": kop,
            "source": "urn:nld:oin:00000001003214345000:systeem:indringer",
        }
    )
    return [nul_hash, onverzegeld, verzonnen_prevhash, verkeerde_stroom, vreemde_bron]


def test_forged_unsealed_and_foreign_events_are_dead_lettered_and_never_counted(
    databases: tuple[Engine, Engine, Engine],
) -> None:
    locaties_db, rapportage_db, kennis_db = databases
    url = lambda e: e.url.render_as_string(hide_password=False)  # noqa: E731
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=6)
    rapportage_cfg = RapportageSettings(
        database_url=url(rapportage_db),
        jwt_secret=SECRET,
        kafka_bootstrap=KAFKA_BOOTSTRAP,
        spoedlocaties_topic=topic,
        kennis_topic=create_topic(KAFKA_BOOTSTRAP, partitions=1),
        consumer_group="rapportage-zegels",
    )
    kennis_cfg = KennisSettings(
        database_url=url(kennis_db),
        jwt_secret=SECRET,
        kafka_bootstrap=KAFKA_BOOTSTRAP,
        spoedlocaties_topic=topic,
        kennis_topic=create_topic(KAFKA_BOOTSTRAP, partitions=1),
    )
    with (
        locaties_client(
            locaties_db,
            kafka_enabled=True,
            kafka_bootstrap=KAFKA_BOOTSTRAP,
            spoedlocaties_topic=topic,
        ) as locaties,
        TestClient(rapportage_app(rapportage_cfg)) as rapportage,
        TestClient(kennis_app(kennis_cfg)) as kennis,
    ):

        def registreer() -> None:
            assert locaties.post("/v1/spoedlocaties", json=NIEUW, headers=ZH).status_code == 201

        def positie() -> int:
            return int(rapportage.get("/v1/rapportages", headers=AUDITOR).json()["positie"])

        def geregistreerd() -> int:
            voortgang = rapportage.get("/v1/rapportages/voortgang", headers=AUDITOR).json()
            return int(voortgang["inhoud"]["samenvatting"]["geregistreerd"])

        def bij_kennis() -> int:
            with kennis_db.connect() as conn:
                return int(conn.execute(select(func.count()).select_from(k_locaties)).scalar_one())

        for _ in range(4):
            registreer()
        _wait_for(lambda: positie() == 4 and bij_kennis() == 4)
        assert geregistreerd() == 4
        feed = locaties.get("/v1/gebeurtenissen", headers=AUDITOR).json()["gebeurtenissen"]
        echt, kop = feed[0], feed[-1]["hash"]

        # The broker refuses anonymous writers (tests/integration/test_kafka_acls.py); this is
        # the other path: a login with write rights that leaked, or a misconfigured ACL.
        producer = KafkaProducer(**kafka_as().client_options())
        vals = _vervalsingen(echt, 5, kop)
        for doc in vals:
            producer.send(topic, key=doc["subject"].encode(), value=json.dumps(doc).encode())
        producer.flush()
        producer.close()

        def dode(api: TestClient) -> list[dict[str, Any]]:
            antwoord = api.get("/v1/onverwerkbare-gebeurtenissen", headers=AUDITOR)
            assert antwoord.status_code == 200
            return list(antwoord.json())

        _wait_for(lambda: len(dode(rapportage)) == len(vals))
        _wait_for(lambda: len(dode(kennis)) == len(vals))
        assert positie() == 4 and geregistreerd() == 4 and bij_kennis() == 4  # none counted
        for api in (rapportage, kennis):
            redenen = {d["sleutel"]: d["reden"] for d in dode(api)}
            assert "zegel gebroken" in redenen["ZH051399991"]
            assert "niet verzegeld" in redenen["ZH051399992"]
            assert "prevhash wijst niet" in redenen["ZH051399993"]
            assert "streamprevhash wijst niet" in redenen["ZH051399994"]
            assert "onbekende bron" in redenen["ZH051399995"]

        # The genuine event at position 5 and those after it count as always.
        for _ in range(2):
            registreer()
        _wait_for(lambda: positie() == 6 and bij_kennis() == 6)
        assert geregistreerd() == 6
        assert len(dode(rapportage)) == len(vals) and len(dode(kennis)) == len(vals)
