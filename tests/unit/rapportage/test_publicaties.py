"""The register of publications: numbered in order, a correction names an existing one and
each is replaced once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.rapportage.domain import publicaties as p
from services.rapportage.domain.rapporten import Rapport

NU = datetime(2013, 2, 1, 9, tzinfo=UTC)
RAPPORT = Rapport("voortgang", "Landelijke voortgang", {"peildatum": "2012-12-31"}, 7, {"n": 1})


def _cmd(vervangt: int | None = None, titel: str = "Kamerbrief 2013") -> p.Publiceer:
    return p.Publiceer("voortgang", titel, date(2012, 12, 31), date(2013, 2, 1), None, vervangt)


def test_de_volgende_publicatie_krijgt_het_volgende_nummer() -> None:
    eerste = p.volgende({}, _cmd(titel="  Kamerbrief 2013 "), RAPPORT, NU)
    assert (eerste.nummer, eerste.titel, eerste.vervangt) == (1, "Kamerbrief 2013", None)
    tweede = p.volgende({1: None}, _cmd(vervangt=1), RAPPORT, NU)
    assert (tweede.nummer, tweede.vervangt) == (2, 1)
    assert tweede.kop()["digest"] == RAPPORT.digest and "inhoud" not in tweede.kop()


def test_een_publicatie_wordt_een_keer_vervangen() -> None:
    with pytest.raises(p.AlVervangen, match="al vervangen door publicatie 2"):
        p.volgende({1: None, 2: 1}, _cmd(vervangt=1), RAPPORT, NU)
    assert p.volgende({1: None, 2: 1}, _cmd(vervangt=2), RAPPORT, NU).nummer == 3


def test_vervangen_wat_niet_bestaat_of_zonder_titel_is_ongeldig() -> None:
    with pytest.raises(p.OngeldigePublicatie) as fout:
        p.volgende({1: None}, _cmd(vervangt=5), RAPPORT, NU)
    assert fout.value.veld == "vervangt"
    with pytest.raises(p.OngeldigePublicatie):
        p.volgende({}, _cmd(titel="   "), RAPPORT, NU)
