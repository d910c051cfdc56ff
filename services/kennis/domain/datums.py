"""The business date of a kennis activity: the day a question was asked, an answer given or
accepted, a document or success recorded, someone registered for a meeting: when it happened,
as opposed to when the platform recorded it. A command may give it, so a history kept
elsewhere can be imported; without one it is the day of the command.

Not before 2009: the covenant that started the beleidstransitie was signed on 10 July 2009,
so an earlier date is a typing error. Not after today: the platform records what happened.
"""

from __future__ import annotations

from datetime import date

from services.kennis.domain.model import OngeldigeInvoer

EERSTE_DATUM = date(2009, 1, 1)
REGEL = f"niet voor {EERSTE_DATUM.isoformat()}, niet na vandaag"


def bedrijfsdatum(datum: date | None, vandaag: date, veld: str = "datum") -> date:
    """``datum`` (``vandaag`` when not given) if it is a possible business date; otherwise
    OngeldigeInvoer naming ``veld``."""
    if datum is None:
        return vandaag
    if datum < EERSTE_DATUM:
        raise OngeldigeInvoer(
            veld, f"{datum} ligt voor {EERSTE_DATUM.isoformat()} (het bodemconvenant)"
        )
    if datum > vandaag:
        raise OngeldigeInvoer(veld, f"{datum} ligt in de toekomst")
    return datum
