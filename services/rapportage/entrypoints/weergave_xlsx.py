"""A report as a workbook people open in a spreadsheet: a sheet that says what it is (title,
parameters, position, digest, the log binding), then every table on a sheet of its own, with
a header row, frozen panes under it and typed cells: numbers as numbers, dates as dates,
yes/no as booleans. Text is always text, also when it starts like a formula."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.rapportage.domain.rapporten import Rapport

DATUM = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DATUMNOTATIE = "yyyy-mm-dd"
KOP = Font(bold=True)
KOPKLEUR = PatternFill("solid", fgColor="E8EEF5")
# Sheet names: at most 31 characters, none of these (Excel refuses the workbook otherwise).
VERBODEN = re.compile(r"[\[\]:*?/\\]")


def waarde(v: Any) -> Any:
    """The cell value: dates from ISO text, lists and objects as JSON text."""
    if isinstance(v, str) and DATUM.match(v):
        try:
            return date.fromisoformat(v)
        except ValueError:
            return v
    if isinstance(v, dict | list | tuple):
        return json.dumps(v, ensure_ascii=False, default=str)
    return v


def _cel(ws: Worksheet, rij: int, kolom: int, v: Any) -> Cell:
    cel: Cell = ws.cell(row=rij, column=kolom, value=waarde(v))
    if isinstance(cel.value, str):
        cel.data_type = "s"  # never a formula, whatever the text starts with
    elif isinstance(cel.value, date):
        cel.number_format = DATUMNOTATIE
    return cel


def bladnaam(titel: str, gebruikt: set[str]) -> str:
    basis = VERBODEN.sub(" ", titel).strip()[:31] or "Tabel"
    naam, n = basis, 2
    while naam.lower() in gebruikt:
        achter = f" ({n})"
        naam, n = basis[: 31 - len(achter)] + achter, n + 1
    gebruikt.add(naam.lower())
    return naam


def _blad(ws: Worksheet, kolommen: Sequence[str], rijen: Sequence[Sequence[Any]]) -> None:
    for k, naam in enumerate(kolommen, start=1):
        cel = _cel(ws, 1, k, naam)
        cel.font, cel.fill = KOP, KOPKLEUR
    for r, rij in enumerate(rijen, start=2):
        for k, v in enumerate(rij, start=1):
            _cel(ws, r, k, v)
    ws.freeze_panes = "A2"
    for k, naam in enumerate(kolommen, start=1):
        breedste = max([len(str(naam)), *(len(str(rij[k - 1])) for rij in rijen[:200])])
        ws.column_dimensions[get_column_letter(k)].width = min(60, breedste + 2)


def over(rapport: Rapport, kop: Sequence[tuple[str, Any]] = ()) -> list[list[Any]]:
    """The rows of the first sheet: what this workbook is and what it is bound to."""
    rijen: list[list[Any]] = [[k, v] for k, v in kop]
    rijen += [["rapport", rapport.naam], ["titel", rapport.titel]]
    rijen += [[k, v] for k, v in rapport.parameters.items()]
    rijen += [["positie", rapport.positie], ["digest", rapport.digest]]
    for naam, b in rapport.logboeken.items():
        rijen.append([f"logboek {naam}: hash", b.get("hash")])
        anker = b.get("anker")
        if anker:
            rijen.append([f"logboek {naam}: anker op positie", anker.get("positie")])
    return rijen


def als_xlsx(rapport: Rapport, kop: Sequence[tuple[str, Any]] = ()) -> bytes:
    boek = Workbook()
    gebruikt: set[str] = set()
    eerste = boek.active
    assert eerste is not None
    eerste.title = bladnaam("Over dit rapport", gebruikt)
    _blad(eerste, ["gegeven", "waarde"], over(rapport, kop))
    for tabel in rapport.tabellen:
        _blad(boek.create_sheet(bladnaam(tabel.titel, gebruikt)), tabel.kolommen, tabel.rijen)
    uit = io.BytesIO()
    boek.save(uit)
    return uit.getvalue()
