"""A history with every case the timelines treat apart, and the dates the tests ask about."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bench.rapportage_schaal import feiten as demo_feiten
from services.rapportage.domain import feiten as f

PEILDATA = [date(2009, 6, 1) + timedelta(days=97 * n) for n in range(50)]
KENNISDATA = [date(2009, 8, 1) + timedelta(days=173 * n) for n in range(30)]


def _feit(alle: list[f.Feit], van: f.Feit, soort: str, op: datetime, data: dict) -> f.Feit:
    versie = max(x.versie for x in alle if x.locatie_id == van.locatie_id) + 1
    feit = f.Feit(len(alle) + 1, van.locatie_id, versie, soort, op, data)
    alle.append(feit)
    return feit


def lastige_geschiedenis() -> tuple[list[f.Feit], f.Feit]:
    """The demo history plus the awkward cases: a decision date corrected twice (recorded on
    different days), a fact dated before the site's last one, a second fact on the last date,
    and a site whose record time goes backwards (two writers' clocks apart)."""
    alle = demo_feiten(0.3)
    status = next(x for x in alle if x.soort == f.STATUS and x.data["naar"] == "gesaneerd")
    for n, datum in enumerate(["2016-02-01", "2016-03-01"]):
        correctie = {"besluitdatum": datum}
        _feit(
            alle,
            status,
            f.CORRECTIE,
            datetime(2019 + n, 5, 1, tzinfo=UTC),
            {"gecorrigeerde_versie": status.versie, "correctie": correctie, "reden": "test"},
        )
    andere = [x for x in alle if x.soort == f.GEREGISTREERD and x.locatie_id != status.locatie_id]
    laat, zelfde, scheef = andere[3], andere[10], andere[20]
    budget = {"bedrag_euro": 5000, "datum": laat.data["registratiedatum"], "bron": "x"}
    _feit(alle, laat, f.BUDGET, datetime(2021, 2, 3, tzinfo=UTC), budget)
    laatste = max(d for x in alle if x.locatie_id == zelfde.locatie_id and (d := x.datum()))
    kosten = {"bedrag_euro": 700, "datum": laatste.isoformat(), "bron": "x"}
    _feit(alle, zelfde, f.KOSTEN, datetime(2021, 6, 1, tzinfo=UTC), kosten)
    knelpunt = {"knelpunt": "financieel", "datum": scheef.data["registratiedatum"]}
    _feit(alle, scheef, f.KNELPUNT, datetime(2009, 1, 2, tzinfo=UTC), knelpunt)
    return alle, status


def paren() -> list[tuple[date, date | None]]:
    """(peildatum, kennisdatum) far apart, a few weeks apart, and on current knowledge."""
    uit: list[tuple[date, date | None]] = [
        (p, k) for k in KENNISDATA for p in PEILDATA[::3] if p <= k
    ]
    uit += [(p, p + timedelta(days=20)) for p in PEILDATA[::2]]
    return uit + [(p, None) for p in PEILDATA[::2]]
