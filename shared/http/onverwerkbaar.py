"""The dead letters of a service's consumers as the API shows them
(``GET /v1/onverwerkbare-gebeurtenissen``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.eventstore.tables import dead_letters


class Onverwerkbaar(BaseModel):
    consument: str
    topic: str
    partitie: int
    offset: int
    sleutel: str | None
    reden: str
    vastgelegdOp: datetime


def onverwerkbare(sessions: sessionmaker[Session]) -> list[Onverwerkbaar]:
    """Every dead letter, oldest first."""
    with sessions() as session:
        rows = session.execute(select(dead_letters).order_by(dead_letters.c.id)).all()
    return [
        Onverwerkbaar(
            consument=r.consumer,
            topic=r.topic,
            partitie=r.kafka_partition,
            offset=r.kafka_offset,
            sleutel=r.message_key,
            reden=r.reason,
            vastgelegdOp=r.recorded_at,
        )
        for r in rows
    ]
