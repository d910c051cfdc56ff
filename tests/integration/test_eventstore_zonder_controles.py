"""On PostgreSQL the event store's tables carry no checks that cost an append server time and
guard nothing the writers do not (migrations ``shared_0004_zonder_fk`` and
``shared_0005_event_id``): no foreign key from ``outbox`` or ``event_seals`` to ``events``, no
unique index on ``events.event_id``. Going down puts them back; positions and
``(stream_id, version)`` stay unique either way."""

from __future__ import annotations

from sqlalchemy import Engine, text

from shared.db.migrations import alembic_config
from tests.support.infra import postgres_database
from tests.support.migraties import migreer

_CONTROLES = """
SELECT c.conrelid::regclass::text || ':' || c.conname FROM pg_constraint c
WHERE c.conrelid::regclass::text IN ('events', 'outbox', 'event_seals') ORDER BY 1
"""


def _controles(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(text(_CONTROLES)).scalars())


def test_the_event_store_has_no_foreign_keys_or_event_id_index_and_gets_them_back_going_down() -> (
    None
):
    zonder = [
        "event_seals:event_seals_pkey",
        "events:events_pkey",
        "events:uq_events_stream_version",
        "outbox:outbox_pkey",
    ]
    with postgres_database() as engine:
        assert _controles(engine) == zonder
        cfg = alembic_config()
        migreer(engine, cfg, "downgrade", "shared_0003_zegels")
        assert _controles(engine) == sorted(
            [
                *zonder,
                "event_seals:event_seals_position_fkey",
                "events:events_event_id_key",
                "outbox:outbox_position_fkey",
            ]
        )
        migreer(engine, cfg, "upgrade", "heads")
        assert _controles(engine) == zonder
