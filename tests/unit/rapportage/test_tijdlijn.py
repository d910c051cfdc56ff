"""Timelines give exactly the fold's state on every peildatum, also after corrections and as
facts keep arriving."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bench.rapportage_schaal import feiten as demo_feiten
from services.rapportage.domain import feiten as f
from services.rapportage.domain.tijdlijn import Tijdlijnen

PEILDATA = [date(2009, 6, 1) + timedelta(days=97 * n) for n in range(50)]


def test_timelines_equal_the_fold_on_every_peildatum() -> None:
    alle = demo_feiten(0.3)
    # Two corrections: a decision date moved, and a later one for the same fact.
    status = next(x for x in alle if x.soort == f.STATUS and x.data["naar"] == "gesaneerd")
    later = datetime(2022, 1, 1, tzinfo=UTC)
    for n, datum in enumerate(["2016-02-01", "2016-03-01"]):
        alle.append(
            f.Feit(
                len(alle) + 1,
                status.locatie_id,
                100 + n,
                f.CORRECTIE,
                later,
                {
                    "gecorrigeerde_versie": status.versie,
                    "correctie": {"besluitdatum": datum},
                    "reden": "test",
                },
            )
        )
    helft = len(alle) // 2
    lijnen = Tijdlijnen()
    lijnen.voeg_toe(alle[:helft])
    for peildatum in PEILDATA[::7]:
        assert lijnen.op(peildatum) == f.toestand_op(alle[:helft], peildatum)
    lijnen.voeg_toe(alle[helft:])
    for peildatum in PEILDATA:
        assert lijnen.op(peildatum) == f.toestand_op(alle, peildatum), peildatum
    assert lijnen.op(date(2017, 1, 1))[status.locatie_id].afgehandeld_op == date(2016, 3, 1)
