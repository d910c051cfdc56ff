"""Locaties: current-state read model and site number counters.

Revision ID: locaties_0001
"""

import sqlalchemy as sa

from services.locaties.migrations.toestand import toestand
from shared.db.columns import locatie_id, tijdstip, versie
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
        *toestand(),
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
