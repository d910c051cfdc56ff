"""Rapportage: facts, source and watermark.

Revision ID: rapportage_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision = "rapportage_0001"
down_revision = None
branch_labels = ("rapportage",)
depends_on = ("shared_0001",)


def upgrade() -> None:
    op.create_table(
        "r_feiten",
        sa.Column("positie", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("locatie_id", sa.String(11), nullable=False),
        sa.Column("versie", sa.Integer, nullable=False),
        sa.Column("soort", sa.String(100), nullable=False),
        sa.Column("vastgelegd_op", UtcDateTime, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_index("ix_r_feiten_locatie", "r_feiten", ["locatie_id", "versie"])
    op.create_table(
        "r_bron",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("store_id", sa.String(36), nullable=False),
        sa.Column("watermark", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "r_verwerkt",
        sa.Column("positie", sa.BigInteger, primary_key=True, autoincrement=False),
    )


def downgrade() -> None:
    op.drop_table("r_verwerkt")
    op.drop_table("r_bron")
    op.drop_table("r_feiten")
