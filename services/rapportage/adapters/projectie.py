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
from shared.aggregate import EventRegistry
from shared.envelope import TYPE_PREFIX, CloudEvent

# Upcasters lift older schema versions of an event to the current one, so old logs stay
# replayable. Version 0 of the status event (before the first release) named the new status
# "status" and had no explanation.
upcasters = EventRegistry()


@upcasters.upcaster(f.STATUS, 0)
def _status_v0(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data["naar"] = data.pop("status")
    data.setdefault("toelichting", "")
    return data


VERPLICHT = {
    f.GEREGISTREERD: ("bevoegd_gezag", "gemeentecode", "naam", "status", "registratiedatum"),
    f.STATUS: ("van", "naar", "besluitdatum"),
    f.RISICO: ("risicotype", "vastgesteld", "beoordelingsdatum"),
    f.KNELPUNT: ("knelpunt", "datum"),
    f.BUDGET: ("bedrag_euro", "datum"),
    f.KOSTEN: ("bedrag_euro", "datum"),
    f.OVERDRACHT: ("van", "naar", "datum"),
    f.CORRECTIE: ("gecorrigeerde_versie", "correctie", "reden"),
}


class OnverwerkbaarEvent(ValueError):
    pass


def _soort(event: CloudEvent) -> str:
    soort = event.type.removeprefix(TYPE_PREFIX)
    if soort not in f.BEKENDE_TYPES:
        raise OnverwerkbaarEvent(f"onbekend type {event.type}")
    return soort


def _positie(event: CloudEvent) -> tuple[str, int]:
    try:
        return str(event.extensions["storeid"]), int(event.extensions["position"])
    except (KeyError, ValueError) as exc:
        raise OnverwerkbaarEvent("storeid of position ontbreekt") from exc


def verwerk(session: Session, event: CloudEvent) -> None:
    """The projection handler: one fact per event."""
    soort = _soort(event)
    store_id, positie = _positie(event)
    bekende = session.execute(select(bron.c.store_id)).scalar()
    if bekende is not None and bekende != store_id:
        raise OnverwerkbaarEvent(f"event uit een andere bron ({store_id}, verwacht {bekende})")
    schema = int(event.extensions.get("schemaversion", 1))
    data = upcasters.upcast(soort, schema, event.data)
    ontbreekt = [veld for veld in VERPLICHT[soort] if veld not in data]
    if ontbreekt:
        raise OnverwerkbaarEvent(f"{soort} mist {', '.join(ontbreekt)}")
    feit = f.Feit(positie, event.subject, event.sequence, soort, event.time, data)
    feit.datum()  # raises ValueError on an impossible date
    session.execute(
        insert(feiten).values(
            positie=positie,
            locatie_id=event.subject,
            versie=event.sequence,
            soort=soort,
            vastgelegd_op=event.time,
            data=data,
        )
    )


def markeer_verwerkt(session: Session, event: CloudEvent) -> None:
    """Runs for every event, handled or dead-lettered: advances the watermark."""
    try:
        store_id, positie = _positie(event)
    except OnverwerkbaarEvent:
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


def lees_feiten(session: Session, tot_en_met: int) -> list[f.Feit]:
    rows = session.execute(
        select(feiten).where(feiten.c.positie <= tot_en_met).order_by(feiten.c.positie)
    ).all()
    return [
        f.Feit(r.positie, r.locatie_id, r.versie, r.soort, r.vastgelegd_op, r.data) for r in rows
    ]
