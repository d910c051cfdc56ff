"""``bodemregie audit replay LOG --publicatie REPORT.json`` on a report edited by hand: a clear
answer (exit 2 "geen gepubliceerd rapport" when it is no report, exit 1 "KLOPT NIET" naming
the field when a field is wrong), never a traceback."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from auditor import export, replay
from auditor.cli import main as audit
from services.rapportage.entrypoints import weergave
from shared import ankersleutels as a
from shared import integriteit as i
from shared.auth import Rol
from tests.support.infra import sqlite_database
from tests.support.locaties import NIEUW, locaties_client, token, verzegeld

ZH = token(Rol.BEVOEGD_GEZAG, "ZH")


@dataclass(frozen=True)
class Opzet:
    map: Path
    rapport: dict[str, Any]


@pytest.fixture(scope="module")
def opzet(tmp_path_factory: pytest.TempPathFactory) -> Opzet:
    map_ = tmp_path_factory.mktemp("replay")
    prive = a.maak_paar(map_ / "sleutel")
    with (
        sqlite_database(map_) as engine,
        locaties_client(engine, anker_elke=2, anker_sleutel=str(prive)) as api,
    ):
        for _ in range(2):
            api.post("/v1/spoedlocaties", json=NIEUW, headers=ZH)
            verzegeld(api)
        log = export.uit_api("", ZH["Authorization"].split()[1], toon=False, client=api)
    assert any(e["type"].endswith(i.ANKER_TYPE) for e in log)
    with (map_ / "log.jsonl").open("w") as fh:
        export.schrijf(log, fh)
    (map_ / "jwks.json").write_text(json.dumps(a.gediend(str(prive), "").jwks()))
    laatste = max(int(e["position"]) for e in log)
    rapport = replay.herspeel(log, "voortgang", date(2030, 1, 1), laatste)
    return Opzet(map_, weergave.als_json(rapport, "/v1/rapportages/voortgang"))


def _replay(opzet: Opzet, rapport: dict[str, Any] | list[Any]) -> int:
    bestand = opzet.map / "rapport.json"
    bestand.write_text(json.dumps(rapport))
    sleutel = ["--publieke-sleutel", str(opzet.map / "jwks.json")]
    return audit(["replay", str(opzet.map / "log.jsonl"), "--publicatie", str(bestand), *sleutel])


def test_the_report_as_served_klopt(opzet: Opzet, capsys: pytest.CaptureFixture[str]) -> None:
    assert _replay(opzet, opzet.rapport) == 0
    assert "KLOPT:" in capsys.readouterr().out


def _zonder(veld: str) -> Callable[[dict[str, Any]], None]:
    return lambda r: r.pop(veld)


def _zet(veld: str, waarde: Any) -> Callable[[dict[str, Any]], None]:
    return lambda r: r.update({veld: waarde})


def _anker(waarde: Any) -> Callable[[dict[str, Any]], None]:
    return lambda r: r["logboeken"]["spoedlocaties"].update({"anker": waarde})


def _anker_veld(veld: str, waarde: Any) -> Callable[[dict[str, Any]], None]:
    return lambda r: r["logboeken"]["spoedlocaties"]["anker"].update({veld: waarde})


@pytest.mark.parametrize(
    ("bewerk", "melding"),
    [
        (_zet("positie", "twaalf"), "positie"),
        (_zet("positie", None), "positie"),
        (_zet("positie", [3]), "positie"),
        (_zet("positie", True), "positie"),
        (_zet("parameters", ["peildatum"]), "parameters"),
        (_zet("rapport", 7), "rapport"),
        (_zonder("digest"), "digest"),
    ],
)
def test_a_report_that_is_no_report_is_exit_2(
    opzet: Opzet,
    capsys: pytest.CaptureFixture[str],
    bewerk: Callable[[dict[str, Any]], None],
    melding: str,
) -> None:
    rapport = copy.deepcopy(opzet.rapport)
    bewerk(rapport)
    assert _replay(opzet, rapport) == 2
    fout = capsys.readouterr().err
    assert "geen gepubliceerd rapport" in fout and melding in fout


@pytest.mark.parametrize(
    ("bewerk", "melding"),
    [
        (_zonder("logboeken"), "bindt het logboek spoedlocaties niet"),
        (_zet("logboeken", ["spoedlocaties"]), "bindt het logboek spoedlocaties niet"),
        (_zet("logboeken", "spoedlocaties"), "bindt het logboek spoedlocaties niet"),
        (_anker("anker"), "anker"),
        (_anker(["positie", 2]), "anker"),
        (_anker(None), "noemt geen anker"),
        (_anker_veld("totEnMetPositie", "twee"), "anker"),
        (_anker_veld("merkleRoot", 5), "anker"),
        (_anker_veld("handtekening", {"x": 1}), "anker"),
        (_zet("positie", 1), "positie"),
    ],
)
def test_a_wrong_field_is_klopt_niet_naming_it(
    opzet: Opzet,
    capsys: pytest.CaptureFixture[str],
    bewerk: Callable[[dict[str, Any]], None],
    melding: str,
) -> None:
    rapport = copy.deepcopy(opzet.rapport)
    bewerk(rapport)
    assert _replay(opzet, rapport) == 1
    uit = capsys.readouterr().out
    assert "KLOPT NIET" in uit and melding in uit, uit
