"""The auditor's second computation: every report recomputed in SQL (DuckDB) over the exported
JSON Lines, from the definitions in docs/rapportages.md alone.

It shares no report code with rapportage: the figures come from the SQL in ``auditor/sql``; this
module only loads the log, binds the parameters and wraps the JSON the SQL returns. The list of
the 42 bevoegde gezagen and the municipalities' names are reference data
(shared/bevoegde_gezagen.py, shared/gemeenten.py), not report code.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import duckdb

from shared.bevoegde_gezagen import BEVOEGDE_GEZAGEN
from shared.gemeenten import GEMEENTEN

SQL = Path(__file__).parent / "sql"
START = date(2010, 1, 1)
# Report name -> (SQL file, extra parameters).
RAPPORTEN: dict[str, tuple[str, dict[str, Any]]] = {
    "voortgang": ("voortgang.sql", {}),
    "bevoegde-gezagen": ("ranglijst.sql", {"provincie": False}),
    "provincies": ("ranglijst.sql", {"provincie": True}),
    "deadlines": ("deadlines.sql", {}),
    "midterm-review": ("midterm.sql", {}),
    "kamerbrief-bijlage": ("kamerbrief.sql", {}),
    "budget": ("budget.sql", {}),
    "transitie": ("transitie.sql", {}),
}


class Herberekening:
    """One exported log loaded into an in-memory DuckDB, ready for any report."""

    def __init__(self, pad: str | Path) -> None:
        self.db = duckdb.connect(":memory:")
        self.db.execute("SET TimeZone = 'UTC'")
        self.db.execute(
            "CREATE TEMP TABLE ruw AS SELECT json AS ev FROM read_ndjson_objects(?)", [str(pad)]
        )
        self.db.execute(
            "CREATE TEMP TABLE gezag (code VARCHAR, naam VARCHAR, soort VARCHAR, provincie VARCHAR)"
        )
        self.db.executemany(
            "INSERT INTO gezag VALUES (?, ?, ?, ?)",
            [[b.code, b.naam, str(b.soort), b.provincie] for b in BEVOEGDE_GEZAGEN],
        )
        self.db.execute("CREATE TEMP TABLE gemeente (code VARCHAR, naam VARCHAR)")
        self.db.executemany("INSERT INTO gemeente VALUES (?, ?)", list(GEMEENTEN.items()))
        for bestand in ("laden.sql", "macros.sql"):
            self.db.execute((SQL / bestand).read_text(encoding="utf-8"))
        laatste = self.db.execute("SELECT max(positie) FROM gebeurtenis").fetchone()
        self.laatste_positie = int(laatste[0]) if laatste and laatste[0] is not None else 0

    def rapport(
        self,
        naam: str,
        peildatum: date,
        kennisdatum: date | None = None,
        positie: int | None = None,
        van: date | None = None,
        vorige: date | None = None,
    ) -> dict[str, Any]:
        """The report as ``rapport``, ``parameters``, ``positie`` and ``inhoud``; ``van``: the
        annex's first day, ``vorige``: the midterm review's earlier peildatum."""
        if naam not in RAPPORTEN:
            raise ValueError(f"onbekend rapport {naam!r}; kies uit {', '.join(RAPPORTEN)}")
        bestand, extra = RAPPORTEN[naam]
        positie = self.laatste_positie if positie is None else positie
        parameters = {"peildatum": peildatum, "kennisdatum": kennisdatum, "positie": positie}
        if naam == "kamerbrief-bijlage":
            parameters["van"] = van or START
        elif naam == "midterm-review":
            parameters["van"] = vorige or START
        sql = (SQL / bestand).read_text(encoding="utf-8")
        gebruikt = {k: v for k, v in {**parameters, **extra}.items() if f"${k}" in sql}
        rij = self.db.execute(sql, gebruikt).fetchone()
        assert rij is not None
        if naam == "kamerbrief-bijlage":
            uit = {"van": (van or START).isoformat(), "tot": peildatum.isoformat()}
        else:
            uit = {"peildatum": peildatum.isoformat()}
        if naam == "midterm-review" and vorige is not None and vorige != START:
            uit["vorigePeildatum"] = vorige.isoformat()
        if kennisdatum is not None:
            uit["kennisdatum"] = kennisdatum.isoformat()
        return {
            "rapport": naam,
            "parameters": uit,
            "positie": positie,
            "inhoud": json.loads(rij[0]),
        }

    def close(self) -> None:
        self.db.close()
