"""Shared core: the outbox and the seals no longer reference ``events`` by foreign key (on
PostgreSQL).

Each of those foreign keys was checked row by row: an INSERT into ``outbox`` or ``event_seals``
ran a ``SELECT ... FOR KEY SHARE`` on the event's row, which also writes a row lock into that
row (a second write of every event's heap page, in the relay's transaction for a seal): 8-13 µs
of server CPU per imported event. What they guarded cannot happen: events are never deleted or
renumbered, an outbox row is written in the event's own transaction with the position the
append just handed out (``sql.py``, ``bulk.py``), and a seal only for an event the sealer just
read (``shared/zegel.py``, in position order without gaps); the auditor checks the chain
against the events themselves.

SQLite keeps them: dropping an unnamed foreign key there means rebuilding the table, and
throughput there is not the point.

Revision ID: shared_0004_zonder_fk
"""

from alembic import op

# A name of its own rather than the next number, as shared_0003_zegels explains.
revision = "shared_0004_zonder_fk"
down_revision = "shared_0003_zegels"

FOREIGN_KEYS = {"outbox": "outbox_position_fkey", "event_seals": "event_seals_position_fkey"}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for tabel, naam in FOREIGN_KEYS.items():
        op.drop_constraint(naam, tabel, type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for tabel, naam in FOREIGN_KEYS.items():
        op.create_foreign_key(naam, tabel, "events", ["position"], ["position"])
