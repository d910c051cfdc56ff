"""Reads remediation progress from the spoedlocaties events (idempotent consumer handler): the
current status of every site, and each status it took with the business date it took it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from services.kennis.adapters.tables import k_locaties, locatie_standen
from shared.envelope import TYPE_PREFIX, CloudEvent
from shared.messaging.consumer import SkipEvent

# The business date of each kind the koplopers read.
DATUMVELD = {
    "spoedlocatie-geregistreerd": "registratiedatum",
    "spoedlocatie-status-gewijzigd": "besluitdatum",
    "spoedlocatie-bevoegd-gezag-overgedragen": "datum",
}


def verwerk(session: Session, event: CloudEvent) -> None:
    _werk_bij(session, event)
    nu = session.execute(
        select(k_locaties.c.bevoegd_gezag, k_locaties.c.status).where(
            k_locaties.c.locatie_id == event.subject
        )
    ).first()
    if nu is None:
        return  # a change of a site this service never saw registered: no status to keep
    datum = event.data.get(DATUMVELD[event.type.removeprefix(TYPE_PREFIX)])
    session.execute(
        insert(locatie_standen).values(
            locatie_id=event.subject,
            datum=date.fromisoformat(datum) if datum else None,
            bevoegd_gezag=nu.bevoegd_gezag,
            status=nu.status,
        )
    )


def _werk_bij(session: Session, event: CloudEvent) -> None:
    soort = event.type.removeprefix(TYPE_PREFIX)
    d = event.data
    if soort == "spoedlocatie-geregistreerd":
        session.execute(
            insert(k_locaties).values(
                locatie_id=event.subject, bevoegd_gezag=d["bevoegd_gezag"], status=d["status"]
            )
        )
    elif soort == "spoedlocatie-status-gewijzigd":
        session.execute(
            update(k_locaties)
            .where(k_locaties.c.locatie_id == event.subject)
            .values(status=d["naar"])
        )
    elif soort == "spoedlocatie-bevoegd-gezag-overgedragen":
        session.execute(
            update(k_locaties)
            .where(k_locaties.c.locatie_id == event.subject)
            .values(bevoegd_gezag=d["naar"])
        )
    else:
        # Risks, money, knelpunten, anchors: not needed to see who leads. Corrections of a
        # status are rare; the next status change brings the site in line again.
        raise SkipEvent
