"""Kennis: read model of knowledge questions.

Revision ID: kennis_0001
"""

import sqlalchemy as sa

from shared.db.columns import tijdstip, versie
from shared.db.revisions import create_tables

revision = "kennis_0001"
down_revision = None
branch_labels = ("kennis",)
depends_on = ("shared_0002",)

metadata = sa.MetaData()

upgrade, downgrade = create_tables(
    sa.Table(
        "kennisvragen",
        metadata,
        sa.Column("vraag_id", sa.String(40), primary_key=True),
        sa.Column("titel", sa.String(300), nullable=False),
        sa.Column("tekst", sa.Text, nullable=False),
        sa.Column("themas", sa.JSON, nullable=False),
        sa.Column("gesteld_door", sa.String(200), nullable=False),
        sa.Column("organisatie", sa.String(2), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("antwoorden", sa.JSON, nullable=False),
        sa.Column("geaccepteerd", sa.String(40), nullable=True),
        sa.Column("groep_id", sa.String(40), nullable=True),
        versie(),
        tijdstip("gesteld_op"),
        tijdstip("bijgewerkt_op"),
    ),
)
