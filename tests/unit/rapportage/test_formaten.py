"""Every report as the formats people open: XLSX opened with openpyxl (a sheet per table,
header row, frozen panes, typed cells), PDF rendered page by page to PNG with pdfium and its
text read back, and CSV of the table ``?tabel=`` names."""

from __future__ import annotations

import csv
import dataclasses
import io
from datetime import date, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from openpyxl import load_workbook

from services.rapportage.domain.queries import VraagRapport
from services.rapportage.domain.rapporten import NAMEN, Rapport, Tabel
from services.rapportage.entrypoints import weergave
from services.rapportage.entrypoints.weergave_pdf import als_pdf
from services.rapportage.entrypoints.weergave_xlsx import als_xlsx, bladnaam
from services.rapportage.service_layer import messagebus
from tests.unit.rapportage.test_handlers import _uow

PEILDATUM = date(2018, 1, 1)
ALLE = [*NAMEN, "transitie"]


def _rapport(naam: str) -> Rapport:
    van = date(2010, 1, 1) if naam == "kamerbrief-bijlage" else None
    return messagebus.handle(VraagRapport(naam, PEILDATUM, None, van), _uow())


@pytest.mark.parametrize("naam", ALLE)
def test_xlsx_has_every_table_on_its_own_sheet_with_typed_cells(naam: str) -> None:
    rapport = _rapport(naam)
    boek = load_workbook(io.BytesIO(als_xlsx(rapport)))
    assert len(boek.sheetnames) == len(rapport.tabellen) + 1
    over = {r[0]: r[1] for r in boek.worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert over["digest"] == rapport.digest and over["positie"] == rapport.positie
    for blad, tabel in zip(boek.worksheets[1:], rapport.tabellen, strict=True):
        assert blad.freeze_panes == "A2"
        rijen = list(blad.iter_rows(values_only=True))
        assert list(rijen[0]) == list(tabel.kolommen)
        assert len(rijen) == len(tabel.rijen) + 1
        for gelezen, rij in zip(rijen[1:], tabel.rijen, strict=True):
            for cel, waarde in zip(gelezen, rij, strict=True):
                if isinstance(waarde, bool):
                    assert cel is waarde
                elif isinstance(waarde, int | float):  # a number cell (100.0 reads back 100)
                    assert isinstance(cel, int | float) and cel == waarde
                elif isinstance(waarde, str) and weergave_datum(waarde):
                    assert isinstance(cel, datetime) and cel.date().isoformat() == waarde
                elif waarde is None:
                    assert cel is None


def weergave_datum(tekst: str) -> bool:
    try:
        date.fromisoformat(tekst)
    except ValueError:
        return False
    return len(tekst) == 10


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text() -> None:
    rapport = _rapport("deadlines")
    tabel = Tabel("Lijst: [a/b]", ["naam", "aantal"], [["=HYPERLINK(1)", 3], ["@x", -2]])
    boek = load_workbook(io.BytesIO(als_xlsx(dataclasses.replace(rapport, tabellen=[tabel]))))
    blad = boek.worksheets[1]
    assert blad.title == "Lijst   a b"
    assert blad["A2"].value == "=HYPERLINK(1)" and blad["A2"].data_type == "s"
    assert blad["B3"].value == -2
    assert bladnaam("x" * 40, {"x" * 31}) == "x" * 27 + " (2)"


@pytest.mark.parametrize("naam", ALLE)
def test_pdf_renders_as_an_annex_with_title_position_digest_and_tables(
    naam: str, tmp_path: Path
) -> None:
    rapport = _rapport(naam)
    kop = [("Publicatie", "3: Kamerbrief voortgang bodemsanering 2013")]
    document = pdfium.PdfDocument(als_pdf(rapport, kop))
    tekst = ""
    for i in range(len(document)):
        pagina = document[i]
        beeld = pagina.render(scale=1).to_pil()
        beeld.save(tmp_path / f"pagina-{i}.png")
        # Something is drawn: not a blank page.
        assert beeld.convert("L").getextrema()[0] < 128
        tekst += pagina.get_textpage().get_text_range() + "\n"
    platte = " ".join(tekst.split())
    assert "Kamerbrief voortgang bodemsanering 2013" in platte
    assert rapport.titel in platte
    assert f"positie {rapport.positie}" in platte
    assert rapport.digest.removeprefix("sha256:")[:32] in platte.replace(" ", "")
    for tabel in rapport.tabellen:
        assert tabel.titel in platte
    assert (tmp_path / "pagina-0.png").stat().st_size > 0


def test_csv_gives_the_table_named_by_tabel() -> None:
    rapport = _rapport("voortgang")
    assert [weergave.tabelnaam(t.titel) for t in rapport.tabellen] == [
        "per-status",
        "doelen",
        "per-jaar",
        "gebruikte-afspraken",
    ]
    for naam in ("per-jaar", "3"):
        tabel = weergave.kies_tabel(rapport, naam)
        assert tabel is rapport.tabellen[2]
        rijen = list(csv.reader(io.StringIO(weergave.als_csv(rapport, tabel))))
        assert rijen[0] == list(rapport.tabellen[2].kolommen)
    assert weergave.kies_tabel(rapport, None) is rapport.tabellen[0]
    assert weergave.kies_tabel(rapport, "onbekend") is None


def test_a_workbook_or_pdf_is_made_once_per_digest(monkeypatch: pytest.MonkeyPatch) -> None:
    from services.rapportage.entrypoints import weergave_xlsx
    from services.rapportage.entrypoints.formaat import Bestanden

    gemaakt: list[str] = []

    def tel(rapport: Rapport, kop: object = ()) -> bytes:
        gemaakt.append(rapport.digest)
        return rapport.digest.encode()

    monkeypatch.setattr(weergave_xlsx, "als_xlsx", tel)
    bestanden = Bestanden(bewaar=1)
    voortgang, deadlines = _rapport("voortgang"), _rapport("deadlines")
    assert bestanden.maak(voortgang, weergave.XLSX, ()) == voortgang.digest.encode()
    bestanden.maak(voortgang, weergave.XLSX, ())
    assert gemaakt == [voortgang.digest]
    bestanden.maak(deadlines, weergave.XLSX, ())  # pushes the first one out
    bestanden.maak(voortgang, weergave.XLSX, [("Publicatie", "1")])  # another heading
    assert gemaakt == [voortgang.digest, deadlines.digest, voortgang.digest]
