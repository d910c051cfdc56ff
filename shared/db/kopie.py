"""Many rows into a table through PostgreSQL's binary COPY (bulk import).

``COPY ... FROM STDIN (FORMAT BINARY)`` costs the server less than half of an INSERT over a JSON
document per row (no JSON to take apart, no text to parse into numbers and timestamps: measured
40 against 18 µs of server CPU per event row with its outbox row), and psycopg writes the rows
in C. COPY goes through the same constraints, indexes and triggers as an INSERT, in the
caller's transaction; a refused row (a duplicate key) fails the statement and with it the
transaction, as the INSERT would. Elsewhere (SQLite) an ordinary executemany.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import orjson
import psycopg
from sqlalchemy import JSON, Table, insert
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

# The PostgreSQL type of each column type the bulk tables use, as psycopg names them.
_PG_TYPES = {
    "BIGINT": "int8",
    "INTEGER": "int4",
    "VARCHAR": "varchar",
    "TEXT": "text",
    # A JSON column gets its text from orjson: in binary COPY the bytes of text and json are the
    # same (the server reads them with the column's own type), and psycopg's json dumper would
    # take a str for a JSON string and serialise it once more.
    "JSON": "text",
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "DATE": "date",
    "BOOLEAN": "bool",
    "FLOAT": "float8",
    "DOUBLE PRECISION": "float8",
}


@cache
def _kolommen(tabel: Table, namen: tuple[str, ...]) -> tuple[str, list[str], tuple[bool, ...]]:
    """The COPY statement for these columns, their PostgreSQL types and which hold JSON."""
    dialect = postgresql.dialect()
    typen, json = [], []
    for naam in namen:
        kolom = tabel.c[naam]
        soort = kolom.type.compile(dialect=dialect).split("(")[0].strip()
        typen.append(_PG_TYPES[soort])
        json.append(isinstance(kolom.type, JSON))
    sql = f"COPY {tabel.name} ({', '.join(namen)}) FROM STDIN (FORMAT BINARY)"
    return sql, typen, tuple(json)


def kopieer(
    session: Session, tabel: Table, namen: Sequence[str], rijen: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rijen`` (tuples in the order of the columns ``namen``) into ``tabel``. JSON
    columns take the Python value (serialised with orjson, as ``shared.db.bulk.voeg_toe``
    does); timestamps must carry their time zone."""
    if not rijen:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(tabel), [dict(zip(namen, r, strict=True)) for r in rijen])
        return
    sql, typen, json = _kolommen(tabel, tuple(namen))
    cursor = session.connection().connection.cursor()
    try:
        with cursor.copy(sql) as copy:
            copy.set_types(typen)
            if any(json):
                for rij in rijen:
                    copy.write_row(
                        [
                            orjson.dumps(v).decode() if j and v is not None else v
                            for v, j in zip(rij, json, strict=True)
                        ]
                    )
            else:
                for rij in rijen:
                    copy.write_row(rij)
    except psycopg.Error as exc:
        # The driver's own error, raised past SQLAlchemy: made SQLAlchemy's (IntegrityError for
        # a duplicate key, ...), which is what callers catch for a statement the database refused.
        raise DBAPIError.instance(sql, None, exc, psycopg.Error) from exc
    finally:
        cursor.close()


def kopieer_rijen(session: Session, tabel: Table, rijen: Sequence[dict[str, Any]]) -> None:
    """``kopieer`` for rows as dicts keyed by column name (a key missing from a row is NULL,
    as in ``voeg_toe``)."""
    if not rijen:
        return
    sleutels = set().union(*rijen)
    namen = tuple(k.name for k in tabel.columns if k.name in sleutels)
    kopieer(session, tabel, namen, [tuple(r.get(k) for k in namen) for r in rijen])
