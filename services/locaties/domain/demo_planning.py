"""The plans of `make demo`'s sites (``demo_scenario``): most urgent sites get a plan in the
decision that made them spoed (the beschikking sets the terms), close to what then happened; a
site that ran into a knelpunt and missed the deadline had planned to make it and revises its plan
on the knelpunt's date, with the reason. Some authorities planned none of their sites. Drawn from
a random source of their own, so the rest of the history is the same with or without plans.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from shared.vocabulaire import Status

if TYPE_CHECKING:  # demo_scenario calls ``plan``: no import at run time
    from services.locaties.domain.demo_scenario import Locatiescenario

Invoeging = tuple[int, str, dict[str, Any]]  # (before which step, path, body)

# The share of urgent sites with a plan: most authorities planned, not all did.
AANDEEL_MET_PLANNING = 0.75

_START = {str(Status.SANERING_GESTART), str(Status.TIJDELIJKE_BEVEILIGING)}
_KLAAR = {str(Status.GESANEERD), str(Status.BEHEERST)}


def _statusdatum(s: Locatiescenario, statussen: set[str]) -> date | None:
    return next(
        (
            date.fromisoformat(st.body["besluitdatum"])
            for st in s.stappen
            if st.pad == "statuswijzigingen" and st.body["naar"] in statussen
        ),
        None,
    )


def _index_na(s: Locatiescenario, pad: str) -> int:
    """The position just after the last step on ``pad`` (0 if there is none)."""
    return max((i + 1 for i, st in enumerate(s.stappen) if st.pad == pad), default=0)


def _plan(datum: date, start: date | None, afgehandeld: date, reden: str = "") -> dict[str, Any]:
    return {
        "startSanering": start.isoformat() if start else None,
        "afgehandeld": afgehandeld.isoformat(),
        "datum": datum.isoformat(),
        "reden": reden,
    }


def plan(s: Locatiescenario, rnd: random.Random) -> list[Invoeging]:
    """The plan (and its revision) of one site, each to go before the steps that deal with it
    (a plan is made while the site is open), as positions in ``s.stappen`` as it is."""
    spoed = _statusdatum(s, {str(Status.ERNSTIG_SPOED)})
    if spoed is None or rnd.random() >= AANDEEL_MET_PLANNING:
        return []
    humaan = any(
        st.pad == "risicobeoordelingen" and st.body["risicotype"] == "humaan" for st in s.stappen
    )
    deadline = date(2015, 12, 31) if humaan else date(2020, 12, 31)
    gestart, klaar = _statusdatum(s, _START), _statusdatum(s, _KLAAR)
    knelpunt = next(
        (
            st
            for st in s.stappen
            if st.pad == "knelpunten" and st.body.get("toelichting") == "deadline niet haalbaar"
        ),
        None,
    )

    def rond(d: date, min_: int, max_: int, vroegst: date) -> date:
        return max(vroegst, d + timedelta(days=rnd.randint(min_, max_)))

    start = rond(gestart, -60, 60, spoed) if gestart else None
    if knelpunt is None and klaar is not None:
        eind = rond(klaar, -90, 30, start or spoed)
    else:  # it planned to make the deadline
        eind = max(start or spoed, deadline - timedelta(days=rnd.randint(0, 365)))
    uit = [(_index_na(s, "budgettoekenningen"), "planningen", _plan(spoed, start, eind))]
    if knelpunt is None:
        return uit
    # The knelpunt made the deadline unreachable: a revision with the reason, on its date.
    herzien = date.fromisoformat(knelpunt.body["datum"])
    nieuw_eind = rond(klaar, 0, 60, herzien) if klaar else rond(deadline, 200, 1000, herzien)
    nieuwe_start = start if start and start >= herzien else None
    nieuw_eind = max(nieuw_eind, nieuwe_start or herzien)
    reden = f"knelpunt {knelpunt.body['knelpunt']}: de deadline is niet haalbaar"
    herziening = _plan(herzien, nieuwe_start, nieuw_eind, reden)
    return [*uit, (_index_na(s, "knelpunten"), "planningen", herziening)]
