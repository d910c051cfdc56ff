"""Reads remediation progress from the spoedlocaties events (idempotent consumer handler)."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from services.kennis.adapters.tables import k_locaties
from shared.envelope import TYPE_PREFIX, CloudEvent
from shared.messaging.consumer import SkipEvent


def verwerk(session: Session, event: CloudEvent) -> None:
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
