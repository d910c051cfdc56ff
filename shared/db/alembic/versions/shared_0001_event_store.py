"""Shared core: event store, position counter, outbox, consumer tracking, dead letters.

Revision ID: shared_0001
"""

from uuid import uuid4

import sqlalchemy as sa
from alembic import op

from shared.db.types import UtcDateTime

revision = "shared_0001"
down_revision = None
branch_labels = ("shared",)


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("stream_id", sa.String(100), nullable=False),
        sa.Column("stream_type", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("schema_version", sa.Integer, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("event_metadata", sa.JSON, nullable=False),
        sa.Column("occurred_at", UtcDateTime, nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
    )
    positions = op.create_table(
        "event_positions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_position", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(positions, [{"id": 1, "last_position": 0}])
    identity = op.create_table(
        "store_identity",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("store_id", sa.String(36), nullable=False),
    )
    op.bulk_insert(identity, [{"id": 1, "store_id": str(uuid4())}])
    op.create_table(
        "outbox",
        sa.Column(
            "position",
            sa.BigInteger,
            sa.ForeignKey("events.position"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("published_at", UtcDateTime, nullable=True),
    )
    op.create_index(
        "ix_outbox_unpublished",
        "outbox",
        ["position"],
        postgresql_where=sa.text("published_at IS NULL"),
        sqlite_where=sa.text("published_at IS NULL"),
    )
    op.create_table(
        "consumer_offsets",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("topic", sa.String(200), primary_key=True),
        sa.Column("kafka_partition", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("next_offset", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "consumer_streams",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("stream_id", sa.String(100), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("kafka_partition", sa.Integer, nullable=False),
        sa.Column("kafka_offset", sa.BigInteger, nullable=False),
        sa.Column("message_key", sa.Text, nullable=True),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "dead_letters",
        "consumer_streams",
        "consumer_offsets",
        "outbox",
        "store_identity",
        "event_positions",
        "events",
    ):
        op.drop_table(table)
