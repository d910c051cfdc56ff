"""The batch writer's read-model statements on PostgreSQL: one fixed text each, the rows as one
array per column (``unnest``), sent straight through psycopg on the session's connection.

Through SQLAlchemy a multi-row statement cost more Python than the database took to run it:
its "insertmanyvalues" expanded the rows into a ``VALUES`` list with a parameter per cell and
processed every parameter, psycopg then split and converted a text that differed with each
batch size (too long for its query cache), and nothing could be prepared on the server (a
profile of both workers under load: about a quarter of their GIL time). Here the text is the
same whatever the batch's size, so psycopg prepares it after a few uses, and each column goes
as one ``text[]`` parameter cast on the server (``str`` of a date, number or bool and the
JSON text are what PostgreSQL's input functions read), so no per-row type dispatch happens in
Python. The results are the same rows SQLAlchemy would write and return
(``tests/integration/locaties/test_groepscommit_setgewijs.py``: a batch's read models equal a
rebuild from the events)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Column, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from shared.db.types import UtcDateTime

_DIALECT = postgresql.dialect()


def schrijf_huidig(session: Session, rijen: list[dict[str, Any]]) -> None:
    """Upsert the current rows (of distinct sites)."""
    _uitvoeren(session, _huidig_sql(), _kolommen(spoedlocaties, rijen))


def voeg_standen_toe(session: Session, rijen: list[dict[str, Any]]) -> None:
    """Insert new bitemporal rows."""
    _uitvoeren(session, _standen_sql(), _kolommen(spoedlocatie_standen, rijen))


def sluit_open(
    session: Session, sluiten: list[tuple[str, date, datetime]]
) -> dict[str, list[Mapping[Any, Any]]]:
    """Close each site's open row dated on or before its date (``bekend_tot`` = the record
    time); returns the closed rows per site, as SQLAlchemy reads them (UTC timestamps)."""
    ids, datums, tot = zip(*sluiten, strict=True)
    gelezen = _uitvoeren(
        session, _sluit_sql(), (list(ids), [str(d) for d in datums], [str(t) for t in tot])
    )
    namen = [c.name for c in spoedlocatie_standen.c]
    utc = [c.name for c in spoedlocatie_standen.c if isinstance(c.type, UtcDateTime)]
    gesloten: dict[str, list[Mapping[Any, Any]]] = defaultdict(list)
    for waarden in gelezen:
        rij = dict(zip(namen, waarden, strict=True))
        for naam in utc:
            if rij[naam] is not None:
                rij[naam] = rij[naam].astimezone(UTC)
        gesloten[rij["locatie_id"]].append(rij)
    return gesloten


def _uitvoeren(session: Session, sql: str, parameters: Sequence[Any]) -> list[Any]:
    """On the session's connection, in its transaction; the parameters go to psycopg as they
    are (no SQLAlchemy parameter processing), while its error handling stays: a unique key
    is an ``IntegrityError`` (the batch writer answers 412 on it), a lost connection is
    invalidated."""
    result = session.connection().exec_driver_sql(sql, tuple(parameters))
    return list(result.fetchall()) if result.returns_rows else []


def _tekst(waarde: Any) -> str | None:
    if waarde is None or isinstance(waarde, str):
        return waarde
    if isinstance(waarde, (list, dict)):
        return json.dumps(waarde)
    if isinstance(waarde, datetime):
        if waarde.tzinfo is None:
            raise ValueError("naive datetime: pass a timezone-aware value")
        return str(waarde)
    return str(waarde)


def _kolommen(tabel: Table, rijen: list[dict[str, Any]]) -> list[list[str | None]]:
    return [_kolom(c, [rij.get(c.name) for rij in rijen]) for c in tabel.c]


def _kolom(kolom: Column[Any], waarden: list[Any]) -> list[str | None]:
    if isinstance(kolom.type, JSON) and not kolom.type.none_as_null:
        # As SQLAlchemy does: None is the JSON value null, not SQL NULL.
        return [json.dumps(w) for w in waarden]
    return [_tekst(w) for w in waarden]


def _type(kolom: Column[Any]) -> str:
    # Without a length: a cast to varchar(n) would cut a longer text silently, where the
    # column's own check (on assignment) refuses it, as it did through SQLAlchemy.
    return str(kolom.type.compile(dialect=_DIALECT)).split("(")[0]


def _insert(tabel: Table) -> str:
    namen = ", ".join(c.name for c in tabel.c)
    arrays = ", ".join("%s::text[]" for _ in tabel.c)
    waarden = ", ".join(f"v.{c.name}::{_type(c)}" for c in tabel.c)
    return (
        f"INSERT INTO {tabel.name} ({namen}) SELECT {waarden} FROM unnest({arrays}) AS v({namen})"
    )


@lru_cache(maxsize=1)
def _huidig_sql() -> str:
    bijwerken = ", ".join(
        f"{c.name} = EXCLUDED.{c.name}" for c in spoedlocaties.c if c.name != "locatie_id"
    )
    return f"{_insert(spoedlocaties)} ON CONFLICT (locatie_id) DO UPDATE SET {bijwerken}"


@lru_cache(maxsize=1)
def _standen_sql() -> str:
    return _insert(spoedlocatie_standen)


@lru_cache(maxsize=1)
def _sluit_sql() -> str:
    kolommen = ", ".join(f"s.{c.name}" for c in spoedlocatie_standen.c)
    return (
        "UPDATE spoedlocatie_standen AS s SET bekend_tot = v.tot::timestamptz "
        "FROM unnest(%s::text[], %s::text[], %s::text[]) AS v(id, datum, tot) "
        "WHERE s.locatie_id = v.id AND s.geldig_tot IS NULL AND s.bekend_tot IS NULL "
        f"AND s.geldig_vanaf <= v.datum::date RETURNING {kolommen}"
    )
