"""A fair ranking: each bevoegd gezag against its own task and its own plan, not against the
national average.

"Behind" (``achter``) means, with the reason spelled out:

- **behind its own plan**: some of its confirmed sites missed a milestone their plan in force
  set before the peildatum (``planfeiten.planstatus``);
- **behind its pro-rata path**: for a goal whose deadline lies ahead, fewer of its sites of
  that goal dealt with than the share of the covenant period passed (from the start to the
  deadline) of its task on the peildatum;
- **deadline passed**: a goal's deadline has passed and sites of its group were not dealt with
  by it.

An authority without confirmed sites of a goal has no task there and cannot be behind on it.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Any

from services.rapportage.domain import prognose as pg
from services.rapportage.domain.afspraken import Afspraken
from services.rapportage.domain.feiten import Locatie
from services.rapportage.domain.planfeiten import Planstatus, planstatus


def _pct(deel: int, geheel: int) -> float | None:
    return round(Fraction(1000 * deel, geheel)) / 10 if geheel else None


def _getal(f: Fraction) -> str:
    """A fraction as the Dutch reader writes it, one decimal: 4,3."""
    return f"{round(f * 10) / 10:.1f}".replace(".", ",")


def beoordeling(
    eigen: list[Locatie], peildatum: date, afspraken: Afspraken, enveloppe: int | None = None
) -> dict[str, Any]:
    """The fair columns of one authority's row: share on schedule, budget used of the
    envelope, and whether (and why) it is behind."""
    bevestigd = [x for x in eigen if x.bevestigd]
    open_ = [x for x in bevestigd if not x.afgehandeld]
    statussen = [planstatus(x, peildatum)[0] for x in open_]
    achter_plan = statussen.count(Planstatus.ACHTER)
    redenen = []
    if achter_plan:
        redenen.append(f"{achter_plan} locatie(s) achter op de eigen planning")
    for doel in afspraken.doelen:
        groep = pg.groep(eigen, doel)
        if not groep:
            continue
        if peildatum > doel.deadline:
            niet = sum(
                1 for x in groep if not (x.afgehandeld_op and x.afgehandeld_op <= doel.deadline)
            )
            if niet:
                redenen.append(
                    f"{doel.sleutel}: deadline {doel.deadline.isoformat()} verstreken, "
                    f"{niet} van {len(groep)} niet op tijd afgehandeld"
                )
            continue
        looptijd = (doel.deadline - afspraken.start).days
        verstreken = min(max((peildatum - afspraken.start).days, 0), looptijd)
        pro_rata = Fraction(verstreken * len(groep), looptijd) if looptijd > 0 else Fraction(0)
        gedaan = sum(x.afgehandeld for x in groep)
        if gedaan < pro_rata:
            redenen.append(
                f"{doel.sleutel}: {gedaan} van {len(groep)} afgehandeld, pro rata "
                f"{_getal(pro_rata)} op weg naar {doel.deadline.isoformat()}"
            )
    budget = sum(x.budget_euro for x in eigen)
    kosten = sum(x.kosten_euro for x in eigen)
    return {
        "opSchema": statussen.count(Planstatus.OP_SCHEMA),
        "achterOpPlanning": achter_plan,
        "zonderPlanning": statussen.count(Planstatus.GEEN_PLANNING),
        "percentageOpSchema": _pct(statussen.count(Planstatus.OP_SCHEMA), len(open_)),
        "percentageBudgetBesteed": _pct(kosten, budget),
        "enveloppeEuro": enveloppe,
        "percentageEnveloppeBesteed": _pct(kosten, enveloppe) if enveloppe else None,
        "achter": bool(redenen),
        "redenen": redenen,
        "reden": "; ".join(redenen),
    }
