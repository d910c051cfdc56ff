"""From CloudEvents on a topic to facts, and the watermark of processed positions.

One ``Stroom`` per source stream: spoedlocaties (bodem.spoedlocaties.v1) and kennis
(bodem.kennis.v1). Unknown event types and events whose data does not fit their type raise, so
the idempotent consumer dead-letters them and moves on; their positions still count as
processed. The log's anchors are not facts and are skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from services.rapportage.adapters import tables
from services.rapportage.domain import feiten as f
from services.rapportage.domain import lezen
from shared.envelope import CloudEvent
from shared.messaging.consumer import SkipEvent


@dataclass(frozen=True)
class Stroom:
    feiten: Table
    bron: Table
    verwerkt: Table
    naar_feit: Callable[[CloudEvent], f.Feit]
    # The system that writes the stream: only its sealed events become facts.
    producent: str

    @property
    def tabellen(self) -> tuple[Table, ...]:
        return (self.feiten, self.verwerkt, self.bron)

    def verwerk(self, session: Session, event: CloudEvent) -> None:
        """The projection handler: one fact per event."""
        if lezen.is_anker(event):
            raise SkipEvent
        store_id, _ = lezen.positie(event)
        bekende = session.execute(select(self.bron.c.store_id)).scalar()
        if bekende is not None and bekende != store_id:
            raise lezen.OnverwerkbaarEvent(
                f"event uit een andere bron ({store_id}, verwacht {bekende})"
            )
        feit = self.naar_feit(event)
        session.execute(
            insert(self.feiten).values(
                positie=feit.positie,
                locatie_id=feit.locatie_id,
                versie=feit.versie,
                soort=feit.soort,
                vastgelegd_op=feit.vastgelegd_op,
                data=feit.data,
            )
        )

    def markeer_verwerkt(self, session: Session, event: CloudEvent) -> None:
        """Runs for every event, handled or dead-lettered: advances the watermark."""
        try:
            store_id, positie = lezen.positie(event)
        except lezen.OnverwerkbaarEvent:
            return
        rij = session.execute(select(self.bron.c.store_id, self.bron.c.watermark)).first()
        if rij is None:
            session.execute(insert(self.bron).values(id=1, store_id=store_id, watermark=0))
            watermark = 0
        elif rij.store_id != store_id:
            return
        else:
            watermark = int(rij.watermark)
        if positie <= watermark:
            return
        if positie != watermark + 1:
            session.execute(insert(self.verwerkt).values(positie=positie))
            return
        watermark = positie
        while True:
            result = cast(
                CursorResult[Any],
                session.execute(
                    delete(self.verwerkt).where(self.verwerkt.c.positie == watermark + 1)
                ),
            )
            if not result.rowcount:
                break
            watermark += 1
        session.execute(update(self.bron).where(self.bron.c.id == 1).values(watermark=watermark))

    def watermark(self, session: Session) -> int:
        return int(session.execute(select(self.bron.c.watermark)).scalar() or 0)

    def lees_feiten(self, session: Session, tot_en_met: int, na: int = 0) -> list[f.Feit]:
        rows = session.execute(
            select(self.feiten)
            .where(self.feiten.c.positie > na, self.feiten.c.positie <= tot_en_met)
            .order_by(self.feiten.c.positie)
        ).all()
        return [
            f.Feit(r.positie, r.locatie_id, r.versie, r.soort, r.vastgelegd_op, r.data)
            for r in rows
        ]


SPOEDLOCATIES = Stroom(
    tables.feiten, tables.bron, tables.verwerkt, lezen.naar_feit, "bodemregie-locaties"
)
KENNIS = Stroom(
    tables.kennis_feiten,
    tables.kennis_bron,
    tables.kennis_verwerkt,
    lezen.naar_kennisfeit,
    "bodemregie-kennis",
)

# The spoedlocaties stream is the one most code speaks of.
verwerk = SPOEDLOCATIES.verwerk
markeer_verwerkt = SPOEDLOCATIES.markeer_verwerkt
watermark = SPOEDLOCATIES.watermark
lees_feiten = SPOEDLOCATIES.lees_feiten
