"""The sealer: chains committed events by hash, in position order, and records signed anchors.

Runs in the relay before publishing, so every event on Kafka and in the global feed carries its
seal. Sealing after commit keeps the command path short; an event is unsealed only for the
moments between its commit and the relay's next round.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from shared import integriteit as i
from shared.ankersleutels import sleutel_id
from shared.envelope import from_recorded
from shared.eventstore import EventMetadata, NewEvent, RecordedEvent
from shared.eventstore.sql import SqlEventStore, to_recorded
from shared.eventstore.tables import event_seals, events, store_identity
from shared.settings import Mode, ServiceSettings

log = logging.getLogger(__name__)


def laatste_zegel(session: Session) -> tuple[int, str]:
    rij = session.execute(
        select(event_seals.c.position, event_seals.c.hash)
        .order_by(event_seals.c.position.desc())
        .limit(1)
    ).first()
    return (0, i.NUL) if rij is None else (int(rij[0]), str(rij[1]))


def verzegelde(
    session: Session,
    source: str,
    store_id: str,
    na: int = 0,
    limiet: int = 1000,
    stream_id: str | None = None,
) -> list[dict[str, Any]]:
    """Sealed events after position ``na`` (of one stream, or all) as CloudEvent dicts."""
    query = (
        select(events, event_seals.c.hash, event_seals.c.prev_hash, event_seals.c.stream_prev_hash)
        .join(event_seals, event_seals.c.position == events.c.position)
        .where(events.c.position > na)
    )
    if stream_id is not None:
        query = query.where(events.c.stream_id == stream_id)
    rijen = session.execute(query.order_by(events.c.position).limit(limiet)).all()
    return [
        from_recorded(
            to_recorded(r), source, store_id, (r.hash, r.prev_hash, r.stream_prev_hash)
        ).to_dict()
        for r in rijen
    ]


class Verzegelaar:
    def __init__(
        self,
        source: str,
        anker_elke: int = 1000,
        sleutel: Ed25519PrivateKey | None = None,
        anker_topic: str | None = None,
        batch: int = 1000,
    ) -> None:
        self._source = source
        self._anker_elke = anker_elke
        self._sleutel = sleutel
        self._anker_topic = anker_topic
        self._batch = batch

    def verzegel(self, session: Session, store_id: str) -> int:
        """Seal the next committed events in position order; returns how many. Concurrent
        sealers (the relay, a feed request) queue on the store identity row."""
        session.execute(select(store_identity.c.id).with_for_update())
        positie, vorige = laatste_zegel(session)
        rijen = session.execute(
            select(events)
            .where(events.c.position > positie)
            .order_by(events.c.position)
            .limit(self._batch)
        ).all()
        stroom_vorige: dict[str, str] = {}
        nieuw = []
        for rij in rijen:
            event = to_recorded(rij)
            if event.position != positie + 1:
                break  # a gap means a later commit is visible before an earlier one: wait
            stream_prev = self._stroom_vorige(session, event, stroom_vorige)
            ce = from_recorded(event, self._source, store_id).to_dict()
            ce["prevhash"], ce["streamprevhash"] = vorige, stream_prev
            h = i.event_hash(ce)
            nieuw.append(
                {
                    "position": event.position,
                    "hash": h,
                    "prev_hash": vorige,
                    "stream_prev_hash": stream_prev,
                }
            )
            stroom_vorige[event.stream_id] = h
            positie, vorige = event.position, h
        if nieuw:
            session.execute(insert(event_seals), nieuw)
        return len(nieuw)

    def _stroom_vorige(self, session: Session, event: RecordedEvent, cache: dict[str, str]) -> str:
        if event.version == 1:
            return i.NUL
        if event.stream_id in cache:
            return cache[event.stream_id]
        h = session.execute(
            select(event_seals.c.hash)
            .join(events, events.c.position == event_seals.c.position)
            .where(events.c.stream_id == event.stream_id, events.c.version == event.version - 1)
        ).scalar()
        if h is None:
            raise RuntimeError(f"{event.stream_id} v{event.version - 1} is not sealed")
        return str(h)

    def veranker(self, session: Session, forceer: bool = False) -> int | None:
        """Record an anchor over the events sealed since the last one, when enough accumulated
        (or when ``forceer``); returns the anchored position or None."""
        store = SqlEventStore(session)
        ankers = store.load(i.ANKER_STREAM)
        vorige = int(ankers[-1].data["totEnMetPositie"]) if ankers else 0
        vorige_root = str(ankers[-1].data["merkleRoot"]) if ankers else i.NUL
        positie, _ = laatste_zegel(session)
        if positie <= vorige or (not forceer and positie - vorige < self._anker_elke):
            return None
        hashes = (
            session.execute(
                select(event_seals.c.hash)
                .where(event_seals.c.position > vorige, event_seals.c.position <= positie)
                .order_by(event_seals.c.position)
            )
            .scalars()
            .all()
        )
        root = i.anker_root(vorige_root, list(hashes))
        data: dict[str, Any] = {
            "vanafPositie": vorige + 1,
            "totEnMetPositie": positie,
            "vorigeRoot": vorige_root,
            "merkleRoot": root,
            "algoritme": "sha256-merkle-keten",
            "handtekening": None,
            "sleutelId": None,
        }
        if self._sleutel is not None:
            data["handtekening"] = i.onderteken(self._sleutel, positie, root)
            data["sleutelId"] = sleutel_id(self._sleutel.public_key())
        now = datetime.now(UTC)
        store.append(
            i.ANKER_STREAM,
            i.ANKER_STREAM_TYPE,
            len(ankers),
            [NewEvent(i.ANKER_TYPE, data, now, EventMetadata(actor="bodemregie"))],
            self._anker_topic,
        )
        log.info("anchored positions 1..%s (root %s)", positie, root[:12])
        return positie


def verzegelaar(settings: ServiceSettings, source: str, anker_topic: str) -> Verzegelaar:
    """The sealer a service's settings ask for: anchors every ``anker_elke`` events, signed
    with the key at ``anker_sleutel`` when set (always in production: unsigned anchors do not
    tell a consistent rewrite from the real log), published on ``anker_topic``."""
    sleutel = None
    if settings.mode is Mode.PRODUCTION and not settings.anker_sleutel:
        raise ValueError("production mode signs anchors: set BODEMREGIE_ANKER_SLEUTEL")
    if settings.anker_sleutel:
        sleutel = i.laad_privesleutel(Path(settings.anker_sleutel).read_bytes())
    return Verzegelaar(source, settings.anker_elke, sleutel, anker_topic)
