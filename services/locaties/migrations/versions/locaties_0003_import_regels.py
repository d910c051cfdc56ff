"""Locaties: the lines of bulk imports already recorded, per caller and line key (so a file sent
again records nothing new and gets the same answers).

Revision ID: locaties_0003
"""

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision = "locaties_0003"
down_revision = "locaties_0002"


def upgrade() -> None:
    op.create_table(
        "import_regels",
        sa.Column("scope", sa.String(64), primary_key=True),
        sa.Column("sleutel", sa.String(255), primary_key=True),
        sa.Column("vingerafdruk", sa.String(64), nullable=False),
        sa.Column("locatie_id", sa.String(11), nullable=False),
        sa.Column("versie", sa.Integer, nullable=False),
        sa.Column("vastgelegd_op", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("import_regels")
