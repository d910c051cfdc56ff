"""A published report binds the log before it: the auditor takes the report exactly as served,
the log exported from Kafka and the keys the services serve, and `audit replay --publicatie`
says KLOPT only when the log up to the report's position is intact, ends in the hash the report
names and holds its anchor with a valid signature. A truncated log, an edit that changes no
figure, a consistent rewrite by someone without the key and a wrong key all fail; anchors
signed before a key rotation still verify with the served key set."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from auditor import export, replay, verify
from auditor.cli import main as audit
from services.locaties.bootstrap import VERSIONS as LOCATIES_VERSIONS
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared import ankersleutels
from shared import integriteit as i
from shared.auth import Rol
from tests.support.infra import KAFKA_BOOTSTRAP, create_topic, kafka_as, postgres_database
from tests.support.locaties import NIEUW, SECRET, locaties_client, token
from tests.support.rapportage import RAPPORTAGE_VERSIONS

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]
AUDITOR = token(Rol.AUDITOR, None)
KETEN = ["onderzocht", "ernstig-spoed", "saneringsplan", "sanering-gestart", "gesaneerd"]
PEILDATUM = "2016-12-31"


@dataclass
class Opzet:
    log: list[dict[str, Any]]
    publicatie: dict[str, Any]
    bestanden: Path
    jwks: dict[str, Any]
    oude_kid: str
    nieuwe_kid: str
    per_gezag: dict[str, Any]


def _sites(locaties: TestClient, aantal: int, gezag: str = "ZH", gemeente: str = "0513") -> None:
    eigen = token(Rol.BEVOEGD_GEZAG, gezag)  # only a site's own bevoegd gezag writes it
    for _ in range(aantal):
        locatie = locaties.post(
            "/v1/spoedlocaties",
            json={**NIEUW, "bevoegdGezag": gezag, "gemeentecode": gemeente},
            headers=eigen,
        ).json()
        for versie, naar in enumerate(KETEN, start=1):
            antwoord = locaties.post(
                f"/v1/spoedlocaties/{locatie['locatieId']}/statuswijzigingen",
                json={
                    "naar": naar,
                    "besluitdatum": f"201{versie}-01-01",
                    "toelichting": f"stap {versie}",
                },
                headers={**eigen, "If-Match": f'"{versie}"'},
            )
            assert antwoord.status_code == 201, antwoord.text


@pytest.fixture(scope="module")
def opzet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Opzet]:
    """One history over real Kafka, signed with a first key, then (after a rotation) with a
    second; rapportage consumes it all and serves the reports."""
    bestanden = tmp_path_factory.mktemp("publicatie")
    sleutels = bestanden / "ankersleutels"
    ankersleutels.maak_paar(sleutels)
    topic = create_topic(KAFKA_BOOTSTRAP, partitions=3)
    kennis_topic = create_topic(KAFKA_BOOTSTRAP, partitions=1)
    with ExitStack() as stack:
        locaties_db = stack.enter_context(postgres_database([LOCATIES_VERSIONS]))
        rapportage_db = stack.enter_context(postgres_database(RAPPORTAGE_VERSIONS))
        kafka = {"kafka_enabled": True, "kafka_bootstrap": KAFKA_BOOTSTRAP}
        with locaties_client(
            locaties_db,
            **kafka,
            spoedlocaties_topic=topic,
            anker_elke=5,
            anker_sleutel=str(sleutels / "anker.pem"),
        ) as locaties:
            _sites(locaties, 2)
        oude_kid, nieuwe_kid = ankersleutels.roteer(sleutels)
        with locaties_client(
            locaties_db,
            **kafka,
            spoedlocaties_topic=topic,
            anker_elke=5,
            anker_sleutel=str(sleutels / "anker.pem"),
            anker_oude_sleutels=str(sleutels / "oud"),
        ) as locaties:
            _sites(locaties, 2, "UH", "0344")
            jwks = locaties.get("/v1/ankersleutels").json()
        # Both stops anchored what was sealed and published that anchor: the log ends in one.
        log = export.uit_kafka(kafka_as(), topic, toon=False)
        laatste = max(int(e["position"]) for e in log)
        settings = RapportageSettings(
            database_url=rapportage_db.url.render_as_string(hide_password=False),
            jwt_secret=SECRET,
            kafka_bootstrap=KAFKA_BOOTSTRAP,
            spoedlocaties_topic=topic,
            kennis_topic=kennis_topic,
            consumer_group="publicatie",
        )
        with TestClient(rapportage_app(settings)) as rapportage:
            deadline = time.monotonic() + 60
            while rapportage.get("/v1/rapportages", headers=AUDITOR).json()["positie"] < laatste:
                assert time.monotonic() < deadline
                time.sleep(0.3)
            antwoord = rapportage.get(
                "/v1/rapportages/voortgang", headers=AUDITOR, params={"peildatum": PEILDATUM}
            )
            per_gezag = rapportage.get(
                "/v1/rapportages/bevoegde-gezagen",
                headers=AUDITOR,
                params={"peildatum": PEILDATUM, "bevoegdGezag": "UH"},
            ).json()
        # The report exactly as served, byte for byte.
        (bestanden / "rapport.json").write_bytes(antwoord.content)
        (bestanden / "jwks.json").write_text(json.dumps(jwks))
        with (bestanden / "log.jsonl").open("w") as fh:
            export.schrijf(log, fh)
        yield Opzet(log, antwoord.json(), bestanden, jwks, oude_kid, nieuwe_kid, per_gezag)


def _replay(
    opzet: Opzet,
    log: list[dict[str, Any]] | None = None,
    publicatie: dict[str, Any] | None = None,
    sleutel: str | None = None,
) -> int:
    bestand, rapport = opzet.bestanden / "log.jsonl", opzet.bestanden / "rapport.json"
    if log is not None:
        bestand = opzet.bestanden / "ander-log.jsonl"
        with bestand.open("w") as fh:
            export.schrijf(log, fh)
    if publicatie is not None:
        rapport = opzet.bestanden / "ander-rapport.json"
        rapport.write_text(json.dumps(publicatie))
    if sleutel is None:
        sleutel = str(opzet.bestanden / "jwks.json")
    met_sleutel = ["--publieke-sleutel", sleutel] if sleutel else []
    return audit(["replay", str(bestand), "--publicatie", str(rapport), *met_sleutel, "--stil"])


def _positie(opzet: Opzet) -> int:
    return int(opzet.publicatie["positie"])


def test_the_report_names_the_hash_at_its_position_and_the_latest_anchor(opzet: Opzet) -> None:
    binding = opzet.publicatie["logboeken"]["spoedlocaties"]
    positie = _positie(opzet)
    event = next(e for e in opzet.log if int(e["position"]) == positie)
    assert binding["positie"] == positie and binding["hash"] == event["hash"]
    assert binding["bron"] == event["storeid"]
    anker = binding["anker"]
    ankers = [e for e in opzet.log if e["type"].endswith(i.ANKER_TYPE)]
    laatste = max(ankers, key=lambda e: int(e["position"]))
    assert anker["positie"] == int(laatste["position"]) <= positie
    assert anker["sleutelId"] == opzet.nieuwe_kid and anker["handtekening"]


def test_the_correct_log_and_report_say_klopt(
    opzet: Opzet, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _replay(opzet) == 0
    assert "KLOPT:" in capsys.readouterr().out
    # A report restricted to one bevoegd gezag is bound and checked the same way.
    assert _replay(opzet, publicatie=opzet.per_gezag) == 0


def test_anchors_signed_before_a_rotation_verify_with_the_served_key_set(opzet: Opzet) -> None:
    assert {k["kid"] for k in opzet.jwks["keys"]} == {opzet.oude_kid, opzet.nieuwe_kid}
    ankers = [e["data"] for e in opzet.log if e["type"].endswith(i.ANKER_TYPE)]
    assert {a["sleutelId"] for a in ankers} == {opzet.oude_kid, opzet.nieuwe_kid}
    served = ankersleutels.laad(str(opzet.bestanden / "jwks.json"))
    uitslag = verify.controleer(opzet.log, served)
    assert uitslag.in_orde and uitslag.ondertekend == uitslag.ankers == len(ankers)
    # The new key alone does not verify the anchors signed before the rotation.
    alleen_nieuw = ankersleutels.Sleutelset({opzet.nieuwe_kid: served.sleutels[opzet.nieuwe_kid]})
    zonder_oud = verify.controleer(opzet.log, alleen_nieuw)
    assert zonder_oud.eerste is not None and "handtekening" in zonder_oud.eerste.wat


def test_a_log_truncated_before_the_position_fails(
    opzet: Opzet, capsys: pytest.CaptureFixture[str]
) -> None:
    ingekort = [e for e in opzet.log if int(e["position"]) < _positie(opzet) - 3]
    # On its own the truncated log verifies: only the report shows what is missing.
    assert verify.controleer(ingekort).in_orde
    assert _replay(opzet, log=ingekort) == 1
    assert "ingekort" in capsys.readouterr().out


def _zonder_gevolg(log: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An edit that changes no figure: the explanation of a status change."""
    gewijzigd = copy.deepcopy(log)
    doel = next(e for e in gewijzigd if e["type"].endswith("status-gewijzigd"))
    doel["data"]["toelichting"] = "iets anders"
    return gewijzigd


