"""The batch writer's read-model statements on PostgreSQL: one fixed text each, prepared on the
server, the rows as one JSON document, sent straight through psycopg on the session's connection
(``shared/db/direct.py``).

Through SQLAlchemy a multi-row statement cost more Python than the database took to run it:
its "insertmanyvalues" expanded the rows into a ``VALUES`` list with a parameter per cell and
processed every parameter, psycopg then split and converted a text that differed with each
batch size (too long for its query cache), and nothing could be prepared on the server. An
array per column (``unnest``) fixed the text, but psycopg still dumped each array element by
element in Python (a fifth of the writer's GIL time under 16 writers). Now orjson writes the
rows in C and the server reads each cell as the text of its JSON value (``r->>k``) cast to the
column's type: the same input functions that read ``str`` of a date, number or bool, and a JSON
column's value is its ``json.dumps`` text, as SQLAlchemy stored it. The results are the same
rows SQLAlchemy would write and return (in ``tests/integration/locaties/``:
``test_groepscommit_setgewijs.py``, a batch's read models equal a rebuild from the events;
``test_projection_pg.py``, equal to the rows SQLAlchemy writes)."""

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
from shared.db.direct import aware, execute, json_rows
from shared.db.types import UtcDateTime

_DIALECT = postgresql.dialect()


def schrijf_huidig(session: Session, rijen: list[dict[str, Any]]) -> None:
    """Upsert the current rows (of distinct sites)."""
    _uitvoeren(session, _huidig_sql(), _document(spoedlocaties, rijen))


def voeg_standen_toe(session: Session, rijen: list[dict[str, Any]]) -> None:
    """Insert new bitemporal rows."""
    _uitvoeren(session, _standen_sql(), _document(spoedlocatie_standen, rijen))


def sluit_open(
    session: Session, sluiten: list[tuple[str, date, datetime]]
) -> dict[str, list[Mapping[Any, Any]]]:
    """Close each site's open row dated on or before its date (``bekend_tot`` = the record
    time); returns the closed rows per site, as SQLAlchemy reads them (UTC timestamps)."""
    for _, _, tot in sluiten:
        aware(tot)
    gelezen = _uitvoeren(session, _sluit_sql(), (json_rows(sluiten),))
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
    """On the session's connection, in its transaction, prepared; a unique key is an
    ``IntegrityError`` (the batch writer answers 412 on it), a lost connection is
    invalidated (``shared.db.direct.execute``)."""
    return execute(session.connection(), sql, parameters)


def _document(tabel: Table, rijen: list[dict[str, Any]]) -> tuple[str]:
    """The rows, their cells in the table's column order."""
    kolommen, tijden = _kolommen(tabel)
    for rij in rijen:
        for naam in tijden:
            aware(rij.get(naam))
    return (
        json_rows(
            [
                # As SQLAlchemy does: a JSON column's None is the JSON value null, not SQL NULL.
                [
                    json.dumps(rij.get(naam)) if is_json else rij.get(naam)
                    for naam, is_json in kolommen
                ]
                for rij in rijen
            ]
        ),
    )


@lru_cache(maxsize=4)
def _kolommen(tabel: Table) -> tuple[tuple[tuple[str, bool], ...], tuple[str, ...]]:
    """Each column's name and whether it holds JSON; the names of the timestamp columns."""
    return (
        tuple((c.name, isinstance(c.type, JSON) and not c.type.none_as_null) for c in tabel.c),
        tuple(c.name for c in tabel.c if isinstance(c.type, UtcDateTime)),
    )


def _type(kolom: Column[Any]) -> str:
    # Without a length: a cast to varchar(n) would cut a longer text silently, where the
    # column's own check (on assignment) refuses it, as it did through SQLAlchemy.
    return str(kolom.type.compile(dialect=_DIALECT)).split("(")[0]


def _insert(tabel: Table) -> str:
    namen = ", ".join(c.name for c in tabel.c)
    waarden = ", ".join(f"(r->>{k})::{_type(c)}" for k, c in enumerate(tabel.c))
    return (
        f"INSERT INTO {tabel.name} ({namen}) "
        f"SELECT {waarden} FROM jsonb_array_elements(%s::jsonb) AS r"
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
        "UPDATE spoedlocatie_standen AS s SET bekend_tot = (r->>2)::timestamptz "
        "FROM jsonb_array_elements(%s::jsonb) AS r "
        "WHERE s.locatie_id = r->>0 AND s.geldig_tot IS NULL AND s.bekend_tot IS NULL "
        f"AND s.geldig_vanaf <= (r->>1)::date RETURNING {kolommen}"
    )
