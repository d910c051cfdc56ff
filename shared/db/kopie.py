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
from operator import itemgetter
from typing import Any

import orjson
import psycopg
from psycopg.adapt import PyFormat
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
    "TIMESTAMP WITH TIME ZONE": "timestamptz",
    "DATE": "date",
    "BOOLEAN": "bool",
    "FLOAT": "float8",
    "DOUBLE PRECISION": "float8",
}


# A JSON column gets orjson's bytes as they are: in binary COPY a json value is its UTF-8 text
# (the server reads it with the column's own type, which checks it is JSON), the same bytes as a
# bytea's; psycopg's json dumper would take them for a value and serialise them once more.
_JSON_TYPE = "bytea"
_GEEN = object()  # no value yet: the first row's JSON values are always written


@cache
def _kolommen(tabel: Table, namen: tuple[str, ...]) -> tuple[str, list[str], tuple[int, ...]]:
    """The COPY statement for these columns, their PostgreSQL types and the places of the
    columns that hold JSON. (A ``none_as_null`` JSON column would need ``None`` kept as SQL
    NULL; none of the bulk tables has one, so it is refused here rather than handled.)"""
    dialect = postgresql.dialect()
    typen, json = [], []
    for i, naam in enumerate(namen):
        kolom = tabel.c[naam]
        if isinstance(kolom.type, JSON):
            if kolom.type.none_as_null:
                raise ValueError(f"{tabel.name}.{naam}: a none_as_null JSON column")
            typen.append(_JSON_TYPE)
            json.append(i)
        else:
            typen.append(_PG_TYPES[kolom.type.compile(dialect=dialect).split("(")[0].strip()])
    sql = f"COPY {tabel.name} ({', '.join(namen)}) FROM STDIN (FORMAT BINARY)"
    return sql, typen, tuple(json)


def kopieer(
    session: Session, tabel: Table, namen: Sequence[str], rijen: Sequence[Sequence[Any]]
) -> None:
    """Insert ``rijen`` (tuples in the order of the columns ``namen``) into ``tabel``. JSON
    columns take the Python value (serialised with orjson; ``None`` is JSON ``null``, as
    SQLAlchemy's INSERT stores it unless the column's type says ``none_as_null``); timestamps
    must carry their time zone. ``rijen`` must be built (a sequence): a JSON value repeated as
    one object is encoded once, so rows made lazily that change it between rows would be
    stored with its first content."""
    if not isinstance(rijen, Sequence):
        raise TypeError(f"kopieer takes the rows built, not a {type(rijen).__name__}")
    if not rijen:
        return
    if session.get_bind().dialect.name != "postgresql":
        session.execute(insert(tabel), [dict(zip(namen, r, strict=True)) for r in rijen])
        return
    sql, typen, json = _kolommen(tabel, tuple(namen))
    cursor = session.connection().connection.cursor()
    if json:
        # The bytea type's own dumper is psycopg's ``Binary`` wrapper, in Python (~0.35 µs a
        # value more); bytes go out unchanged by either, so take the C dumper of bytes for it
        # (on this cursor's adapters only).
        cursor.adapters.register_dumper(None, cursor.adapters.get_dumper(bytes, PyFormat.BINARY))
    try:
        with cursor.copy(sql) as copy:
            copy.set_types(typen)
            schrijf = copy.write_row
            if not json:
                for rij in rijen:
                    schrijf(rij)
            else:
                # A JSON value the row before held in the same column, as the same object, is
                # written as the bytes made for it then: the import's rows share many (every
                # event of a batch one metadata dict, a site's state rows its geometry, groups
                # and risks), and the rows are built, so nothing changes them during the loop.
                dumps = orjson.dumps
                vorige: list[Any] = [_GEEN] * len(json)
                gedumpt: list[bytes] = [b""] * len(json)
                for rij in rijen:
                    waarden = list(rij)
                    for k, i in enumerate(json):
                        waarde = waarden[i]
                        if waarde is not vorige[k]:
                            vorige[k] = waarde
                            gedumpt[k] = dumps(waarde)
                        waarden[i] = gedumpt[k]
                    schrijf(waarden)
    except psycopg.Error as exc:
        # The driver's own error, raised past SQLAlchemy: made SQLAlchemy's (IntegrityError for
        # a duplicate key, ...), which is what callers catch for a statement the database refused.
        raise DBAPIError.instance(sql, None, exc, psycopg.Error) from exc
    finally:
        cursor.close()


def kopieer_rijen(session: Session, tabel: Table, rijen: Sequence[dict[str, Any]]) -> None:
    """``kopieer`` for rows as dicts keyed by column name, every row with the same keys (a row
    without one of the first row's keys is a KeyError)."""
    if not rijen:
        return
    namen = tuple(rijen[0])
    waarden: list[Any] = list(map(itemgetter(*namen), rijen))
    if len(namen) == 1:
        waarden = [(w,) for w in waarden]
    kopieer(session, tabel, namen, waarden)