def _zelfde_cijfers(opzet: Opzet, log: list[dict[str, Any]]) -> None:
    opnieuw = replay.herspeel(log, "voortgang", date.fromisoformat(PEILDATUM), _positie(opzet))
    assert json.loads(json.dumps(opnieuw.inhoud, default=str)) == opzet.publicatie["inhoud"]


def test_an_edit_that_changes_no_figure_fails(
    opzet: Opzet, capsys: pytest.CaptureFixture[str]
) -> None:
    gewijzigd = _zonder_gevolg(opzet.log)
    _zelfde_cijfers(opzet, gewijzigd)
    assert _replay(opzet, log=gewijzigd) == 1
    assert "niet in orde" in capsys.readouterr().out


def _herschrijf(log: list[dict[str, Any]], sleutel: Any, kid: str) -> list[dict[str, Any]]:
    """A consistent rewrite by someone without the key: every hash recomputed, every anchor's
    root recomputed and signed with the forger's own key under the genuine key id."""
    uit = copy.deepcopy(log)
    stromen: dict[str, str] = {}
    vorige, root, tot = i.NUL, i.NUL, 0
    hashes: list[str] = []
    for ev in uit:
        if ev["type"].endswith(i.ANKER_TYPE):
            data = ev["data"]
            root = i.anker_root(root, hashes[tot : data["totEnMetPositie"]])
            tot = data["totEnMetPositie"]
            data.update(merkleRoot=root, handtekening=i.onderteken(sleutel, tot, root))
            data["sleutelId"] = kid
        ev["prevhash"] = vorige
        ev["streamprevhash"] = stromen.get(ev["subject"], i.NUL)
        ev["hash"] = i.event_hash(ev)
        stromen[ev["subject"]] = vorige = ev["hash"]
        hashes.append(ev["hash"])
    return uit


