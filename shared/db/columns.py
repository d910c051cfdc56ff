"""Columns that mean the same in every service's tables and migrations.

A site's id, an authority's code, a status, a version, a moment and a log position are stored
alike wherever a service keeps them (one width, one type), so one service's read model reads
like another's. Each function returns a new column: a column belongs to one table.

Migrations use these too, and a revision is history: what a function here returns must never
change (``tests/integration/test_migratieschema.py`` compares what the migrations build with the
recorded schema). A column that has to change gets a new revision that alters it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Integer, String

from shared.db.types import UtcDateTime


def locatie_id(*, primary_key: bool = False) -> Column[str]:
    """A spoedlocatie's id (``ZH051300001``: authority, CBS municipality code, number)."""
    return Column("locatie_id", String(11), primary_key=primary_key, nullable=False)


def bevoegd_gezag() -> Column[str]:
    """The competent authority's two-letter code (a province or one of the G4)."""
    return Column("bevoegd_gezag", String(2), nullable=False)


def status() -> Column[str]:
    """A site's status in the remediation process (``shared.vocabulaire``)."""
    return Column("status", String(40), nullable=False)


def versie() -> Column[int]:
    """An aggregate's version after the event that wrote the row."""
    return Column("versie", Integer, nullable=False)


def tijdstip(naam: str, *, nullable: bool = False) -> Column[datetime]:
    """A moment in record time (UTC, also on SQLite)."""
    return Column(naam, UtcDateTime, nullable=nullable)


def positie(*, primary_key: bool = False) -> Column[int]:
    """A position in an event log (the store's gapless counter), never generated here."""
    if primary_key:
        return Column("positie", BigInteger, primary_key=True, autoincrement=False)
    return Column("positie", BigInteger, nullable=False)


def enige_rij() -> Column[int]:
    """The key of a table that holds one row (a watermark, a snapshot's position)."""
    return Column("id", Integer, primary_key=True, autoincrement=False)
