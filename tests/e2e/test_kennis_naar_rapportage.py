"""A question flow on the knowledge platform reaches rapportage's transition indicators over
real Kafka, and the auditor recomputes the indicator report from the kennis log."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from auditor import export, replay, verify
from auditor.cli import main as audit
from services.kennis.bootstrap import VERSIONS as KENNIS_VERSIONS
from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared.auth import Rol
from shared.integriteit import laad_publieke_sleutel, nieuwe_sleutel
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, postgres_database
from tests.support.locaties import SECRET, token
from tests.support.rapportage import RAPPORTAGE_VERSIONS

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
ZL = token(Rol.BEVOEGD_GEZAG, "ZL")
UT = token(Rol.BEVOEGD_GEZAG, "UT")
AUDITOR = token(Rol.AUDITOR, None)


@pytest.fixture
def databases() -> Iterator[tuple[Engine, Engine]]:
    with ExitStack() as stack:
        yield (
            stack.enter_context(postgres_database([KENNIS_VERSIONS])),
            stack.enter_context(postgres_database(RAPPORTAGE_VERSIONS)),
        )


def test_ask_answer_accept_reaches_the_transition_indicators(
    databases: tuple[Engine, Engine], tmp_path: Path
) -> None:
    kennis_db, rapportage_db = databases
    kennis_topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    locaties_topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    url = lambda e: e.url.render_as_string(hide_password=False)  # noqa: E731
    prive, publiek = nieuwe_sleutel()
    (tmp_path / "anker.pem").write_bytes(prive)
    kennis_cfg = KennisSettings(
        database_url=url(kennis_db),
        jwt_secret=SECRET,
        kafka_bootstrap=KAFKA_BOOTSTRAP,
        kennis_topic=kennis_topic,
        anker_elke=3,
        anker_sleutel=str(tmp_path / "anker.pem"),
    )
    rapportage_cfg = RapportageSettings(
        database_url=url(rapportage_db),
        jwt_secret=SECRET,
        kafka_bootstrap=KAFKA_BOOTSTRAP,
        kennis_topic=kennis_topic,
        spoedlocaties_topic=locaties_topic,
        consumer_group="tr",
    )
    vandaag = datetime.now(UTC).date().isoformat()
    with (
        TestClient(kennis_app(kennis_cfg)) as kennis,
        TestClient(rapportage_app(rapportage_cfg)) as rapportage,
    ):
        vraag = kennis.post(
            "/v1/kennisvragen",
            headers=ZL,
            json={
                "titel": "WKO in een grondwaterpluim",
                "tekst": "Mag dat, en onder welke regels?",
                "themas": ["bodemenergie-wko"],
            },
        ).json()
        vraag_url = f"/v1/kennisvragen/{vraag['vraagId']}"
        antwoord = kennis.post(
            f"{vraag_url}/antwoorden",
            headers=UT,
            json={"tekst": "Ja, als de pluim beheerst blijft."},
        ).json()
        kennis.post(
            f"{vraag_url}/acceptaties",
            headers=ZL,
            json={"antwoordId": antwoord["antwoorden"][0]["antwoordId"]},
        )
        kennis.post(
            "/v1/kennisvragen",
            headers=UT,
            json={
                "titel": "Financiering na 2020",
                "tekst": "Wie betaalt de nazorg?",
                "themas": ["financiering"],
            },
        )
        succes = kennis.post(
            "/v1/successen",
            headers=ZL,
            json={
                "titel": "Eén beheerplan",
                "verhaal": "Voor de hele binnenstad.",
                "themas": ["gebiedsgericht-grondwaterbeheer"],
            },
        )
        assert succes.status_code == 201

        deadline = time.monotonic() + 60
        while True:
            rapport = rapportage.get(
                "/v1/rapportages/transitie", headers=AUDITOR, params={"peildatum": vandaag}
            ).json()
            # Wait for an anchor too: the report then binds a signed anchor of the kennis log.
            if rapport["positie"] >= 5 and rapport["logboeken"]["kennis"]["anker"]:
                break
            assert time.monotonic() < deadline, rapport
            time.sleep(0.3)
    s = rapport["inhoud"]["samenvatting"]
    assert (s["gesteld"], s["beantwoord"], s["open"], s["antwoorden"]) == (2, 1, 1, 1)
    assert s["medianeDagenTotAcceptatie"] is not None
    assert rapport["inhoud"]["perThema"]["bodemenergie-wko"] == {"gesteld": 1, "beantwoord": 1}
    assert rapport["inhoud"]["successen"] == {"aantal": 1, "perOrganisatie": {"ZL": 1}}
    deelname = {r["organisatie"]: r for r in rapport["inhoud"]["deelname"]}
    assert deelname["ZL"]["gesteld"] == 1 and deelname["UT"]["antwoorden"] == 1

    log = export.uit_kafka(KAFKA_BOOTSTRAP, kennis_topic, toon=False)
    # The knowledge log is sealed and its anchors signed with the deployment's key too.
    uitslag = verify.controleer(log, laad_publieke_sleutel(publiek))
    assert uitslag.in_orde and uitslag.ondertekend >= 1, uitslag.bevindingen
    opnieuw = replay.herspeel(log, "transitie", datetime.now(UTC).date(), rapport["positie"])
    assert opnieuw.digest == rapport["digest"]
    # The report as served binds the kennis log: the auditor checks it against that log.
    (tmp_path / "anker.pub.pem").write_bytes(publiek)
    (tmp_path / "rapport.json").write_text(json.dumps(rapport))
    with (tmp_path / "kennis.jsonl").open("w") as fh:
        export.schrijf(log, fh)
    publicatie = ["replay", str(tmp_path / "kennis.jsonl"), "--publicatie"]
    sleutel = ["--publieke-sleutel", str(tmp_path / "anker.pub.pem"), "--stil"]
    assert audit([*publicatie, str(tmp_path / "rapport.json"), *sleutel]) == 0
    rapport["logboeken"]["kennis"]["hash"] = "0" * 64
    (tmp_path / "ander.json").write_text(json.dumps(rapport))
    assert audit([*publicatie, str(tmp_path / "ander.json"), *sleutel]) == 1
