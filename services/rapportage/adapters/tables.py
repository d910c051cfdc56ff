"""Read models of the rapportage service (created by its migrations)."""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, MetaData, String, Table

from shared.db.types import UtcDateTime

metadata = MetaData()

# Every spoedlocatie event as a fact, upcast to the current schema, keyed by its global position.
feiten = Table(
    "r_feiten",
    metadata,
    Column("positie", BigInteger, primary_key=True, autoincrement=False),
    Column("locatie_id", String(11), nullable=False),
    Column("versie", Integer, nullable=False),
    Column("soort", String(100), nullable=False),
    Column("vastgelegd_op", UtcDateTime, nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_r_feiten_locatie", "locatie_id", "versie"),
)

# The source event store and the watermark: every position up to it has been processed, so a
# report built from facts up to the watermark is a consistent prefix of the log.
bron = Table(
    "r_bron",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("store_id", String(36), nullable=False),
    Column("watermark", BigInteger, nullable=False),
)

# Positions processed above the watermark (events from partitions that ran ahead).
verwerkt = Table(
    "r_verwerkt",
    metadata,
    Column("positie", BigInteger, primary_key=True, autoincrement=False),
)


# The same three for the knowledge platform's stream (bodem.kennis.v1); ``locatie_id`` holds the
# subject of the event (a question or a group).
kennis_feiten = Table(
    "r_kennis_feiten",
    metadata,
    Column("positie", BigInteger, primary_key=True, autoincrement=False),
    Column("locatie_id", String(40), nullable=False),
    Column("versie", Integer, nullable=False),
    Column("soort", String(100), nullable=False),
    Column("vastgelegd_op", UtcDateTime, nullable=False),
    Column("data", JSON, nullable=False),
)
kennis_bron = Table(
    "r_kennis_bron",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("store_id", String(36), nullable=False),
    Column("watermark", BigInteger, nullable=False),
)
kennis_verwerkt = Table(
    "r_kennis_verwerkt",
    metadata,
    Column("positie", BigInteger, primary_key=True, autoincrement=False),
)
