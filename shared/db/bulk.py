"""Many keys in one statement (bulk import; many rows go in by ``shared.db.kopie``).

On PostgreSQL a list of keys travels as one array: one parameter instead of one per key.
Elsewhere an ordinary IN list.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, ColumnElement, String, Table, any_, bindparam, delete
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def een_van(session: Session, kolom: Column[Any], waarden: Sequence[str]) -> ColumnElement[bool]:
    """``kolom IN waarden``; on PostgreSQL ``kolom = ANY(:array)``."""
    if is_postgres(session):
        return kolom == any_(bindparam(f"{kolom.name}_lijst", list(waarden), type_=ARRAY(String)))
    return kolom.in_(list(waarden))


def verwijder(session: Session, tabel: Table, kolom: Column[Any], waarden: Sequence[str]) -> None:
    """Delete the rows whose ``kolom`` is one of ``waarden``."""
    if waarden:
        session.execute(delete(tabel).where(een_van(session, kolom, waarden)))
