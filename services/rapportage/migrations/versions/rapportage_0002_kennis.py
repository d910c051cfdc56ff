"""Rapportage: facts, source and watermark of the knowledge platform's stream.

Revision ID: rapportage_0002
"""

import sqlalchemy as sa

from services.rapportage.migrations.stroom import stroom
from shared.db.revisions import create_tables

revision = "rapportage_0002"
down_revision = "rapportage_0001"

metadata = sa.MetaData()
# The kennis stream's subjects (a question, a meeting) have longer ids than a site.
onderwerp = sa.Column("locatie_id", sa.String(40), nullable=False)

upgrade, downgrade = create_tables(*stroom(metadata, "r_kennis_", onderwerp))
