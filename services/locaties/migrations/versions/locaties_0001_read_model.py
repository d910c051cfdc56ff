"""Locaties: current-state read model and site number counters.

Revision ID: locaties_0001
"""

import sqlalchemy as sa

from shared.db.columns import bevoegd_gezag, locatie_id, status, tijdstip, versie
from shared.db.revisions import create_tables

revision = "locaties_0001"
down_revision = None
branch_labels = ("locaties",)
depends_on = ("shared_0001",)

metadata = sa.MetaData()

upgrade, downgrade = create_tables(
    sa.Table(
        "spoedlocaties",
        metadata,
        locatie_id(primary_key=True),
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
        versie(),
        tijdstip("bijgewerkt_op"),
        sa.Index("ix_spoedlocaties_bg_status", "bevoegd_gezag", "status"),
        sa.Index("ix_spoedlocaties_status", "status"),
    ),
    sa.Table(
        "locatie_volgnummers",
        metadata,
        sa.Column("prefix", sa.String(6), primary_key=True),
        sa.Column("laatste", sa.Integer, nullable=False),
    ),
)
