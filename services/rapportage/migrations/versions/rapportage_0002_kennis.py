"""Rapportage: facts, source and watermark of the knowledge platform's stream.

Revision ID: rapportage_0002
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision = "rapportage_0002"
down_revision = "rapportage_0001"


def upgrade() -> None:
    op.create_table(
        "r_kennis_feiten",
        sa.Column("positie", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("locatie_id", sa.String(40), nullable=False),
        sa.Column("versie", sa.Integer, nullable=False),
        sa.Column("soort", sa.String(100), nullable=False),
        sa.Column("vastgelegd_op", UtcDateTime, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )
    op.create_table(
        "r_kennis_bron",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("store_id", sa.String(36), nullable=False),
        sa.Column("watermark", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "r_kennis_verwerkt",
        sa.Column("positie", sa.BigInteger, primary_key=True, autoincrement=False),
    )


def downgrade() -> None:
    for table in ("r_kennis_verwerkt", "r_kennis_bron", "r_kennis_feiten"):
        op.drop_table(table)
