"""Kennis: meetings and experts.

Revision ID: kennis_0004
"""

import sqlalchemy as sa

from shared.db.revisions import create_tables

revision = "kennis_0004"
down_revision = "kennis_0003"

metadata = sa.MetaData()

upgrade, downgrade = create_tables(
    sa.Table(
        "k_bijeenkomsten",
        metadata,
        sa.Column("bijeenkomst_id", sa.String(40), primary_key=True),
        sa.Column("datum", sa.Date, nullable=False),
        sa.Column("samenvatting", sa.JSON, nullable=False),
    ),
    sa.Table(
        "k_experts",
        metadata,
        sa.Column("expert_id", sa.String(40), primary_key=True),
        sa.Column("naam", sa.String(200), nullable=False),
        sa.Column("organisatie", sa.String(2), nullable=True),
        sa.Column("themas", sa.JSON, nullable=False),
        sa.Column("contact", sa.String(300), nullable=False),
    ),
)
