"""From CloudEvents on a topic to facts, and the watermark of processed positions.

One ``Stroom`` per source stream: spoedlocaties (bodem.spoedlocaties.v1) and kennis
(bodem.kennis.v1). Unknown event types and events whose data does not fit their type raise, so
the idempotent consumer dead-letters them and moves on; their positions still count as
processed. The log's anchors are not facts; they are kept apart, with the chain hash of every
processed position, so a report can name the log it was built from (``binding``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import CursorResult, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from services.rapportage.adapters import tables
from services.rapportage.domain import binding as logboeken
from services.rapportage.domain import feiten as f
from services.rapportage.domain import lezen
from services.rapportage.domain.binding import Anker, binding
from services.rapportage.domain.feitkolommen import (
    GetypeerdeRij,
    Rij,
    getypeerd,
    microseconden,
)
from services.rapportage.domain.feitkolommen import json_data as _json
from shared.envelope import CloudEvent


@dataclass(frozen=True)
class Stroom:
    feiten: Table
    bron: Table
    verwerkt: Table
    naar_feit: Callable[[CloudEvent], f.Feit]
    naam: str  # the log's name in a report's ``logboeken``
    zegels: Table
    ankers: Table
    # The system that writes the stream: only its sealed events become facts.
    producent: str

    @property
    def tabellen(self) -> tuple[Table, ...]:
        return (self.feiten, self.verwerkt, self.bron, self.zegels, self.ankers)

    def verwerk(self, session: Session, event: CloudEvent) -> None:
        """The projection handler: one fact per event, or the anchor it records."""
        store_id, positie = lezen.positie(event)
        bekende = session.execute(select(self.bron.c.store_id)).scalar()
        if bekende is not None and bekende != store_id:
            raise lezen.OnverwerkbaarEvent(
                f"event uit een andere bron ({store_id}, verwacht {bekende})"
            )
        if lezen.is_anker(event):
            try:
                anker = Anker.uit_data(positie, event.data)
            except ValueError as exc:
                raise lezen.OnverwerkbaarEvent(str(exc)) from exc
            session.execute(
                insert(self.ankers).values(
                    positie=positie,
                    tot_en_met=anker.tot_en_met,
                    merkle_root=anker.merkle_root,
                    sleutel_id=anker.sleutel_id,
                    handtekening=anker.handtekening,
                )
            )
            return
        feit = self.naar_feit(event)
        session.execute(
            insert(self.feiten).values(
                positie=feit.positie,
                locatie_id=feit.locatie_id,
                versie=feit.versie,
                soort=feit.soort,
                vastgelegd_op=feit.vastgelegd_op,
                data=feit.data,
                **self.typen(feit),
            )
        )

    @property
    def met_typen(self) -> bool:
        """Whether the facts have the typed columns (the spoedlocaties facts do)."""
        return "tekst" in self.feiten.c

    def typen(self, feit: f.Feit) -> dict[str, Any]:
        """The typed columns of a fact (none for a stream without them)."""
        if not self.met_typen:
            return {}
        g = getypeerd(feit.soort, feit.data) or (None, None, None)
        return {
            "datum": g[0],
            "tekst": g[1],
            "getal": g[2],
            "vastgelegd_us": microseconden(feit.vastgelegd_op),
        }

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
        hash_ = event.extensions.get("hash")
        if hash_ is not None:
            # A position is new here exactly once (as ``verwerkt`` relies on), so no duplicate.
            session.execute(insert(self.zegels).values(positie=positie, hash=str(hash_)))
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

    def binding(self, session: Session, positie: int) -> dict[str, Any]:
        """What a report built up to ``positie`` binds of this log (domain/binding.py)."""
        bron = session.execute(select(self.bron.c.store_id)).scalar()
        hash_ = session.execute(
            select(self.zegels.c.hash).where(self.zegels.c.positie == positie)
        ).scalar()
        rij = session.execute(
            select(self.ankers)
            .where(self.ankers.c.positie <= positie)
            .order_by(self.ankers.c.positie.desc())
            .limit(1)
        ).first()
        anker = (
            None
            if rij is None
            else Anker(
                rij.positie, rij.tot_en_met, rij.merkle_root, rij.sleutel_id, rij.handtekening
            )
        )
        return binding(None if bron is None else str(bron), positie, hash_, anker)

    def lees_feiten(self, session: Session, tot_en_met: int, na: int = 0) -> list[f.Feit]:
        """The facts after ``na`` up to ``tot_en_met``."""
        sqlite = session.get_bind().dialect.name == "sqlite"
        moment = _sqlite_moment if sqlite else _utc
        return [
            f.Feit(positie, locatie_id, versie, soort, moment(vastgelegd_op), _json(data))
            for positie, locatie_id, versie, soort, vastgelegd_op, data in self._rijen(
                session, "vastgelegd_op", tot_en_met, na
            )
        ]

    def lees_rijen(
        self, session: Session, tot_en_met: int, na: int = 0
    ) -> list[Rij | GetypeerdeRij]:
        """``lees_feiten`` as rows, the record time in microseconds since 1970 UTC: what the
        timelines take at start, when this is the whole log. The database computes the
        microseconds (no datetime per fact here)."""
        sqlite = session.get_bind().dialect.name == "sqlite"
        moment = SQLITE_US if sqlite else POSTGRES_US
        if not self.met_typen:
            return [
                (positie, locatie_id, versie, soort, vastgelegd, _json(data))
                for positie, locatie_id, versie, soort, vastgelegd, data in self._rijen(
                    session, moment, tot_en_met, na
                )
            ]
        # A fact with typed columns comes without its JSON (``_rijen`` leaves it out) and is
        # passed on as the driver gave it (``GetypeerdeRij``): most facts, so no tuple or dict
        # is made for them.
        return [
            rij if rij[5] is None else (*rij[:5], _json(rij[5]))
            for rij in self.lees_ruwe_rijen(session, tot_en_met, na)
        ]

    def lees_ruwe_rijen(self, session: Session, tot_en_met: int, na: int = 0) -> list[Any]:
        """``lees_rijen`` as the driver gives them: a fact without typed columns with its
        data as JSON text (``feitkolommen.json_data`` reads it), for the slicer in the child
        that reads the log ahead, which leaves some of that to the service
        (``Snijder.snijd``'s ``uitstellen``). Only for a stream with typed columns."""
        sqlite = session.get_bind().dialect.name == "sqlite"
        moment = SQLITE_US if sqlite else POSTGRES_US
        return self._rijen(
            session, f"COALESCE(vastgelegd_us, {moment})", tot_en_met, na, getypeerd=True
        )

    def _rijen(
        self, session: Session, moment: str, tot_en_met: int, na: int, getypeerd: bool = False
    ) -> list[Any]:
        """The rows from the driver's own cursor (no result rows or processing), the JSON as
        text for orjson: together well under half the time SQLAlchemy's rows and ``json``
        took. ``getypeerd``: also the typed columns, and the JSON only where they are empty."""
        sqlite = session.get_bind().dialect.name == "sqlite"
        data = "data" if sqlite else "data::text"
        if getypeerd:
            data = f"CASE WHEN tekst IS NULL AND getal IS NULL THEN {data} END, datum, tekst, getal"
        cursor = session.connection().connection.cursor()
        try:
            cursor.execute(
                f"SELECT positie, locatie_id, versie, soort, {moment}, {data} "
                f"FROM {self.feiten.name} "
                + (
                    "WHERE positie > ? AND positie <= ?"
                    if sqlite
                    else "WHERE positie > %s AND positie <= %s"
                )
                + " ORDER BY positie",
                (na, tot_en_met),
            )
            return list(cursor.fetchall())
        finally:
            cursor.close()


# The record time in microseconds since 1970 UTC, exact. On SQLite ``UtcDateTime`` stores
# UTC as 'YYYY-MM-DD HH:MM:SS' with '.ffffff' when there are microseconds.
POSTGRES_US = "(extract(epoch FROM vastgelegd_op) * 1000000)::bigint"
SQLITE_US = (
    "CAST(strftime('%s', vastgelegd_op) AS INTEGER) * 1000000 + CASE WHEN "
    "length(vastgelegd_op) > 20 THEN CAST(substr(vastgelegd_op || '00000', 21, 6) AS INTEGER) "
    "ELSE 0 END"
)


def _sqlite_moment(waarde: str) -> datetime:
    # How UtcDateTime stores it on SQLite: UTC without an offset.
    return datetime.fromisoformat(waarde).replace(tzinfo=UTC)


def _utc(waarde: datetime) -> datetime:
    return waarde.astimezone(UTC)


SPOEDLOCATIES = Stroom(
    tables.feiten,
    tables.bron,
    tables.verwerkt,
    lezen.naar_feit,
    logboeken.SPOEDLOCATIES,
    tables.zegels,
    tables.ankers,
    "bodemregie-locaties",
)
KENNIS = Stroom(
    tables.kennis_feiten,
    tables.kennis_bron,
    tables.kennis_verwerkt,
    lezen.naar_kennisfeit,
    logboeken.KENNIS,
    tables.kennis_zegels,
    tables.kennis_ankers,
    "bodemregie-kennis",
)

# The spoedlocaties stream is the one most code speaks of.
verwerk = SPOEDLOCATIES.verwerk
markeer_verwerkt = SPOEDLOCATIES.markeer_verwerkt
watermark = SPOEDLOCATIES.watermark
lees_feiten = SPOEDLOCATIES.lees_feiten
lees_rijen = SPOEDLOCATIES.lees_rijen
