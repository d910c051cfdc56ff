"""Publications: reports frozen as published, numbered, each written once.

Revision ID: rapportage_0005
"""

import sqlalchemy as sa

from shared.db.columns import positie, tijdstip
from shared.db.revisions import create_tables

revision = "rapportage_0005"
down_revision = "rapportage_0004"
branch_labels = None
depends_on = ("shared_0002",)  # the publications' events are sealed like every other log

metadata = sa.MetaData()

upgrade, downgrade = create_tables(
    sa.Table(
        "r_publicaties",
        metadata,
        sa.Column("nummer", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("titel", sa.String(200), nullable=False),
        tijdstip("gepubliceerd_op"),
        sa.Column("rapport", sa.String(40), nullable=False),
        sa.Column("rapport_titel", sa.String(200), nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        positie(),
        sa.Column("digest", sa.String(80), nullable=False),
        sa.Column("logboeken", sa.JSON, nullable=False),
        sa.Column("inhoud", sa.JSON, nullable=False),
        sa.Column("tabellen", sa.JSON, nullable=False),
        sa.Column("vervangt", sa.Integer, sa.ForeignKey("r_publicaties.nummer"), nullable=True),
        sa.UniqueConstraint("vervangt", name="uq_r_publicaties_vervangt"),
    ),
)
