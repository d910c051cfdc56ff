"""Locaties: the bitemporal history of every site's state (for historic lists).

Revision ID: locaties_0002
"""

import sqlalchemy as sa

from services.locaties.migrations.toestand import toestand
from shared.db.columns import locatie_id, tijdstip
from shared.db.revisions import create_tables

revision = "locaties_0002"
down_revision = "locaties_0001"

metadata = sa.MetaData()

upgrade, downgrade = create_tables(
    sa.Table(
        "spoedlocatie_standen",
        metadata,
        locatie_id(primary_key=True),
        sa.Column("geldig_vanaf", sa.Date, primary_key=True),
        sa.Column("versie_vanaf", sa.Integer, primary_key=True),
        sa.Column("geldig_tot", sa.Date, nullable=True),
        tijdstip("bekend_vanaf"),
        tijdstip("bekend_tot", nullable=True),
        *toestand(),
        sa.Index("ix_standen_geldig", "geldig_vanaf", "geldig_tot"),
        sa.Index("ix_standen_bekend", "bekend_vanaf", "bekend_tot"),
    ),
)
