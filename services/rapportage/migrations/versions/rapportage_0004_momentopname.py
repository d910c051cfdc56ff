"""The snapshot of the timelines: position, the log's chain hash there, the file's digest.

Revision ID: rapportage_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "rapportage_0004"
down_revision = "rapportage_0003"


def upgrade() -> None:
    op.create_table(
        "r_momentopname",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("positie", sa.BigInteger, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("r_momentopname")
