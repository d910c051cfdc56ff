"""Kennis: read model of knowledge questions.

Revision ID: kennis_0001
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision = "kennis_0001"
down_revision = None
branch_labels = ("kennis",)
depends_on = ("shared_0002",)


def upgrade() -> None:
    op.create_table(
        "kennisvragen",
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
        sa.Column("versie", sa.Integer, nullable=False),
        sa.Column("gesteld_op", UtcDateTime, nullable=False),
        sa.Column("bijgewerkt_op", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("kennisvragen")
