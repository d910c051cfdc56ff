"""Locaties: the lines of bulk imports already recorded, per caller and line key (so a file sent
again records nothing new and gets the same answers).

Revision ID: locaties_0003
"""

import sqlalchemy as sa

from shared.db.columns import locatie_id, tijdstip, versie
from shared.db.revisions import create_tables

revision = "locaties_0003"
down_revision = "locaties_0002"

metadata = sa.MetaData()

upgrade, downgrade = create_tables(
    sa.Table(
        "import_regels",
        metadata,
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("sleutel", sa.String(255), primary_key=True),
        sa.Column("vingerafdruk", sa.String(64), nullable=False),
        locatie_id(),
        versie(),
        tijdstip("vastgelegd_op"),
    ),
)
