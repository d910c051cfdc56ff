"""Tables of the locaties service besides the shared core (migrations create them)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)

from shared.db.types import UtcDateTime

metadata = MetaData()

# Current state of every site, kept in the same transaction as its events: the list endpoint
# filters and pages here instead of replaying streams. Derived data: rebuildable from events.
spoedlocaties = Table(
    "spoedlocaties",
    metadata,
    Column("locatie_id", String(11), primary_key=True),
    Column("bevoegd_gezag", String(2), nullable=False),
    Column("provincie", String(2), nullable=False),
    Column("gemeentecode", String(4), nullable=False),
    Column("naam", String(200), nullable=False),
    Column("bodemtype", String(20), nullable=False),
    Column("status", String(40), nullable=False),
    Column("status_sinds", Date, nullable=False),
    Column("registratiedatum", Date, nullable=False),
    Column("afgehandeld_op", Date, nullable=True),
    Column("risico_humaan", Boolean, nullable=False),
    Column("risico_ecologisch", Boolean, nullable=False),
    Column("risico_verspreiding", Boolean, nullable=False),
    Column("risicos", JSON, nullable=False),
    Column("knelpunt", String(20), nullable=True),
    Column("budget_euro", BigInteger, nullable=False),
    Column("kosten_euro", BigInteger, nullable=False),
    Column("verontreinigingsgroepen", JSON, nullable=False),
    Column("geometrie_rd", JSON, nullable=True),
    Column("versie", Integer, nullable=False),
    Column("bijgewerkt_op", UtcDateTime, nullable=False),
    Index("ix_spoedlocaties_bg_status", "bevoegd_gezag", "status"),
    Index("ix_spoedlocaties_status", "status"),
)

volgnummers = Table(
    "locatie_volgnummers",
    metadata,
    Column("prefix", String(6), primary_key=True),
    Column("laatste", Integer, nullable=False),
)
