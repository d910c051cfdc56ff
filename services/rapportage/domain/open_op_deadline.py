"""For the Kamerbrief annex: the humane spoedlocaties still open at the humane deadline in
force (the agreements as known on the kennisdatum), each with its knelpunt, naming the decision
that set the deadline. Added to the annex as its own part, so the annex itself stays as it is."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from services.rapportage.domain.afspraken import HUMAAN, Afspraken
from services.rapportage.domain.feiten import Locatie

KOLOMMEN = ["bevoegdGezag", "locatieId", "naam", "gemeentecode", "status", "knelpunt"]


def humaan_open(
    toestand: Callable[[date], dict[str, Locatie]], tot: date, afspraken: Afspraken
) -> dict[str, Any]:
    """The confirmed humane sites not dealt with on the deadline (as they stood that day), once
    ``tot`` has reached it; before, an empty list (the deadline has not come yet)."""
    afspraak = afspraken[HUMAAN]
    open_ = []
    if tot >= afspraak.deadline:
        open_ = sorted(
            (
                x
                for x in toestand(afspraak.deadline).values()
                if x.bevestigd and x.humaan and not x.afgehandeld
            ),
            key=lambda x: (x.bevoegd_gezag, x.locatie_id),
        )
    return {
        "deadline": afspraak.deadline.isoformat(),
        "besluit": afspraak.besluit.als_json(),
        "bereikt": tot >= afspraak.deadline,
        "aantal": len(open_),
        "locaties": [
            {
                "bevoegdGezag": x.bevoegd_gezag,
                "locatieId": x.locatie_id,
                "naam": x.naam,
                "gemeentecode": x.gemeentecode,
                "status": str(x.status),
                "knelpunt": x.knelpunt,
            }
            for x in open_
        ],
    }


def tabel(deel: dict[str, Any]) -> tuple[str, list[str], list[list[Any]]]:
    """The annex's table of them (titel, kolommen, rijen), naming the deadline's decision."""
    titel = (
        f"Humane spoedlocaties open op de deadline {deel['deadline']} ({deel['besluit']['titel']})"
    )
    return titel, KOLOMMEN, [[r[k] for k in KOLOMMEN] for r in deel["locaties"]]
