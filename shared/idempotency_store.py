"""The stored answers of requests with an ``Idempotency-Key`` (one table in every service's
database, written in the command's own transaction; see ``shared/idempotency.py``).

A key belongs to one caller: the primary key is (scope, key), where the scope is a hash of the
token's ``sub`` (so the table holds no login). The fingerprint is a hash over method, path and
the canonical body; a retry must match it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    delete,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db.direct_async import AsyncStatements
from shared.db.types import UtcDateTime

metadata = MetaData()

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(64), primary_key=True),
    Column("sleutel", String(255), primary_key=True),
    Column("vingerafdruk", String(64), nullable=False),
    Column("status", Integer, nullable=False),
    Column("headers", Text, nullable=False),  # JSON list of [name, value] pairs, in order
    Column("body", LargeBinary, nullable=False),
    Column("vastgelegd_op", UtcDateTime, nullable=False),
    Column("verloopt_op", UtcDateTime, nullable=False),
)


def nu() -> datetime:
    """Record time for keys; tests move it forward to see a key expire."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Antwoord:
    """An answer as it went out: status, headers (raw, in order) and body."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Opgeslagen:
    vingerafdruk: str
    antwoord: Antwoord


def lees(session: Session, scope: str, sleutel: str, moment: datetime) -> Opgeslagen | None:
    """The stored answer for this caller's key, unless it has expired."""
    rij = session.execute(
        select(idempotency_keys).where(
            idempotency_keys.c.scope == scope,
            idempotency_keys.c.sleutel == sleutel,
            idempotency_keys.c.verloopt_op > moment,
        )
    ).first()
    if rij is None:
        return None
    return _opgeslagen(rij.vingerafdruk, rij.status, rij.headers, rij.body)


_LEES = (
    "SELECT vingerafdruk, status, headers, body FROM idempotency_keys "
    "WHERE scope = %s AND sleutel = %s AND verloopt_op > %s"
)


async def lees_op_lus(
    statements: AsyncStatements, scope: str, sleutel: str, moment: datetime
) -> Opgeslagen | None:
    """As :func:`lees`, awaited on the event loop (PostgreSQL: ``shared/db/direct_async.py``)."""
    rijen = await statements.rows(_LEES, (scope, sleutel, moment))
    if not rijen:
        return None
    vingerafdruk, status, headers, body = rijen[0]
    return _opgeslagen(vingerafdruk, status, headers, body)


def _opgeslagen(vingerafdruk: str, status: int, headers: str, body: bytes) -> Opgeslagen:
    paren = [(str(k), str(v)) for k, v in json.loads(headers)]
    return Opgeslagen(vingerafdruk, Antwoord(status, paren, bytes(body)))


def bewaar(
    session: Session,
    scope: str,
    sleutel: str,
    vingerafdruk: str,
    antwoord: Antwoord,
    moment: datetime,
    bewaartijd: timedelta,
) -> None:
    """Store the answer in the session's transaction, in one statement. An expired row with
    the same key may still be there (cleanup runs now and then): it is overwritten. A live one
    stays, and this raises IntegrityError: that is how two first requests end with one answer."""
    waarden = {
        "scope": scope,
        "sleutel": sleutel,
        "vingerafdruk": vingerafdruk,
        "status": antwoord.status,
        "headers": json.dumps(antwoord.headers),
        "body": antwoord.body,
        "vastgelegd_op": moment,
        "verloopt_op": moment + bewaartijd,
    }
    dialect = session.get_bind().dialect.name
    maak = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        maak(idempotency_keys)
        .values(**waarden)
        .on_conflict_do_update(
            index_elements=[idempotency_keys.c.scope, idempotency_keys.c.sleutel],
            set_={k: v for k, v in waarden.items() if k not in ("scope", "sleutel")},
            where=idempotency_keys.c.verloopt_op <= moment,
        )
    )
    # RETURNING, not rowcount: drivers report -1 for an upsert that changed nothing.
    if session.execute(statement.returning(idempotency_keys.c.scope)).first() is None:
        raise IntegrityError(
            "INSERT INTO idempotency_keys", {"scope": scope, "sleutel": sleutel}, _Bezet()
        )


class _Bezet(Exception):
    """A live answer for the key is already stored."""


def ruim_op(session: Session, moment: datetime) -> int:
    """Delete expired keys; returns how many."""
    result = session.execute(
        delete(idempotency_keys).where(idempotency_keys.c.verloopt_op <= moment)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def probeer_te_claimen(session: Session, scope: str, sleutel: str) -> bool:
    """PostgreSQL: take a transaction-scoped advisory lock on the key without waiting; False
    when another transaction holds it (that request is still in progress). SQLite has one
    writer at a time (``BEGIN IMMEDIATE``), so the write lock already serialises."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    digest = hashlib.sha256(f"idempotentie\x00{scope}\x00{sleutel}".encode()).digest()
    nummer = int.from_bytes(digest[:8], "big", signed=True)
    return bool(
        session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": nummer}).scalar()
    )
