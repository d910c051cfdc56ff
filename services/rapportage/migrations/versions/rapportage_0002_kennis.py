"""Rapportage: facts, source and watermark of the knowledge platform's stream.

Revision ID: rapportage_0002
"""

import sqlalchemy as sa

from shared.db.columns import enige_rij, positie, tijdstip, versie
from shared.db.revisions import create_tables

revision = "rapportage_0002"
down_revision = "rapportage_0001"

metadata = sa.MetaData()

upgrade, downgrade = create_tables(
    sa.Table(
        "r_kennis_feiten",
        metadata,
        positie(primary_key=True),
        # The kennis stream's ids (a question, a meeting) are longer than a site's.
        sa.Column("locatie_id", sa.String(40), nullable=False),
        versie(),
        sa.Column("soort", sa.String(100), nullable=False),
        tijdstip("vastgelegd_op"),
        sa.Column("data", sa.JSON, nullable=False),
    ),
    sa.Table(
        "r_kennis_bron",
        metadata,
        enige_rij(),
        sa.Column("store_id", sa.String(36), nullable=False),
        sa.Column("watermark", sa.BigInteger, nullable=False),
    ),
    sa.Table("r_kennis_verwerkt", metadata, positie(primary_key=True)),
)
