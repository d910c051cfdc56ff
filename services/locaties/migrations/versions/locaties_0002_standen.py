"""Locaties: the bitemporal history of every site's state (for historic lists).

Revision ID: locaties_0002
"""

import sqlalchemy as sa

from shared.db.columns import bevoegd_gezag, locatie_id, status, tijdstip
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
        bevoegd_gezag(),
        sa.Column("provincie", sa.String(2), nullable=False),
        sa.Column("gemeentecode", sa.String(4), nullable=False),
        sa.Column("naam", sa.String(200), nullable=False),
        sa.Column("bodemtype", sa.String(20), nullable=False),
        status(),
        sa.Column("status_sinds", sa.Date, nullable=False),
        sa.Column("registratiedatum", sa.Date, nullable=False),
        sa.Column("afgehandeld_op", sa.Date, nullable=True),
        sa.Column("risico_humaan", sa.Boolean, nullable=False),
        sa.Column("risico_ecologisch", sa.Boolean, nullable=False),
        sa.Column("risico_verspreiding", sa.Boolean, nullable=False),
        sa.Column("risicos", sa.JSON, nullable=False),
        sa.Column("knelpunt", sa.String(20), nullable=True),
        sa.Column("budget_euro", sa.BigInteger, nullable=False),
        sa.Column("kosten_euro", sa.BigInteger, nullable=False),
        sa.Column("verontreinigingsgroepen", sa.JSON, nullable=False),
        sa.Column("geometrie_rd", sa.JSON, nullable=True),
        sa.Index("ix_standen_geldig", "geldig_vanaf", "geldig_tot"),
        sa.Index("ix_standen_bekend", "bekend_vanaf", "bekend_tot"),
    ),
)