def test_a_consistent_rewrite_without_the_key_fails_on_the_anchor_signature(
    opzet: Opzet, capsys: pytest.CaptureFixture[str]
) -> None:
    vervalser = i.laad_privesleutel(i.nieuwe_sleutel()[0])
    herschreven = _herschrijf(_zonder_gevolg(opzet.log), vervalser, opzet.nieuwe_kid)
    assert verify.controleer(herschreven).in_orde  # without keys nothing shows
    # The forger fits the report to the rewritten log as well: binding and digest.
    publicatie = copy.deepcopy(opzet.publicatie)
    opnieuw = replay.herspeel(
        herschreven, "voortgang", date.fromisoformat(PEILDATUM), _positie(opzet)
    )
    publicatie["logboeken"] = opnieuw.logboeken
    publicatie["digest"] = opnieuw.digest
    assert publicatie["inhoud"] == json.loads(json.dumps(opnieuw.inhoud, default=str))
    assert _replay(opzet, log=herschreven, publicatie=publicatie) == 1
    uit = capsys.readouterr().out
    assert "KLOPT NIET" in uit and "handtekening" in uit
    # Left as published, the report does not match the rewritten log even without keys.
    assert _replay(opzet, log=herschreven, sleutel="") == 1
    assert "ketenhash op positie" in capsys.readouterr().out


def test_a_wrong_key_fails(opzet: Opzet, capsys: pytest.CaptureFixture[str]) -> None:
    ander = opzet.bestanden / "ander"
    ankersleutels.maak_paar(ander)
    assert _replay(opzet, sleutel=str(ander / "anker.pub.pem")) == 1
    assert "handtekening" in capsys.readouterr().out


def test_a_changed_figure_in_the_report_is_named(
    opzet: Opzet, capsys: pytest.CaptureFixture[str]
) -> None:
    publicatie = copy.deepcopy(opzet.publicatie)
    publicatie["inhoud"]["samenvatting"]["afgehandeld"] += 1
    assert _replay(opzet, publicatie=publicatie) == 1
    assert "inhoud.samenvatting.afgehandeld" in capsys.readouterr().out


def test_the_old_flags_still_work_and_verify_first(opzet: Opzet) -> None:
    def oud(bestand: Path) -> int:
        return audit(
            [
                "replay",
                str(bestand),
                "--rapport",
                "voortgang",
                "--peildatum",
                PEILDATUM,
                "--positie",
                str(_positie(opzet)),
                "--digest",
                opzet.publicatie["digest"],
                "--stil",
            ]
        )

    assert oud(opzet.bestanden / "log.jsonl") == 0
    bestand = opzet.bestanden / "zonder-gevolg.jsonl"
    with bestand.open("w") as fh:
        export.schrijf(_zonder_gevolg(opzet.log), fh)
    assert oud(bestand) == 1
