"""Shared core: event seals (hash chain) for tamper evidence.

Revision ID: shared_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "shared_0002"
down_revision = "shared_0001"


def upgrade() -> None:
    op.create_table(
        "event_seals",
        sa.Column(
            "position",
            sa.BigInteger,
            sa.ForeignKey("events.position"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("stream_prev_hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("event_seals")
