"""Erasure (AVG art. 17) over real Kafka and PostgreSQL: after ``bodemregie privacy vergeet``
the exported logs still verify end to end and are unchanged, every report fetched before
still reproduces with the same digest, and the feed and reads show "verwijderd" for the
person; no login or e-mail address ever appears in an event, on a topic or in the feed."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from auditor import export, replay
from bodemregie.cli import main as bodemregie
from services.kennis.bootstrap import VERSIONS as KENNIS_VERSIONS
from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.locaties.bootstrap import VERSIONS as LOCATIES_VERSIONS
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared.auth import Rol, mint_dev_token
from shared.eventstore.tables import events
from shared.integriteit import nieuwe_sleutel
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, kafka_as, postgres_database
from tests.support.locaties import NIEUW, SECRET, locaties_client
from tests.support.rapportage import RAPPORTAGE_VERSIONS

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
GEHEIM = "cd" * 32
AMBTENAAR, VRAGER, EXPERT = "ambtenaar@zh.nl", "vrager@ut.nl", "Expert@WKO-advies.nl"
LOGINS = (AMBTENAAR, VRAGER, EXPERT, "programma@bodemregie.nl")
E_MAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
PEILDATUM = "2015-12-31"


def _token(sub: str, rol: Rol = Rol.BEVOEGD_GEZAG, org: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_dev_token(SECRET, sub, rol, org)}"}


ZH = _token(AMBTENAAR, org="ZH")
UT = _token(VRAGER, org="UT")
DESKUNDIGE = _token(EXPERT, org="UT")
UP = _token(LOGINS[3], Rol.UITVOERINGSPROGRAMMA)
AUDITOR = _token("auditor@rekenkamer.nl", Rol.AUDITOR)
RIJK = _token("beleid@minienw.nl", Rol.RIJK)


@pytest.fixture
def databases() -> Iterator[tuple[Engine, Engine, Engine]]:
    with ExitStack() as stack:
        yield (
            stack.enter_context(postgres_database([LOCATIES_VERSIONS])),
            stack.enter_context(postgres_database([KENNIS_VERSIONS])),
            stack.enter_context(postgres_database(RAPPORTAGE_VERSIONS)),
        )


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _laatste(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.max(events.c.position))).scalar_one())


def _geen_e_mail(wat: str, inhoud: Any) -> None:
    tekst = json.dumps(inhoud, ensure_ascii=False)
    assert not E_MAIL.findall(tekst), f"{wat}: {E_MAIL.findall(tekst)[:3]}"
    for login in LOGINS:
        assert login.lower() not in tekst.lower(), f"{wat} noemt {login}"


def _rapport(rapportage: TestClient, naam: str) -> dict[str, Any]:
    antwoord = rapportage.get(
        f"/v1/rapportages/{naam}", headers=AUDITOR, params={"peildatum": PEILDATUM}
    )
    assert antwoord.status_code == 200, antwoord.text
    rapport: dict[str, Any] = antwoord.json()
    return rapport


def _wacht(rapportage: TestClient, naam: str, positie: int) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while (rapport := _rapport(rapportage, naam))["positie"] < positie:
        assert time.monotonic() < deadline, rapport
        time.sleep(0.3)
    return rapport


def _feed(locaties: TestClient) -> list[dict[str, Any]]:
    antwoord = locaties.get("/v1/gebeurtenissen", headers=AUDITOR)
    assert antwoord.status_code == 200
    feed: list[dict[str, Any]] = antwoord.json()["gebeurtenissen"]
    return feed


def _verify(log: list[dict[str, Any]], pad: Path, sleutel: Path) -> int:
    with pad.open("w") as fh:
        export.schrijf(log, fh)
    return bodemregie(["audit", "verify", str(pad), "--publieke-sleutel", str(sleutel)])


def test_erasure_keeps_the_log_and_reports_and_removes_the_person(
    databases: tuple[Engine, Engine, Engine], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locaties_db, kennis_db, rapportage_db = databases
    l_topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    k_topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    prive, publiek = nieuwe_sleutel()
    (tmp_path / "anker.pem").write_bytes(prive)
    (tmp_path / "anker.pub.pem").write_bytes(publiek)
    gemeen: dict[str, Any] = {
        "kafka_bootstrap": KAFKA_BOOTSTRAP,
        "spoedlocaties_topic": l_topic,
        "kennis_topic": k_topic,
        "anker_elke": 3,
        "anker_sleutel": str(tmp_path / "anker.pem"),
        "privacy_geheim": GEHEIM,
    }
    rapportage_cfg = RapportageSettings(
        database_url=_url(rapportage_db),
        jwt_secret=SECRET,
        kafka_bootstrap=KAFKA_BOOTSTRAP,
        spoedlocaties_topic=l_topic,
        kennis_topic=k_topic,
        consumer_group="vergeten",
    )
    with (
        locaties_client(locaties_db, kafka_enabled=True, **gemeen) as locaties,
        TestClient(
            kennis_app(KennisSettings(database_url=_url(kennis_db), jwt_secret=SECRET, **gemeen))
        ) as kennis,
        TestClient(rapportage_app(rapportage_cfg)) as rapportage,
    ):
        # The official registers and advances two sites; the field asks, an expert answers.
        for naam in ("Gasfabriek", "Wasserij"):
            locatie = locaties.post("/v1/spoedlocaties", headers=ZH, json={**NIEUW, "naam": naam})
            assert locatie.status_code == 201, locatie.text
            status = locaties.post(
                f"/v1/spoedlocaties/{locatie.json()['locatieId']}/statuswijzigingen",
                headers={**ZH, "If-Match": '"1"'},
                json={"naar": "onderzocht", "besluitdatum": "2011-05-01"},
            )
            assert status.status_code == 201, status.text
        vraag = kennis.post(
            "/v1/kennisvragen",
            headers=UT,
            json={"titel": "WKO", "tekst": "Mag WKO in een pluim?", "themas": ["bodemenergie-wko"]},
        ).json()
        vraag_url = f"/v1/kennisvragen/{vraag['vraagId']}"
        antwoord = kennis.post(
            f"{vraag_url}/antwoorden", headers=DESKUNDIGE, json={"tekst": "Ja, beheerst."}
        ).json()
        acceptatie = kennis.post(
            f"{vraag_url}/acceptaties",
            headers=UT,
            json={"antwoordId": antwoord["antwoorden"][0]["antwoordId"]},
        )
        assert acceptatie.status_code == 201, acceptatie.text
        expert = kennis.post(
            "/v1/experts",
            headers=UP,
            json={"naam": "Ir. W. Koude", "themas": ["bodemenergie-wko"], "contact": EXPERT},
        )
        assert expert.status_code == 201 and expert.json()["naam"] == "Ir. W. Koude"
        # Only the programme (privacy.lees) sees the logins behind the pseudonyms.
        assert kennis.get(vraag_url, headers=UP).json()["antwoorden"][0]["door"] == (EXPERT.lower())
        for wie in (UT, AUDITOR, RIJK):
            gezien = [kennis.get(vraag_url, headers=wie).json()]
            gezien.append(kennis.get("/v1/kennisvragen", headers=wie).json())
            assert "@" not in json.dumps(gezien)
            _geen_e_mail("de kennisvragen", gezien)

        voortgang = _wacht(rapportage, "voortgang", _laatste(locaties_db))
        transitie = _wacht(rapportage, "transitie", _laatste(kennis_db))
        assert voortgang["inhoud"]["samenvatting"] and transitie["inhoud"]["samenvatting"]
        feed = _feed(locaties)
        _geen_e_mail("de landelijke stroom", feed)
        ambtenaar = next(e["actor"] for e in feed if e["type"].endswith("geregistreerd"))
        logs_voor = {t: export.uit_kafka(kafka_as(), t, toon=False) for t in (l_topic, k_topic)}

        # Erasure, in both services' databases, by login, while the services run.
        monkeypatch.setenv("BODEMREGIE_PRIVACY_GEHEIM", GEHEIM)
        dbs = ["--database", _url(locaties_db), "--database", _url(kennis_db)]
        for login in (AMBTENAAR, EXPERT):
            assert bodemregie(["privacy", "vergeet", login, *dbs]) == 0
        assert bodemregie(["privacy", "vergeet", AMBTENAAR, *dbs]) == 1  # nobody left to erase

        # Reports: the same digests as before, fetched again.
        assert _rapport(rapportage, "voortgang")["digest"] == voortgang["digest"]
        assert _rapport(rapportage, "transitie")["digest"] == transitie["digest"]
        # The feed is unchanged and names a pseudonym whose person is gone (410).
        assert [e["hash"] for e in _feed(locaties)][: len(feed)] == [e["hash"] for e in feed]
        persoon = locaties.get(f"/v1/personen/{ambtenaar}", headers=UP)
        assert persoon.status_code == 410 and "vergeten op" in persoon.json()["detail"]
        # Every kennis read that showed the expert shows "verwijderd"; the asker stays.
        gelezen = kennis.get(vraag_url, headers=UP).json()
        assert gelezen["antwoorden"][0]["door"] == "verwijderd"
        assert gelezen["gesteldDoor"] == VRAGER
        voor_auditor = kennis.get(vraag_url, headers=AUDITOR).json()
        assert voor_auditor["antwoorden"][0]["door"] == "verwijderd"
        assert voor_auditor["gesteldDoor"] == vraag["gesteldDoor"]  # the pseudonym
        _geen_e_mail("een kennisvraag na vergeten", [voor_auditor])
        (lijst,) = kennis.get("/v1/experts", headers=UT).json()
        assert (lijst["naam"], lijst["contact"]) == ("verwijderd", "verwijderd")

    # The auditor: both logs, exported from Kafka after erasure, verify end to end (signed
    # anchors included), hold every event of before unchanged, and replay the reports.
    for topic, voor in logs_voor.items():
        na = export.uit_kafka(kafka_as(), topic, toon=False)
        assert na[: len(voor)] == voor
        assert _verify(na, tmp_path / f"{topic}.jsonl", tmp_path / "anker.pub.pem") == 0
        _geen_e_mail(f"topic {topic}", na)
    l_log = export.uit_kafka(kafka_as(), l_topic, toon=False)
    k_log = export.uit_kafka(kafka_as(), k_topic, toon=False)
    peildatum = date.fromisoformat(PEILDATUM)
    assert (
        replay.herspeel(l_log, "voortgang", peildatum, voortgang["positie"]).digest
        == (voortgang["digest"])
    )
    assert (
        replay.herspeel(k_log, "transitie", peildatum, transitie["positie"]).digest
        == (transitie["digest"])
    )
