"""Shared core: ``events.event_id`` without its unique index (on PostgreSQL).

Every append inserted a random UUID text into that B-tree: a random leaf page per event, in an
index as large as the log, ~40 % of the server's time for a bulk INSERT of events (200,000 rows:
5.1-6.6 s with it, 2.2-3.0 s without, on the shared 2-core machine). Nothing looks an event up by
its id, and the ids are made by the store itself as UUID version 4 from the system's randomness
(``bulk._uuid4s``, ``uuid4()`` elsewhere; no caller supplies one), so the index guarded against
a collision that does not happen. Positions, and ``(stream_id, version)``, stay unique.

SQLite keeps it: dropping an unnamed UNIQUE there means rebuilding the table, and throughput
there is not the point.

Revision ID: shared_0005_event_id
"""

from alembic import op

revision = "shared_0005_event_id"
down_revision = "shared_0004_zonder_fk"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("events_event_id_key", "events", type_="unique")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.create_unique_constraint("events_event_id_key", "events", ["event_id"])
