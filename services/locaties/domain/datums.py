"""The bounds of a business date (registratiedatum, besluitdatum, beoordelingsdatum, datum).

Not before 1 January 1987, when the Wet bodembescherming came into force: the spoedlocaties are
contaminations from before it, but every registration, decision and payment about them falls
under it, so an earlier date is a typing error (0001-01-01, 1897 for 1987). Not after today in
the Netherlands (Europe/Amsterdam, so a decision taken this morning is not "tomorrow" in UTC, nor
one of 23:30 "today" when it is already tomorrow here): the registry records what happened, never
what is planned.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

EERSTE_DATUM = date(1987, 1, 1)
_NEDERLAND = ZoneInfo("Europe/Amsterdam")  # looked up once: every business date is checked


def vandaag() -> date:
    return datetime.now(_NEDERLAND).date()


def bedrijfsdatum(datum: date) -> date:
    """``datum`` if it is a possible business date; ValueError with the reason otherwise."""
    if datum < EERSTE_DATUM:
        raise ValueError(f"{datum} ligt voor de Wet bodembescherming ({EERSTE_DATUM.isoformat()})")
    if datum > vandaag():
        raise ValueError(f"{datum} ligt in de toekomst")
    return datum


# A planned date lies ahead, but within the programme's reach: 2100 catches a typed 2105 or
# 20200 for 2020 while leaving room for the longest aftercare.
LAATSTE_PLANDATUM = date(2100, 12, 31)


def plandatum(datum: date) -> date:
    """``datum`` if it is a possible planned date (future allowed); ValueError otherwise."""
    if datum < EERSTE_DATUM:
        raise ValueError(f"{datum} ligt voor de Wet bodembescherming ({EERSTE_DATUM.isoformat()})")
    if datum > LAATSTE_PLANDATUM:
        raise ValueError(f"{datum} ligt na {LAATSTE_PLANDATUM.isoformat()}")
    return datum
