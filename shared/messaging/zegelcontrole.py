"""Seal checks for consumers: an event becomes a fact only when its seal holds.

Each record is checked on arrival for what it can prove alone: it is a CloudEvent from the
expected producer (``source``), it carries a seal, and its ``hash`` is the hash of its content.
Its links are checked in the order of the log: ``prevhash`` against the hash of the event
accepted at the position before it, ``streamprevhash`` against the hash of the previous version
of its stream. Partitions are read in parallel, so a record can arrive before the event it links
to; it then waits in ``consumer_pending`` (its Kafka offset moves on) until that event has been
accepted, and is checked then; a record claiming a position more than ``voorsprong`` beyond
the last accepted one is dead-lettered instead, so forged far-ahead claims cannot fill that
table. A consumer's read model therefore only ever holds an unbroken prefix of the log. The
watermark could not pass the waiting record anyway, so reports do not wait longer than before.

A broken, unsealed or foreign record is rejected (the consumer dead-letters it) and does *not*
take the position it claims: a forged copy of "the next event" must not push out the genuine
event at that position, which arrives and is accepted as usual. Exact copies of an accepted
event (a redelivery) are dropped. Should two events with intact seals claim one position (a
forger who copied the head's hash), the one the next event links to wins; until that event
arrives the position waits.

Without a signature a seal only proves that an event belongs to the chain it names; a forger
who reads the topic can still compute a valid extension at its head. That is what broker ACLs
and the signed anchors (checked by ``bodemregie audit verify``) are for.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from shared import integriteit
from shared.envelope import CloudEvent, EnvelopeError
from shared.eventstore.tables import consumer_pending, consumer_seals
from shared.messaging.record import Record

log = logging.getLogger(__name__)


class Zegelfout(ValueError):
    """The record cannot become a fact: its reason goes to the dead letters."""


@dataclass(frozen=True)
class Ontvangen:
    """A record whose own seal holds, waiting for its place in the chain."""

    record: Record
    event: CloudEvent
    positie: int
    hash: str
    prevhash: str
    streamprevhash: str


def _is_hash(waarde: object) -> bool:
    return isinstance(waarde, str) and len(waarde) == 64 and all(c in _HEX for c in waarde)


_HEX = frozenset("0123456789abcdef")


class Zegelcontrole:
    """Checks the seals of the records one consumer reads from one log."""

    def __init__(self, consumer: str, source: str, voorsprong: int | None = None) -> None:
        """``source``: the CloudEvents ``source`` of the only producer this consumer accepts;
        ``voorsprong``: how far beyond the last accepted position a record may wait
        (default :data:`VOORSPRONG`)."""
        self.consumer = consumer
        self.source = source
        self.voorsprong = VOORSPRONG if voorsprong is None else voorsprong

    def ontvang(self, record: Record) -> Ontvangen:
        """What a record proves alone; raises :class:`Zegelfout` when it cannot be a fact."""
        try:
            doc = integriteit.lees_json(record.value)
        except (ValueError, RecursionError) as exc:  # nested too deep to read: no JSON either
            raise Zegelfout(f"ongeldige CloudEvent: not JSON: {exc}") from exc
        if not isinstance(doc, dict):
            raise Zegelfout("ongeldige CloudEvent: a CloudEvent is a JSON object")
        try:
            event = CloudEvent.from_dict(doc)
        except EnvelopeError as exc:
            raise Zegelfout(f"ongeldige CloudEvent: {exc}") from exc
        if event.source != self.source:
            raise Zegelfout(f"onbekende bron {event.source!r}: verwacht {self.source!r}")
        zegel = [str(doc.get(veld)) for veld in integriteit.ZEGEL_VELDEN]
        if not all(_is_hash(doc.get(veld)) for veld in integriteit.ZEGEL_VELDEN):
            raise Zegelfout("niet verzegeld: hash, prevhash of streamprevhash ontbreekt")
        positie = doc.get("position")
        if isinstance(positie, bool) or not isinstance(positie, int) or positie < 1:
            raise Zegelfout("verzegeld zonder geldige positie")
        try:
            berekend = integriteit.event_hash(doc)
        except (ValueError, RecursionError) as exc:
            # A lone surrogate (no UTF-8 text) or nesting too deep to encode: content no
            # producer could have sealed. Raised past the consumer it would roll back the batch
            # and come back on every poll.
            raise Zegelfout(f"ongeldige CloudEvent: not hashable: {exc}") from exc
        if berekend != zegel[0]:
            raise Zegelfout("zegel gebroken: de hash klopt niet met de inhoud")
        return Ontvangen(record, event, positie, zegel[0], zegel[1], zegel[2])

    def in_volgorde(
        self, session: Session, nieuw: Sequence[Ontvangen]
    ) -> Iterator[tuple[Ontvangen, str | None]]:
        """The records whose turn has come, in log order: (record, None) when its links hold,
        (record, reason) when they do not. What cannot be decided yet is kept in
        ``consumer_pending`` for a later batch. A handful of queries per batch, not per event:
        the accepted seals are written when the generator is exhausted."""
        kop, kop_hash = self._kop(session)
        begin = kop
        wachtend: dict[int, list[Ontvangen]] = defaultdict(list)
        for o in nieuw:
            if o.positie > kop:
                wachtend[o.positie].append(o)
            elif (reden := self._al_verwerkt(session, o)) is not None:
                yield o, reden
        stromen: dict[str, tuple[int, str]] = {}
        self._stromen(session, {o.event.subject for o in nieuw}, stromen)
        bewaard: set[tuple[str, int, int]] = set()  # already in consumer_pending
        geladen_tot = kop
        aanvaard: list[Ontvangen] = []
        afgewezen: list[Ontvangen] = []
        while True:
            positie = kop + 1
            if positie + 1 > geladen_tot:  # _kies may look one position ahead
                geladen_tot = self._laad(session, geladen_tot, wachtend, bewaard, stromen)
            kandidaten = wachtend.pop(positie, [])
            if not kandidaten:
                break
            heel: dict[str, Ontvangen] = {}
            for o in kandidaten:
                reden = self._schakel(session, o, kop_hash, stromen)
                if reden is None:
                    heel.setdefault(o.hash, o)  # exact copies are one event
                else:
                    afgewezen.append(o)
                    yield o, reden
            if not heel:
                break  # only broken claims: the genuine event is still to come
            gekozen = _kies(heel, wachtend.get(positie + 1, []))
            if gekozen is None:
                wachtend[positie] = list(heel.values())
                break
            for o in heel.values():
                if o is not gekozen:
                    yield o, f"positie {positie} is al ingenomen: de keten volgt een ander"
            aanvaard.append(gekozen)
            stromen[gekozen.event.subject] = (gekozen.event.sequence, gekozen.hash)
            kop, kop_hash = positie, gekozen.hash
            yield gekozen, None
        self._aanvaard(session, aanvaard)
        if kop > begin:
            session.execute(
                delete(consumer_pending).where(
                    consumer_pending.c.consumer == self.consumer,
                    consumer_pending.c.position <= kop,
                )
            )
        for o in afgewezen:  # refused while waiting for the position after the head
            if o.positie > kop and _sleutel(o) in bewaard:
                session.execute(
                    delete(consumer_pending).where(
                        consumer_pending.c.consumer == self.consumer,
                        consumer_pending.c.topic == o.record.topic,
                        consumer_pending.c.kafka_partition == o.record.partition,
                        consumer_pending.c.kafka_offset == o.record.offset,
                    )
                )
        # The head after this batch bounds what may wait: the bound is on positions, so what a
        # forger can make this consumer keep is bounded too (records already kept were in range).
        bewaren: list[Ontvangen] = []
        for o in (o for lijst in wachtend.values() for o in lijst if _sleutel(o) not in bewaard):
            if o.positie > kop + self.voorsprong:
                yield (
                    o,
                    (
                        f"positie {o.positie} ligt meer dan {self.voorsprong} posities voorbij "
                        f"de laatst aanvaarde ({kop})"
                    ),
                )
            else:
                bewaren.append(o)
        self._bewaar(session, bewaren)

    def _kop(self, session: Session) -> tuple[int, str]:
        rij = session.execute(
            select(consumer_seals.c.position, consumer_seals.c.hash)
            .where(consumer_seals.c.consumer == self.consumer)
            .order_by(consumer_seals.c.position.desc())
            .limit(1)
        ).first()
        return (0, integriteit.NUL) if rij is None else (int(rij[0]), str(rij[1]))

    def _al_verwerkt(self, session: Session, o: Ontvangen) -> str | None:
        bekend = session.execute(
            select(consumer_seals.c.hash).where(
                consumer_seals.c.consumer == self.consumer,
                consumer_seals.c.position == o.positie,
            )
        ).scalar()
        if bekend == o.hash:
            log.info("%s: skipping a copy of position %s", self.consumer, o.positie)
            return None
        return f"positie {o.positie} is al verwerkt met een andere gebeurtenis"

    def _schakel(
        self,
        session: Session,
        o: Ontvangen,
        vorige_hash: str,
        stromen: dict[str, tuple[int, str]],
    ) -> str | None:
        """Why ``o`` does not link to the accepted chain, or None when it does."""
        if o.prevhash != vorige_hash:
            return f"prevhash wijst niet naar de gebeurtenis op positie {o.positie - 1}"
        stroom, versie = o.event.subject, o.event.sequence
        if stroom not in stromen:
            self._stromen(session, {stroom}, stromen)
        laatste, laatste_hash = stromen[stroom]
        if versie != laatste + 1:
            return f"versie {versie} van {stroom} volgt niet op versie {laatste}"
        if o.streamprevhash != laatste_hash:
            return f"streamprevhash wijst niet naar versie {laatste} van {stroom}"
        return None

    def _stromen(
        self, session: Session, namen: set[str], stromen: dict[str, tuple[int, str]]
    ) -> None:
        """The last accepted version and hash of each named stream not yet in ``stromen``."""
        namen = namen - stromen.keys()
        if not namen:
            return
        for naam in namen:
            stromen[naam] = (0, integriteit.NUL)
        rijen = session.execute(
            select(consumer_seals.c.stream_id, consumer_seals.c.version, consumer_seals.c.hash)
            .where(consumer_seals.c.consumer == self.consumer)
            .where(consumer_seals.c.stream_id.in_(namen))
        )
        for naam, versie, h in rijen:
            if versie > stromen[naam][0]:
                stromen[naam] = (int(versie), str(h))

    def _laad(
        self,
        session: Session,
        na: int,
        wachtend: dict[int, list[Ontvangen]],
        bewaard: set[tuple[str, int, int]],
        stromen: dict[str, tuple[int, str]],
    ) -> int:
        """Adds the kept records of the next window of positions to ``wachtend``; returns the
        last position loaded."""
        tot = na + VENSTER
        rijen = session.execute(
            select(consumer_pending).where(
                consumer_pending.c.consumer == self.consumer,
                consumer_pending.c.position > na,
                consumer_pending.c.position <= tot,
            )
        ).all()
        geladen = []
        for r in rijen:
            record = Record(
                r.topic,
                r.kafka_partition,
                r.kafka_offset,
                r.message_key.encode() if r.message_key is not None else None,
                r.payload.encode(),
            )
            bewaard.add((r.topic, r.kafka_partition, r.kafka_offset))
            try:
                geladen.append(self.ontvang(record))
            except Zegelfout:  # it passed these checks before it was kept
                log.exception("%s: a kept record no longer reads: %s", self.consumer, record)
        for o in sorted(geladen, key=lambda o: o.record.offset):
            wachtend[o.positie].append(o)
        self._stromen(session, {o.event.subject for o in geladen}, stromen)
        return tot

    def _aanvaard(self, session: Session, aanvaard: list[Ontvangen]) -> None:
        if not aanvaard:
            return
        session.execute(
            insert(consumer_seals),
            [
                {
                    "consumer": self.consumer,
                    "position": o.positie,
                    "hash": o.hash,
                    "stream_id": o.event.subject,
                    "version": o.event.sequence,
                }
                for o in aanvaard
            ],
        )

    def _bewaar(self, session: Session, wachtend: list[Ontvangen]) -> None:
        if not wachtend:
            return
        session.execute(
            insert(consumer_pending),
            [
                {
                    "consumer": self.consumer,
                    "topic": o.record.topic,
                    "kafka_partition": o.record.partition,
                    "kafka_offset": o.record.offset,
                    "position": o.positie,
                    "message_key": (
                        o.record.key.decode(errors="replace") if o.record.key is not None else None
                    ),
                    "payload": o.record.value.decode(),
                }
                for o in wachtend
            ],
        )


# Kept records are read back a window of positions at a time: enough for partitions that run
# apart by a few batches, without reading everything that waits.
VENSTER = 2000

# How far beyond the last accepted position a record may wait for its predecessors. Legitimate
# skew comes from partitions read at different speeds: a batch is at most 500 records
# (KafkaProjectionConsumer's max_records), a fetch brings about 1 MiB (1,000-2,000 events) per
# partition, and a consumer-group member that dies holds its partitions until its session times
# out while the others read on. 100,000 positions is 200 full batches, tens of seconds of the
# relay's full speed, far above any of these; yet what a forger can make a consumer keep is
# bounded (100,000 positions of about 1 KB). Too small a bound would be worse than none: a
# genuine event dead-lettered here leaves a gap the projection never passes.
VOORSPRONG = 100_000


def _sleutel(o: Ontvangen) -> tuple[str, int, int]:
    return (o.record.topic, o.record.partition, o.record.offset)


def _kies(heel: dict[str, Ontvangen], volgende: list[Ontvangen]) -> Ontvangen | None:
    """Of intact claims to one position, the one the chain goes on from (None: not known yet)."""
    if len(heel) == 1:
        return next(iter(heel.values()))
    opvolgers = {o.prevhash for o in volgende}
    gevolgd = [o for h, o in heel.items() if h in opvolgers]
    return gevolgd[0] if len(gevolgd) == 1 else None
