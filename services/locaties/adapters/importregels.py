"""The bulk-import lines already recorded: per caller (a hash of the token's ``sub``) and line
key, the line's fingerprint and the answer it got (site and version). Written in the same
transaction as the line's events, kept for good: a history file sent again a year later still
records nothing twice."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Column, MetaData, String, Table, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from shared.db.bulk import een_van, is_postgres
from shared.db.columns import locatie_id, tijdstip, versie
from shared.db.kopie import kopieer

metadata = MetaData()

import_regels = Table(
    "import_regels",
    metadata,
    Column("scope", String(64), primary_key=True),
    Column("sleutel", String(255), primary_key=True),
    Column("vingerafdruk", String(64), nullable=False),
    locatie_id(),
    versie(),
    tijdstip("vastgelegd_op"),
)


_KOLOMMEN = ("scope", "sleutel", "vingerafdruk", "locatie_id", "versie", "vastgelegd_op")


# One primary-key probe per asked key, whatever the planner thinks of the table: the LIMIT keeps
# the subquery from being flattened into a join, which the planner could run as a scan of all
# the caller's recorded lines. With ``sleutel = ANY(:array)`` it did: psycopg prepares a
# statement after five runs, and the generic plan made while the table was still small scanned
# every row and compared it with each of the batch's 1,000 keys (a parameter array is not
# hashed), ~0.4 s a batch at 40,000 recorded lines, growing with every import.
_LEES_PG = text(
    "SELECT r.sleutel, r.vingerafdruk, r.locatie_id, r.versie "
    "FROM unnest(CAST(:sleutels AS varchar[])) AS k(sleutel) "
    "CROSS JOIN LATERAL (SELECT sleutel, vingerafdruk, locatie_id, versie FROM import_regels "
    "WHERE scope = :scope AND sleutel = k.sleutel LIMIT 1) AS r"
).bindparams(bindparam("sleutels", type_=ARRAY(String)))


@dataclass(frozen=True)
class Vastgelegd:
    """What a recorded line answered."""

    vingerafdruk: str
    locatie_id: str
    versie: int


def lees(session: Session, scope: str, sleutels: Iterable[str]) -> dict[str, Vastgelegd]:
    """The recorded lines among ``sleutels`` of this caller, in one query."""
    gevraagd = sorted(set(sleutels))
    if not gevraagd:
        return {}
    if is_postgres(session):
        rijen = session.execute(_LEES_PG, {"scope": scope, "sleutels": gevraagd})
    else:
        t = import_regels.c
        rijen = session.execute(
            select(t.sleutel, t.vingerafdruk, t.locatie_id, t.versie).where(
                t.scope == scope, een_van(session, t.sleutel, gevraagd)
            )
        )
    return {r.sleutel: Vastgelegd(r.vingerafdruk, r.locatie_id, r.versie) for r in rijen}


def bewaar(session: Session, scope: str, regels: dict[str, Vastgelegd], moment: datetime) -> None:
    """Record lines in the caller's transaction (one statement). A key recorded meanwhile by
    a concurrent import of the same caller fails the primary key, and with it the batch."""
    if not regels:
        return
    kopieer(
        session,
        import_regels,
        _KOLOMMEN,
        [
            (scope, sleutel, v.vingerafdruk, v.locatie_id, v.versie, moment)
            for sleutel, v in regels.items()
        ],
    )
