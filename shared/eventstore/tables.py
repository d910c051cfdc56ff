"""Tables of the shared core. Migrations in ``shared/db/alembic/versions`` create them."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.db.types import UtcDateTime

metadata = MetaData()

events = Table(
    "events",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    # Made by the store (UUID version 4); not unique-indexed on PostgreSQL, where the random
    # inserts into that index cost an append ~40 % of its server time (``shared_0005_event_id``).
    Column("event_id", String(36), nullable=False),
    Column("stream_id", String(100), nullable=False),
    Column("stream_type", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("data", JSON, nullable=False),
    Column("event_metadata", JSON, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    UniqueConstraint("stream_id", "version", name="uq_events_stream_version"),
)

# One row holding the last handed-out global position. Appenders update it inside their
# transaction, so its row lock orders commits: a reader never sees position n+1 before n.
event_positions = Table(
    "event_positions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_position", BigInteger, nullable=False),
)

# Identity of this store, sent with every published event so the relay can recognise its own
# messages on a topic when it reconciles after a failure.
store_identity = Table(
    "store_identity",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("store_id", String(36), nullable=False),
)

# ``outbox.position`` and ``event_seals.position`` are an event's position, without a foreign
# key on PostgreSQL: checking one row by row cost the import 8-13 µs of server CPU per event
# and guards nothing the writers do not (migration ``shared_0004_zonder_fk``). SQLite's
# migrations keep theirs.
outbox = Table(
    "outbox",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("topic", String(200), nullable=False),
    Column("published_at", UtcDateTime, nullable=True),
    Index(
        "ix_outbox_unpublished",
        "position",
        postgresql_where="published_at IS NULL",
        sqlite_where="published_at IS NULL",
    ),
)

# The hash chain (see shared/integriteit.py), written by the sealer in position order.
event_seals = Table(
    "event_seals",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("stream_prev_hash", String(64), nullable=False),
)

# Idempotent consumers: the Kafka position and the projection change commit together.
consumer_offsets = Table(
    "consumer_offsets",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("kafka_partition", Integer, primary_key=True, autoincrement=False),
    Column("next_offset", BigInteger, nullable=False),
)

consumer_streams = Table(
    "consumer_streams",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("stream_id", String(100), primary_key=True),
    Column("version", Integer, nullable=False),
)

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("consumer", String(100), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("kafka_partition", Integer, nullable=False),
    Column("kafka_offset", BigInteger, nullable=False),
    Column("message_key", Text, nullable=True),
    Column("payload", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

# Verifying consumers (shared/messaging/zegelcontrole.py): the seal of every event a consumer
# accepted, by position, so the next event's ``prevhash`` and ``streamprevhash`` can be checked
# against it, and the records that arrived ahead of the chain (another partition runs late).
consumer_seals = Table(
    "consumer_seals",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", String(64), nullable=False),
    Column("stream_id", String(100), nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_consumer_seals_stream", "consumer", "stream_id", "version"),
)

consumer_pending = Table(
    "consumer_pending",
    metadata,
    Column("consumer", String(100), primary_key=True),
    Column("topic", String(200), primary_key=True),
    Column("kafka_partition", Integer, primary_key=True, autoincrement=False),
    Column("kafka_offset", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False),
    Column("message_key", Text, nullable=True),
    Column("payload", Text, nullable=False),
    Index("ix_consumer_pending_position", "consumer", "position"),
)
