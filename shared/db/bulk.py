"""Many rows in one statement (bulk import).

On PostgreSQL the rows travel as one JSON document that the server turns into rows of the
table's own type (columns by name), and a list of keys as one array: one parameter, serialised
in C, instead of a parameter per cell (which the driver and the server both pay for, per cell).
Elsewhere an ordinary executemany and IN list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Column, ColumnElement, String, Table, any_, bindparam, delete, insert, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def voeg_toe(session: Session, tabel: Table, rijen: Sequence[dict[str, Any]]) -> None:
    """Insert ``rijen`` (dicts keyed by column name) into ``tabel``."""
    if not rijen:
        return
    if not is_postgres(session):
        session.execute(insert(tabel), list(rijen))
        return
    statement = text(
        f"INSERT INTO {tabel.name} SELECT * FROM "
        f"json_populate_recordset(NULL::{tabel.name}, CAST(:rijen AS json))"
    )
    session.execute(statement, {"rijen": orjson.dumps(list(rijen)).decode()})


def een_van(session: Session, kolom: Column[Any], waarden: Sequence[str]) -> ColumnElement[bool]:
    """``kolom IN waarden``; on PostgreSQL ``kolom = ANY(:array)``."""
    if is_postgres(session):
        return kolom == any_(bindparam(f"{kolom.name}_lijst", list(waarden), type_=ARRAY(String)))
    return kolom.in_(list(waarden))


def verwijder(session: Session, tabel: Table, kolom: Column[Any], waarden: Sequence[str]) -> None:
    """Delete the rows whose ``kolom`` is one of ``waarden``."""
    if waarden:
        session.execute(delete(tabel).where(een_van(session, kolom, waarden)))
