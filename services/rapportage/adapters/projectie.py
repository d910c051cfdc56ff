"""From CloudEvents on bodem.spoedlocaties.v1 to facts, and the watermark of processed positions.

Unknown event types and events whose data does not fit their type raise, so the idempotent
consumer dead-letters them and moves on; their positions still count as processed.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, delete, insert, select, update
from sqlalchemy.orm import Session

from services.rapportage.adapters.tables import bron, feiten, verwerkt
from services.rapportage.domain import feiten as f
from services.rapportage.domain import lezen
from shared.envelope import CloudEvent
from shared.messaging.consumer import SkipEvent


def verwerk(session: Session, event: CloudEvent) -> None:
    """The projection handler: one fact per event; anchors of the log are not facts."""
    if lezen.is_anker(event):
        raise SkipEvent
    store_id, _ = lezen.positie(event)
    bekende = session.execute(select(bron.c.store_id)).scalar()
    if bekende is not None and bekende != store_id:
        raise lezen.OnverwerkbaarEvent(
            f"event uit een andere bron ({store_id}, verwacht {bekende})"
        )
    feit = lezen.naar_feit(event)
    session.execute(
        insert(feiten).values(
            positie=feit.positie,
            locatie_id=feit.locatie_id,
            versie=feit.versie,
            soort=feit.soort,
            vastgelegd_op=feit.vastgelegd_op,
            data=feit.data,
        )
    )


def markeer_verwerkt(session: Session, event: CloudEvent) -> None:
    """Runs for every event, handled or dead-lettered: advances the watermark."""
    try:
        store_id, positie = lezen.positie(event)
    except lezen.OnverwerkbaarEvent:
        return
    rij = session.execute(select(bron.c.store_id, bron.c.watermark)).first()
    if rij is None:
        session.execute(insert(bron).values(id=1, store_id=store_id, watermark=0))
        watermark = 0
    elif rij.store_id != store_id:
        return
    else:
        watermark = int(rij.watermark)
    if positie <= watermark:
        return
    if positie != watermark + 1:
        session.execute(insert(verwerkt).values(positie=positie))
        return
    watermark = positie
    while True:
        result = cast(
            CursorResult[Any],
            session.execute(delete(verwerkt).where(verwerkt.c.positie == watermark + 1)),
        )
        if not result.rowcount:
            break
        watermark += 1
    session.execute(update(bron).where(bron.c.id == 1).values(watermark=watermark))


def watermark(session: Session) -> int:
    return int(session.execute(select(bron.c.watermark)).scalar() or 0)


def lees_feiten(session: Session, tot_en_met: int, na: int = 0) -> list[f.Feit]:
    rows = session.execute(
        select(feiten)
        .where(feiten.c.positie > na, feiten.c.positie <= tot_en_met)
        .order_by(feiten.c.positie)
    ).all()
    return [
        f.Feit(r.positie, r.locatie_id, r.versie, r.soort, r.vastgelegd_op, r.data) for r in rows
    ]
