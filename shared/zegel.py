"""The sealer: chains committed events by hash, in position order, and records signed anchors.

Only the relay seals (``shared/outbox.py``), in the same transaction in which it publishes, so
every event on Kafka and in the global feed carries its seal; reads never write. Sealing after
commit keeps the command path short; an event is unsealed only for the moments between its
commit and the relay's next round, and until then it is not yet in the feed (the feed is a
prefix of the sealed log) while a site's history shows it without seal fields.

The sealer keeps the head of the chain (last position and hash), the anchor state and the last
hash of recently sealed streams in memory between rounds, so a round costs one read of the new
events. That state is only ever taken over from a committed round (``bevestig``) and dropped on
any failure or change of leader (``vergeet``); a head that went stale behind the relay's back
(another process sealed meanwhile) cannot produce a seal either: the new seal's position is the
primary key of ``event_seals`` and the anchor's version is checked by the event store, so the
round fails and the next one starts from the database.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple
from uuid import UUID

import orjson
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import bindparam, select, tuple_
from sqlalchemy.orm import Session

from shared import integriteit as i
from shared.ankersleutels import sleutel_id
from shared.db.kopie import kopieer
from shared.envelope import SPECVERSION, event_type_name, from_recorded
from shared.eventstore import EventMetadata, NewEvent
from shared.eventstore.sql import SqlEventStore, to_recorded
from shared.eventstore.tables import event_seals, events, outbox
from shared.relay_round import RoundTransaction
from shared.settings import Mode, ServiceSettings

log = logging.getLogger(__name__)

# Streams whose last hash the sealer remembers; beyond this it forgets them all and looks
# them up again (one query per round), which bounds memory at national scale.
STROMEN_MAX = 100_000

Zegel = tuple[str, str, str]

# Built once: a round runs it after every wake-up (building a select costs more than running it).
# The outbox is bounded by the head too, in the join: PostgreSQL does not carry the events' bound
# over a LEFT JOIN to the outbox by itself, and without fresh statistics (a new database, a table
# an import grew) its plan then read the whole outbox, which keeps a row per event ever recorded,
# every round (tests/integration/test_relay_plannen.py).
_NIEUW = (
    select(events, outbox.c.topic, outbox.c.published_at)
    .outerjoin(
        outbox,
        (outbox.c.position == events.c.position) & (outbox.c.position > bindparam("na")),
    )
    .where(events.c.position > bindparam("na"))
    .order_by(events.c.position)
    .limit(bindparam("n"))
)

# The same on PostgreSQL as a query string of the round's first round trip
# (``shared.relay_round``): integers as literals.
_KOLOMMEN = (*events.c.keys(), "topic", "published_at")
# Where each stands in such a row (and in any row that begins with the columns of ``events``):
# rows are read by position, as the driver hands them over (a dict per row cost ~1 µs each).
(
    _POSITION,
    _EVENT_ID,
    _STREAM_ID,
    _STREAM_TYPE,
    _VERSION,
    _EVENT_TYPE,
    _SCHEMA_VERSION,
    _DATA,
    _EVENT_METADATA,
    _OCCURRED_AT,
    _RECORDED_AT,
    _TOPIC,
    _PUBLISHED_AT,
) = (_KOLOMMEN.index(k) for k in _KOLOMMEN)
_NIEUW_PG = (
    "SELECT " + ", ".join(f"e.{c.name}" for c in events.c) + ", o.topic, o.published_at"
    " FROM events e LEFT JOIN outbox o ON o.position = e.position AND o.position > %(na)d"
    " WHERE e.position > %(na)d ORDER BY e.position LIMIT %(n)d"
)
# From this many seals on, a round writes them by binary COPY (two round trips of their own,
# but less server CPU per row: an import's rounds seal a thousand at a time).
KOPIEER_VANAF = 100
# The committed chain head, read in the same round trip as the new events: a relay whose head
# in memory differs (another process sealed meanwhile) reads it again before it seals.
_KOP_PG = "SELECT position, hash FROM event_seals ORDER BY position DESC LIMIT 1"
# A round's few seals as literals, sent with its COMMIT (``RoundTransaction.defer``).
_ZEGELS_LITERAAL = "INSERT INTO event_seals (position, hash, prev_hash, stream_prev_hash) VALUES "
_HEX = re.compile(r"[0-9a-f]{1,128}")
# Many at once, each followed by a comma: one scan in C instead of a match per hash (three per
# seal were ~9 % of a round's CPU at 96 seals).
_HEXEN = re.compile(r"(?:[0-9a-f]{1,128},)*")


def _hex(waarde: str) -> str:
    """A hash as it may stand in a query string: lowercase hex, or refused."""
    if not _HEX.fullmatch(waarde):
        raise ValueError(f"not a hash: {waarde[:80]!r}")
    return waarde


@dataclass(frozen=True)
class Kop:
    """The head of the seal chain and the anchor state after a committed round."""

    positie: int
    hash: str
    ankers: int  # events in the anchor stream: the version the next anchor must expect
    verankerd_tot: int
    anker_root: str
    anker_positie: int = 0  # the last anchor's own position (0: none yet)


class Bericht(NamedTuple):
    """A sealed event of the round that waits to be published, as its CloudEvent (a tuple:
    one is made per event, and a frozen dataclass's fields are set one call at a time)."""

    position: int
    topic: str
    stream_id: str
    cloudevent: dict[str, Any]


@dataclass
class Ronde:
    """What one round sealed and anchored, not yet committed."""

    kop: Kop
    vanaf: int = 0  # the chain head's position when the round began: sealed earlier up to here
    stromen: dict[str, tuple[int, str]] = field(default_factory=dict)
    verzegeld: int = 0
    verankerd: int | None = None
    berichten: list[Bericht] = field(default_factory=list)
    # The hashes this round sealed, in position order from ``vanaf`` + 1 on, and those of the
    # committed seals after the last anchor up to ``vanaf`` (None: not known in memory).
    hashes: list[str] = field(default_factory=list)
    eerder: list[str] | None = None
    # Committed events wait that the round did not seal (an anchor made by ``veranker``): the
    # next round goes at once.
    wacht: bool = False


_ZEGEL_KOLOMMEN = ("position", "hash", "prev_hash", "stream_prev_hash")


def _schrijf_zegels(
    session: Session, zegels: list[tuple[int, str, str, str]], tx: RoundTransaction | None
) -> None:
    """Insert seals (position, hash, prev_hash, stream_prev_hash). On PostgreSQL a round's few
    go with its COMMIT (``tx``: literals, no round trip of their own), many by binary COPY
    (``shared.db.kopie``): an executemany costs a message per row, and COPY costs the server
    less than an INSERT over arrays split from text."""
    if tx is not None and len(zegels) < KOPIEER_VANAF:
        hashes = "".join(f"{h},{v},{s}," for _, h, v, s in zegels)
        if not _HEXEN.fullmatch(hashes) or hashes.count(",") != 3 * len(zegels):
            for _, h, v, s in zegels:
                _hex(h), _hex(v), _hex(s)  # raises for the first that is not a hash
        tx.defer(
            _ZEGELS_LITERAAL
            + ", ".join(f"({int(p):d}, '{h}', '{v}', '{s}')" for p, h, v, s in zegels)
        )
    else:
        kopieer(session, event_seals, _ZEGEL_KOLOMMEN, zegels)


def laatste_zegel(session: Session) -> tuple[int, str]:
    rij = session.execute(
        select(event_seals.c.position, event_seals.c.hash)
        .order_by(event_seals.c.position.desc())
        .limit(1)
    ).first()
    return (0, i.NUL) if rij is None else (int(rij[0]), str(rij[1]))


def lees_kop(session: Session) -> Kop:
    """The chain head and anchor state as committed in the database."""
    positie, vorige = laatste_zegel(session)
    rij = session.execute(
        select(events)
        .where(events.c.stream_id == i.ANKER_STREAM)
        .order_by(events.c.version.desc())
        .limit(1)
    ).first()
    if rij is None:
        return Kop(positie, vorige, 0, 0, i.NUL)
    anker = to_recorded(rij)
    return Kop(
        positie,
        vorige,
        anker.version,
        int(anker.data["totEnMetPositie"]),
        str(anker.data["merkleRoot"]),
        anker.position,
    )


def verzegelde(
    session: Session,
    source: str,
    store_id: str,
    na: int = 0,
    limiet: int = 1000,
    stream_id: str | None = None,
) -> list[dict[str, Any]]:
    """Sealed events after position ``na`` (of one stream, or all) as CloudEvent dicts. Seals
    are made in position order without gaps, so this is always a prefix of the log."""
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


def historie(session: Session, source: str, store_id: str, stream_id: str) -> list[dict[str, Any]]:
    """Every committed event of one stream, oldest first, as CloudEvent dicts: sealed ones with
    their seal, the few not yet sealed without ``hash``, ``prevhash`` and ``streamprevhash``
    (whoever just sent a command sees it in the history at once)."""
    rijen = session.execute(
        select(events, event_seals.c.hash, event_seals.c.prev_hash, event_seals.c.stream_prev_hash)
        .outerjoin(event_seals, event_seals.c.position == events.c.position)
        .where(events.c.stream_id == stream_id)
        .order_by(events.c.version)
    ).all()
    return [
        from_recorded(
            to_recorded(r),
            source,
            store_id,
            None if r.hash is None else (r.hash, r.prev_hash, r.stream_prev_hash),
        ).to_dict()
        for r in rijen
    ]


class _Kern(NamedTuple):
    """What sealing needs of an event besides its CloudEvent: where it stands."""

    position: int
    stream_id: str
    version: int


_UUID_KANONIEK = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_EXTRA = (
    ("organisation", "organisation"),
    ("role", "role"),
    ("correlationid", "correlation_id"),
    ("causationid", "causation_id"),
)


def _tijd(moment: datetime) -> str:
    """A moment as the CloudEvent writes it (UTC, ``Z``). Remembered: a batch's events share
    one record time and often their business dates, and writing one costs ~2 µs. Equal
    moments are one instant, so one text, except the second of a clock hour that repeats
    (``fold``): it equals the first within its zone, so it is written every time."""
    if moment.fold:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    tekst = _TIJDEN.get(moment)
    if tekst is None:
        if len(_TIJDEN) >= _TIJDEN_MAX:
            _TIJDEN.clear()
        tekst = _TIJDEN[moment] = moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
    return tekst


_TIJDEN: dict[datetime, str] = {}
_TIJDEN_MAX = 4096
_TYPES: dict[str, str] = {}


def _type(naam: str) -> str:
    if len(_TYPES) >= _TIJDEN_MAX:
        _TYPES.clear()
    volledig = _TYPES[naam] = event_type_name(naam)
    return volledig


def cloudevent(
    r: Sequence[Any], source: str, store_id: str, vorige: str, stream_prev: str
) -> dict[str, Any]:
    """A stored event row (the columns of ``events`` in their order, then perhaps others: a
    tuple as the driver reads it, or SQLAlchemy's ``Row``) as its CloudEvent dict with the seal
    fields (``hash`` still NUL): exactly ``from_recorded(to_recorded(row), source, store_id,
    (NUL, vorige, stream_prev)).to_dict()``, keys in the same order, built without the two
    intermediate objects (the relay does this for every event; a test holds the two equal)."""
    meta = r[_EVENT_METADATA]
    event_id = r[_EVENT_ID]
    if not _UUID_KANONIEK.fullmatch(event_id):
        event_id = str(UUID(event_id))
    doc: dict[str, Any] = {
        "specversion": SPECVERSION,
        "id": event_id,
        "source": source,
        "type": _TYPES.get(r[_EVENT_TYPE]) or _type(r[_EVENT_TYPE]),
        "subject": r[_STREAM_ID],
        "time": _tijd(r[_RECORDED_AT]),
        "datacontenttype": "application/json",
        "sequence": str(int(r[_VERSION])),
        "occurredat": _tijd(r[_OCCURRED_AT]),
        "position": int(r[_POSITION]),
        "storeid": store_id,
        "streamtype": r[_STREAM_TYPE],
        "schemaversion": int(r[_SCHEMA_VERSION]),
        "actor": str(meta.get("actor", "")),
    }
    for naam, sleutel in _EXTRA:
        if waarde := meta.get(sleutel):
            doc[naam] = waarde
    doc["hash"] = i.NUL
    doc["prevhash"] = vorige
    doc["streamprevhash"] = stream_prev
    doc["data"] = r[_DATA]
    return doc


def zegel_hash(doc: dict[str, Any]) -> str:
    """``integriteit.event_hash(doc)`` for a CloudEvent :func:`cloudevent` built, without its
    search of every attribute: the builder makes the ``id``, ``type``, times, ``sequence``,
    ``position``, ``schemaversion`` and ``actor`` texts and integers itself, so only the
    attributes it takes as they come (subject, stream type, store id, the previous hashes and
    the metadata's extras) are looked at; one of another type, ``data`` that orjson may write
    otherwise than the definition, or a text orjson refuses (a lone surrogate) takes
    ``event_hash``'s own path. The bytes hashed are the definition's (sorted keys, no
    whitespace, UTF-8; ``data`` written once, with sorted keys, and put in as it is); a test
    holds this equal to the definition on generated events with tricky values everywhere."""
    gecodeerd = i.data_canoniek(doc["data"])
    if (
        gecodeerd is None
        or type(doc["subject"]) is not str
        or type(doc["streamtype"]) is not str
        or type(doc["storeid"]) is not str
        or type(doc["prevhash"]) is not str
        or type(doc["streamprevhash"]) is not str
        or type(doc["position"]) is not int
        or type(doc["schemaversion"]) is not int
    ):
        return i.event_hash(doc)
    inhoud = {
        "actor": doc["actor"],
        "data": orjson.Fragment(gecodeerd),
        "id": doc["id"],
        "occurredat": doc["occurredat"],
        "position": doc["position"],
        "prevhash": doc["prevhash"],
        "schemaversion": doc["schemaversion"],
        "sequence": doc["sequence"],
        "storeid": doc["storeid"],
        "streamprevhash": doc["streamprevhash"],
        "streamtype": doc["streamtype"],
        "subject": doc["subject"],
        "time": doc["time"],
        "type": doc["type"],
    }
    for naam, _ in _EXTRA:
        if naam in doc:
            waarde = inhoud[naam] = doc[naam]
            soort = type(waarde)
            if soort is not str and (soort is not int or not _MIN_INT <= waarde <= _MAX_INT):
                return i.event_hash(doc)
    try:
        return _sha256(orjson.dumps(inhoud, option=orjson.OPT_SORT_KEYS)).hexdigest()
    except orjson.JSONEncodeError:  # a lone surrogate, or an integer beyond 64 bits
        return i.event_hash(doc)


_MIN_INT, _MAX_INT = -(2**63), 2**63 - 1
_sha256 = hashlib.sha256


class Verzegelaar:
    """Seals and anchors for one relay; keeps the chain head between committed rounds."""

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
        self._kop: Kop | None = None
        self._stromen: dict[str, tuple[int, str]] = {}
        # The hashes of the committed seals after the last anchor, up to the head, in order:
        # the next anchor's leaves without reading them back (None: read them).
        self._sinds_anker: list[str] | None = None

    def vergeet(self) -> None:
        """Drop the remembered head: the next round reads it from the database (at start,
        after a failure, when this process (again) became the leader)."""
        self._kop = None
        self._stromen = {}
        self._sinds_anker = None

    def bevestig(self, ronde: Ronde) -> None:
        """The round's transaction committed: its head is now the truth."""
        if len(self._stromen) + len(ronde.stromen) > STROMEN_MAX:
            self._stromen = {}
        self._stromen.update(ronde.stromen)
        kop, bladeren = ronde.kop, _bladeren(ronde, ronde.kop.verankerd_tot)
        self._sinds_anker = bladeren if kop.positie - kop.verankerd_tot <= STROMEN_MAX else None
        self._kop = kop

    @property
    def batch(self) -> int:
        """The most events one round seals."""
        return self._batch

    def ronde(
        self,
        session: Session,
        store_id: str,
        force_anchor: bool = False,
        stil: bool = False,
        tx: RoundTransaction | None = None,
        anker: bool = True,
    ) -> Ronde:
        """Seal the next committed events and, when due, record an anchor and seal it too,
        all in the caller's transaction (on PostgreSQL ``tx``, whose first statement begins
        it and takes the relay's fencing lock). Due: every ``anker_elke`` events, when
        ``force_anchor``, or when ``stil`` (long enough since the last anchor) and nothing new
        came. Call ``bevestig`` after it commits and ``vergeet`` when it does not.
        ``anker=False``: seal only; the caller anchors later in the same transaction
        (``veranker``), as the relay does after it published (see there)."""
        kop = self._kop
        nieuw: list[tuple[Any, ...]] | None = None
        if kop is not None and tx is not None:
            # The committed head and the new events in the round's first round trip.
            vastgelegd, nieuw = tx.query_sets(
                f"{_KOP_PG}; {_NIEUW_PG % {'na': kop.positie, 'n': self._batch}}"
            )
            if (vastgelegd[0] if vastgelegd else (0, i.NUL)) != (kop.positie, kop.hash):
                log.info("the chain head moved since this relay's last round; reading it again")
                self.vergeet()
                kop, nieuw = None, None
        if kop is None:
            if tx is not None:
                tx.begin()  # the head is read under the lock, in the round's transaction
            kop = lees_kop(session)
        ronde = Ronde(kop, kop.positie)
        if self._kop is not None:
            ronde.eerder = self._sinds_anker
        elif kop.positie == kop.verankerd_tot:
            ronde.eerder = []  # read just after an anchor: nothing sealed since
        self._verzegel(session, store_id, ronde, tx, nieuw)
        if anker and self._veranker(
            session, ronde, force_anchor or (stil and not ronde.verzegeld), tx
        ):
            self._verzegel(session, store_id, ronde, tx)
        return ronde

    def veranker(
        self,
        session: Session,
        store_id: str,
        ronde: Ronde,
        force_anchor: bool = False,
        stil: bool = False,
        tx: RoundTransaction | None = None,
    ) -> bool:
        """The anchor step of ``ronde`` (when due, by the same rule), without sealing the
        anchor: it waits, committed, for the next round (``Ronde.wacht``), which seals and
        sends it as any event; True when it anchored. An anchor is an event: its append takes
        the event store's position counter, whose row lock then stays taken until the round
        commits, and every writer's append waits for it (a bulk import's next batch). So the
        relay anchors as late as it can, after it published the round's seals (a publish
        waits for the broker's acknowledgements), and then only commits; sealing the anchor
        in the same round would also seal, under that lock, whatever a writer committed
        meanwhile (an import's batch of a thousand). What is sealed is the same either way: a
        seal is a function of the committed events and the chain before them."""
        if self._veranker(session, ronde, force_anchor or (stil and not ronde.verzegeld), tx):
            ronde.wacht = True
            return True
        return False

    def _nieuw(
        self,
        session: Session,
        na: int,
        tx: RoundTransaction | None,
        gelezen: list[tuple[Any, ...]] | None = None,
    ) -> Sequence[Sequence[Any]]:
        """The new events' rows: the columns of ``events``, then the outbox's topic and
        published_at (``_KOLOMMEN``), read by position."""
        if tx is None:
            return session.execute(_NIEUW, {"na": na, "n": self._batch}).all()
        if gelezen is None:
            gelezen = tx.query(_NIEUW_PG % {"na": na, "n": self._batch})
        return gelezen

    def _verzegel(
        self,
        session: Session,
        store_id: str,
        ronde: Ronde,
        tx: RoundTransaction | None,
        gelezen: list[tuple[Any, ...]] | None = None,
    ) -> None:
        kop = ronde.kop
        recorded: list[tuple[_Kern, str | None, Sequence[Any]]] = []
        for r in self._nieuw(session, kop.positie, tx, gelezen):
            event = _Kern(r[_POSITION], r[_STREAM_ID], r[_VERSION])
            if event.position != kop.positie + 1 + len(recorded):
                break  # a gap means a later commit is visible before an earlier one: wait
            recorded.append((event, r[_TOPIC] if r[_PUBLISHED_AT] is None else None, r))
        if not recorded:
            return
        bekend = self._stroom_hashes(session, [e for e, _, _ in recorded], ronde.stromen)
        positie, vorige = kop.positie, kop.hash
        nieuw: list[tuple[int, str, str, str]] = []
        for event, topic, m in recorded:
            stream_prev = i.NUL if event.version == 1 else bekend[event.stream_id]
            # Built once with its seal: hashed (the hash attribute is not covered), then sent.
            doc = cloudevent(m, self._source, store_id, vorige, stream_prev)
            h = doc["hash"] = zegel_hash(doc)
            if topic is not None:
                ronde.berichten.append(Bericht(event.position, topic, event.stream_id, doc))
            nieuw.append((event.position, h, vorige, stream_prev))
            ronde.hashes.append(h)
            bekend[event.stream_id] = h
            ronde.stromen[event.stream_id] = (event.version, h)
            positie, vorige = event.position, h
        _schrijf_zegels(session, nieuw, tx)
        ronde.kop = Kop(
            positie, vorige, kop.ankers, kop.verankerd_tot, kop.anker_root, kop.anker_positie
        )
        ronde.verzegeld += len(nieuw)

    def _stroom_hashes(
        self, session: Session, recorded: list[_Kern], ronde: dict[str, tuple[int, str]]
    ) -> dict[str, str]:
        """The hash of the previous event of each stream in ``recorded``: from this round, from
        memory, or (for the rest) from the database in one query."""
        bekend: dict[str, str] = {}
        zoek: dict[str, int] = {}
        gezien: set[str] = set()  # streams sealed earlier in this batch: hashed in order
        for event in recorded:
            s = event.stream_id
            if event.version == 1 or s in gezien:
                gezien.add(s)
                continue
            gezien.add(s)
            onthouden = ronde.get(s) or self._stromen.get(s)
            if onthouden is not None and onthouden[0] == event.version - 1:
                bekend[s] = onthouden[1]
            else:
                zoek[s] = event.version - 1
        if zoek:
            rijen = session.execute(
                select(events.c.stream_id, event_seals.c.hash)
                .join(event_seals, event_seals.c.position == events.c.position)
                .where(tuple_(events.c.stream_id, events.c.version).in_(list(zoek.items())))
            ).all()
            bekend.update({str(r[0]): str(r[1]) for r in rijen})
            if missend := zoek.keys() - bekend.keys():
                s = min(missend)
                raise RuntimeError(f"{s} v{zoek[s]} is not sealed")
        return bekend

    def _veranker(
        self, session: Session, ronde: Ronde, forceer: bool, tx: RoundTransaction | None = None
    ) -> bool:
        """Record an anchor over the events sealed since the last one, when enough accumulated
        (or when ``forceer`` and there is anything new)."""
        kop = ronde.kop
        vorige = kop.verankerd_tot
        if kop.positie <= vorige or (not forceer and kop.positie - vorige < self._anker_elke):
            return False
        if kop.positie == kop.anker_positie == vorige + 1:
            # Nothing sealed since the last anchor but that anchor itself. Anchoring it would
            # make one more event for the next quiet spell (or stop) to anchor: an anchor an
            # interval for as long as the service idles. It is anchored with the next events.
            return False
        hashes = _bladeren(ronde, vorige)
        if hashes is None:
            if tx is not None:
                tx.flush()  # the round's seals, read back below
            hashes = list(
                session.execute(
                    select(event_seals.c.hash)
                    .where(event_seals.c.position > vorige, event_seals.c.position <= kop.positie)
                    .order_by(event_seals.c.position)
                )
                .scalars()
                .all()
            )
        root = i.anker_root(kop.anker_root, hashes)
        data: dict[str, Any] = {
            "vanafPositie": vorige + 1,
            "totEnMetPositie": kop.positie,
            "vorigeRoot": kop.anker_root,
            "merkleRoot": root,
            "algoritme": "sha256-merkle-keten",
            "handtekening": None,
            "sleutelId": None,
        }
        if self._sleutel is not None:
            data["handtekening"] = i.onderteken(self._sleutel, kop.positie, root)
            data["sleutelId"] = sleutel_id(self._sleutel.public_key())
        now = datetime.now(UTC)
        (opgeslagen,) = SqlEventStore(session).append(
            i.ANKER_STREAM,
            i.ANKER_STREAM_TYPE,
            kop.ankers,  # a stale anchor state fails here with a version conflict
            [NewEvent(i.ANKER_TYPE, data, now, EventMetadata(actor="bodemregie"))],
            self._anker_topic,
        )
        log.info("anchored positions 1..%s (root %s)", kop.positie, root[:12])
        ronde.kop = Kop(
            kop.positie, kop.hash, kop.ankers + 1, kop.positie, root, opgeslagen.position
        )
        ronde.verankerd = kop.positie
        return True


def _bladeren(ronde: Ronde, na: int) -> list[str] | None:
    """The hashes of the seals after position ``na`` up to ``ronde``'s head, in order (an
    anchor's leaves), from memory: those committed after the last anchor (``eerder``) and the
    round's own; None when the relay does not hold them all (it read the head from the
    database, or forgot, and sealed too few since), and then they are read back."""
    kop, eerder = ronde.kop, ronde.eerder
    # positions up to kop.positie, from kop.positie - len(bekend) + 1 on
    bekend = ronde.hashes if eerder is None else eerder + ronde.hashes
    if len(ronde.hashes) != kop.positie - ronde.vanaf or len(bekend) < kop.positie - na:
        return None
    return bekend[len(bekend) - (kop.positie - na) :]


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
