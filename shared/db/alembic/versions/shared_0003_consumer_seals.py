"""Shared core: what verifying consumers remember of the seals they checked.

Revision ID: shared_0003_zegels
"""

import sqlalchemy as sa
from alembic import op

# A name of its own rather than the next number: other shared revisions may branch off
# shared_0002 at the same time; migrations run to all heads.
revision = "shared_0003_zegels"
down_revision = "shared_0002"


def upgrade() -> None:
    op.create_table(
        "consumer_seals",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("stream_id", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index(
        "ix_consumer_seals_stream", "consumer_seals", ["consumer", "stream_id", "version"]
    )
    op.create_table(
        "consumer_pending",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("topic", sa.String(200), primary_key=True),
        sa.Column("kafka_partition", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("kafka_offset", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("message_key", sa.Text, nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_consumer_pending_position", "consumer_pending", ["consumer", "position"])


def downgrade() -> None:
    op.drop_table("consumer_pending")
    op.drop_table("consumer_seals")
