"""The snapshot of the timelines: position, the log's chain hash there, the file's digest.

Revision ID: rapportage_0004
"""

import sqlalchemy as sa

from shared.db.columns import enige_rij, positie
from shared.db.revisions import create_tables

revision = "rapportage_0004"
down_revision = "rapportage_0003"

metadata = sa.MetaData()

upgrade, downgrade = create_tables(
    sa.Table(
        "r_momentopname",
        metadata,
        enige_rij(),
        positie(),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
    ),
)
