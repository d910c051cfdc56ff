"""The Kamerbrief annex as the Kamer reads it: sites by name, in their municipality by name and
under their bevoegd gezag by name, and the humane sites still open at the deadline with their
knelpunt and the date their plan gives."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from services.rapportage.domain.feiten import Locatie
from services.rapportage.domain.planfeiten import planning
from shared import gemeenten
from shared.bevoegde_gezagen import get as bevoegd_gezag


def gezagnaam(code: str) -> str:
    gezag = bevoegd_gezag(code)
    return gezag.naam if gezag else code


def regel(x: Locatie) -> dict[str, Any]:
    """A site's line in the annex."""
    return {
        "locatieId": x.locatie_id,
        "bevoegdGezag": x.bevoegd_gezag,
        "bevoegdGezagNaam": gezagnaam(x.bevoegd_gezag),
        "naam": x.naam,
        "gemeentecode": x.gemeentecode,
        "gemeente": gemeenten.naam(x.gemeentecode),
        "status": str(x.status),
        "afgehandeldOp": x.afgehandeld_op.isoformat() if x.afgehandeld_op else None,
        "risicotypes": x.risicotypes(),
        "knelpunt": x.knelpunt,
    }


def humaan_open(locaties: Mapping[str, Locatie], tot: date, deadline: date) -> dict[str, Any]:
    """The confirmed humane sites not dealt with by the deadline (or, before it, by ``tot``),
    with their knelpunt and planned date; ``naDeadline`` when the plan lies beyond it."""
    grens = min(tot, deadline)
    regels = []
    for x in sorted(locaties.values(), key=lambda x: (x.bevoegd_gezag, x.locatie_id)):
        if not (x.bevestigd and x.humaan) or (x.afgehandeld_op and x.afgehandeld_op <= grens):
            continue
        plan = planning(x)
        gepland = plan.afgehandeld if plan else None
        regels.append(
            {
                **regel(x),
                "afgehandeldGepland": gepland.isoformat() if gepland else None,
                "naDeadline": None if gepland is None else gepland > deadline,
            }
        )
    return {
        "deadline": deadline.isoformat(),
        "verstreken": tot > deadline,
        "aantal": len(regels),
        "locaties": regels,
    }


OPEN_KOLOMMEN = [
    "bevoegdGezag",
    "bevoegdGezagNaam",
    "locatieId",
    "naam",
    "gemeente",
    "status",
    "knelpunt",
    "afgehandeldGepland",
    "naDeadline",
]
