"""Prognosis and feasibility of the covenant goals, from the plans and from the measured pace.

Pure functions of the sites on a peildatum (``feiten.Locatie``, plans included) and the goals
in force (``afspraken.Afspraak``: deadline, target, decision). For a goal whose deadline has not
passed, two expectations of how many sites of its group will be dealt with by the deadline, each
counting the ones dealt with already:

- **volgens planning**: plus the open sites whose plan in force has them dealt with on or
  before the deadline and which are not behind that plan (a plan already missed is no
  evidence);
- **volgens tempo**: plus the group's measured pace (sites dealt with per day over the last
  ``TEMPO_JAREN`` years before the peildatum, not before the covenant's start) times the days
  left, rounded down, at most the open sites; no figure when less than a year was measured.

The goal's target is ``ceil(doelpercentage * totaal / 100)`` sites; a method calls it feasible
when its expectation reaches the target. The verdict: "ja" when both do, "nee" when neither,
"onzeker" when they disagree or the pace is unknown; after the deadline "gehaald" or "niet
gehaald" on the sites dealt with by the deadline.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import date
from fractions import Fraction
from typing import Any

from services.rapportage.domain.afspraken import Afspraak, Afspraken
from services.rapportage.domain.feiten import Locatie
from services.rapportage.domain.planfeiten import Planstatus, planning, planstatus
from shared.bevoegde_gezagen import BEVOEGDE_GEZAGEN

TEMPO_JAREN = 3


def groep(locaties: Iterable[Locatie], doel: Afspraak) -> list[Locatie]:
    """The sites a goal counts: the confirmed ones (the humane ones for a humane goal)."""
    return [x for x in locaties if x.bevestigd and (x.humaan or not doel.humaan)]


def _jaren_terug(d: date, jaren: int) -> date:
    try:
        return d.replace(year=d.year - jaren)
    except ValueError:  # 29 February
        return d.replace(year=d.year - jaren, day=28)


def _op_tijd(x: Locatie, deadline: date) -> bool:
    return x.afgehandeld_op is not None and x.afgehandeld_op <= deadline


def tempo(lijst: list[Locatie], peildatum: date, start: date) -> Fraction | None:
    """Sites of ``lijst`` dealt with per day in the measuring window before ``peildatum``;
    None when the window (from the covenant's start at the earliest) is shorter than a year."""
    begin = max(start, _jaren_terug(peildatum, TEMPO_JAREN))
    dagen = (peildatum - begin).days
    if dagen < 365:
        return None
    gedaan = sum(1 for x in lijst if x.afgehandeld_op and begin < x.afgehandeld_op <= peildatum)
    return Fraction(gedaan, dagen)


def prognose(lijst: list[Locatie], doel: Afspraak, peildatum: date, start: date) -> dict[str, Any]:
    """One goal for one group of sites (an authority's, or the nation's) on ``peildatum``."""
    totaal = len(lijst)
    nodig = math.ceil(Fraction(doel.doelpercentage * totaal, 100))
    uit: dict[str, Any] = {
        "doel": doel.sleutel,
        "deadline": doel.deadline.isoformat(),
        "doelpercentage": doel.doelpercentage,
        "totaal": totaal,
        "nodig": nodig,
    }
    if peildatum > doel.deadline:
        gedaan = sum(_op_tijd(x, doel.deadline) for x in lijst)
        return {
            **uit,
            "afgehandeld": gedaan,
            "verwachtVolgensPlanning": gedaan,
            "verwachtVolgensTempo": gedaan,
            "tempoPerJaar": None,
            "zonderPlanning": 0,
            "haalbaarVolgensPlanning": gedaan >= nodig,
            "haalbaarVolgensTempo": gedaan >= nodig,
            "haalbaar": "gehaald" if gedaan >= nodig else "niet gehaald",
        }
    gedaan = sum(x.afgehandeld for x in lijst)
    open_ = [x for x in lijst if not x.afgehandeld]
    gepland = 0
    zonder = 0
    for x in open_:
        plan = planning(x)
        if plan is None:
            zonder += 1
        elif (
            plan.afgehandeld is not None
            and plan.afgehandeld <= doel.deadline
            and planstatus(x, peildatum)[0] is Planstatus.OP_SCHEMA
        ):
            gepland += 1
    per_dag = tempo(lijst, peildatum, start)
    volgens_tempo = (
        None
        if per_dag is None
        else gedaan + min(len(open_), math.floor(per_dag * (doel.deadline - peildatum).days))
    )
    volgens_planning = gedaan + gepland
    ja_planning = volgens_planning >= nodig
    ja_tempo = None if volgens_tempo is None else volgens_tempo >= nodig
    if ja_planning and ja_tempo:
        oordeel = "ja"
    elif not ja_planning and ja_tempo is False:
        oordeel = "nee"
    else:
        oordeel = "onzeker"
    return {
        **uit,
        "afgehandeld": gedaan,
        "verwachtVolgensPlanning": volgens_planning,
        "verwachtVolgensTempo": volgens_tempo,
        "tempoPerJaar": None if per_dag is None else round(per_dag * 3650) / 10,
        "zonderPlanning": zonder,
        "haalbaarVolgensPlanning": ja_planning,
        "haalbaarVolgensTempo": ja_tempo,
        "haalbaar": oordeel if totaal else "geen opgave",
    }


def per_gezag(locaties: Mapping[str, Locatie]) -> dict[str, list[Locatie]]:
    """The sites per bevoegd gezag, every one of the 42 present (in the list's order)."""
    uit: dict[str, list[Locatie]] = {b.code: [] for b in BEVOEGDE_GEZAGEN}
    for x in locaties.values():
        uit.setdefault(x.bevoegd_gezag, []).append(x)
    return uit


def prognoses(
    locaties: Mapping[str, Locatie], peildatum: date, afspraken: Afspraken
) -> dict[str, Any]:
    """Every goal nationally and per bevoegd gezag."""
    landelijk = [
        prognose(groep(locaties.values(), d), d, peildatum, afspraken.start)
        for d in afspraken.doelen
    ]
    per = []
    for code, eigen in per_gezag(locaties).items():
        for d in afspraken.doelen:
            per.append(
                {"bevoegdGezag": code, **prognose(groep(eigen, d), d, peildatum, afspraken.start)}
            )
    return {"landelijk": landelijk, "perBevoegdGezag": per}


KOLOMMEN = [
    "doel",
    "deadline",
    "totaal",
    "nodig",
    "afgehandeld",
    "verwachtVolgensPlanning",
    "verwachtVolgensTempo",
    "tempoPerJaar",
    "zonderPlanning",
    "haalbaar",
]
