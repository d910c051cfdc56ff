"""Rapportage: facts, source and watermark.

Revision ID: rapportage_0001
"""

import sqlalchemy as sa

from shared.db.columns import enige_rij, locatie_id, positie, tijdstip, versie
from shared.db.revisions import create_tables

revision = "rapportage_0001"
down_revision = None
branch_labels = ("rapportage",)
depends_on = ("shared_0001",)

metadata = sa.MetaData()

upgrade, downgrade = create_tables(
    sa.Table(
        "r_feiten",
        metadata,
        positie(primary_key=True),
        locatie_id(),
        versie(),
        sa.Column("soort", sa.String(100), nullable=False),
        tijdstip("vastgelegd_op"),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Index("ix_r_feiten_locatie", "locatie_id", "versie"),
    ),
    sa.Table(
        "r_bron",
        metadata,
        enige_rij(),
        sa.Column("store_id", sa.String(36), nullable=False),
        sa.Column("watermark", sa.BigInteger, nullable=False),
    ),
    sa.Table("r_verwerkt", metadata, positie(primary_key=True)),
)
