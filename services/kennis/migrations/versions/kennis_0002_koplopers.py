"""Kennis: remediation progress per site, read from bodem.spoedlocaties.v1 (koplopers).

Revision ID: kennis_0002
"""

import sqlalchemy as sa

from shared.db.columns import bevoegd_gezag, locatie_id, status
from shared.db.revisions import create_tables

revision = "kennis_0002"
down_revision = "kennis_0001"

metadata = sa.MetaData()

upgrade, downgrade = create_tables(
    sa.Table("k_locaties", metadata, locatie_id(primary_key=True), bevoegd_gezag(), status()),
)
