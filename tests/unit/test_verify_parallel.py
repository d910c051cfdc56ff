"""``audit verify`` on a file in several processes finds exactly what one process finds."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auditor import export, verify
from bench.verzegeld_logboek import logboek

SLEUTEL = Ed25519PrivateKey.generate()
EVENTS = list(logboek(2_000, SLEUTEL, anker_elke=300))


def _schrijf(pad: Path, events: list[dict[str, Any]]) -> str:
    pad.write_text("".join(json.dumps(e) + "\n" for e in events))
    return str(pad)


def _gewijzigd(nummer: int) -> list[dict[str, Any]]:
    events = json.loads(json.dumps(EVENTS))
    events[nummer]["data"]["naam"] = "iets anders"
    return events


def _met(nummer: int, **velden: Any) -> list[dict[str, Any]]:
    events = json.loads(json.dumps(EVENTS))
    events[nummer].update(velden)
    return events


def _zonder(nummer: int, veld: str) -> dict[str, Any]:
    return {k: v for k, v in EVENTS[nummer].items() if k != veld}


def _vals_anker() -> list[dict[str, Any]]:
    events = json.loads(json.dumps(EVENTS))
    anker = next(e for e in events if e["type"].endswith("logboek-verankerd"))
    anker["data"]["merkleRoot"] = "0" * 64
    return events


def _anker_met(**velden: Any) -> list[dict[str, Any]]:
    events = json.loads(json.dumps(EVENTS))
    next(e for e in events if e["type"].endswith("logboek-verankerd"))["data"].update(velden)
    return events


GEVALLEN = {
    "heel": EVENTS,
    "gewijzigd": _gewijzigd(700),
    "verwijderd": EVENTS[:500] + EVENTS[501:],
    "verwisseld": [*EVENTS[:900], EVENTS[901], EVENTS[900], *EVENTS[902:]],
    "ingekort": EVENTS[:1_234],
    "ingevoegd": [*EVENTS[:800], {**EVENTS[800], "id": "ander"}, *EVENTS[800:]],
    "vals anker": _vals_anker(),
    "zonder onderwerp": [*EVENTS[:1_000], _zonder(1_000, "subject"), *EVENTS[1_001:]],
    "positie null": _met(1_000, position=None),
    "hash geen tekst": _met(1_990, hash=12345678901234567890123),
    # under an anchor: its Merkle root cannot be computed, which is a finding, not a crash
    "hash geen hex": _met(100, hash="zz" * 32),
    "anker tot geen getal": _anker_met(totEnMetPositie="veel"),
    # no UTF-8 text: its hash cannot be computed, a finding (it stopped with a traceback)
    "losse surrogaat": _met(1_500, data={"naam": "\ud800"}),
}


@pytest.mark.parametrize("geval", GEVALLEN)
def test_parallel_and_serial_find_the_same(
    geval: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pad = _schrijf(tmp_path / "log.jsonl", GEVALLEN[geval])
    monkeypatch.setattr(verify, "PARALLEL_VANAF", 0)
    parallel = verify.controleer_bestand(pad, SLEUTEL.public_key(), werkers=2)
    serieel = verify.controleer(export.lees(pad), SLEUTEL.public_key())
    assert parallel == serieel
    assert parallel.gecontroleerd == len(GEVALLEN[geval])
    # a log cut short still verifies: only a report bound to the log notices (issue #11)
    assert parallel.in_orde == (geval in ("heel", "ingekort"))
    assert parallel.ankers == serieel.ankers > 0


def test_a_line_that_is_no_json_is_named_by_its_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pad = tmp_path / "log.jsonl"
    _schrijf(pad, EVENTS[:50])
    pad.write_text(pad.read_text() + "{kapot\n")
    monkeypatch.setattr(verify, "PARALLEL_VANAF", 0)
    with pytest.raises(ValueError, match="regel 51 is geen JSON"):
        verify.controleer_bestand(str(pad), werkers=2)


def test_content_without_a_hash_is_named_as_changed(tmp_path: Path) -> None:
    pad = _schrijf(tmp_path / "log.jsonl", GEVALLEN["losse surrogaat"])
    uitslag = verify.controleer_bestand(pad)
    assert uitslag.eerste is not None
    assert (uitslag.eerste.positie, uitslag.eerste.wat) == (
        EVENTS[1_500]["position"],
        "inhoud gewijzigd: de hash klopt niet met de inhoud",
    )
