"""The bounds of a business date (registratiedatum, besluitdatum, beoordelingsdatum, datum).

Not before 1 January 1987, when the Wet bodembescherming came into force: the spoedlocaties are
contaminations from before it, but every registration, decision and payment about them falls
under it, so an earlier date is a typing error (0001-01-01, 1897 for 1987). Not after today in
the Netherlands (Europe/Amsterdam, so a decision taken this morning is not "tomorrow" in UTC, nor
one of 23:30 "today" when it is already tomorrow here): the registry records what happened, never
what is planned.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

EERSTE_DATUM = date(1987, 1, 1)
_NEDERLAND = ZoneInfo("Europe/Amsterdam")  # looked up once: every business date is checked

# Today in the Netherlands and the moments (Unix time) it begins and ends there: every business
# date is checked against today, twice an event in an import (the request schema and the
# domain's rule), and the time zone's look-up in ``datetime.now`` costs ~0.8 µs a call.
_VANDAAG: tuple[float, float, date] = (0.0, 0.0, date.min)


def vandaag() -> date:
    global _VANDAAG
    begin, einde, dag = _VANDAAG
    if begin <= time.time() < einde:
        return dag
    dag = datetime.now(_NEDERLAND).date()
    begin = datetime.combine(dag, datetime.min.time(), _NEDERLAND).timestamp()
    einde = datetime.combine(dag + timedelta(days=1), datetime.min.time(), _NEDERLAND).timestamp()
    _VANDAAG = (begin, einde, dag)
    return dag


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
