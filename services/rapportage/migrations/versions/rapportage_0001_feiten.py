"""Rapportage: facts, source and watermark.

Revision ID: rapportage_0001
"""

import sqlalchemy as sa

from services.rapportage.migrations.stroom import stroom
from shared.db.columns import locatie_id
from shared.db.revisions import create_tables

revision = "rapportage_0001"
down_revision = None
branch_labels = ("rapportage",)
depends_on = ("shared_0001",)

metadata = sa.MetaData()
feiten, bron, verwerkt = stroom(metadata, "r_", locatie_id())
sa.Index("ix_r_feiten_locatie", feiten.c.locatie_id, feiten.c.versie)

upgrade, downgrade = create_tables(feiten, bron, verwerkt)
