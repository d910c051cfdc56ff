"""The relay's read of new events (the events after its chain head with their outbox row)
probes the outbox by its key, whatever the outbox's size. The outbox keeps a row for every
event ever recorded, so a plan that scans it makes every round cost in proportion to the whole
log. PostgreSQL does not carry ``e.position > N`` over a LEFT JOIN to the outbox's side by
itself: with statistics it happens to probe by key, but without them (a new database, or a table
grown by an import since autovacuum last analysed it) it read the whole outbox every round."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest
from sqlalchemy import Engine

from shared.db.engine import make_session_factory
from shared.db.kopie import kopieer
from shared.eventstore.tables import events, metadata, outbox
from shared.zegel import _NIEUW, _NIEUW_PG
from tests.support.infra import postgres_database

_EVENTS = 20_000


@pytest.fixture(scope="module")
def engine() -> Iterator[Engine]:
    """An event store whose outbox holds a published row for each of its events."""
    with postgres_database() as engine:
        metadata.create_all(engine)
        nu = datetime(2026, 1, 1, tzinfo=UTC)
        with make_session_factory(engine)() as session, session.begin():
            kopieer(
                session,
                events,
                tuple(k.name for k in events.c),
                [
                    (
                        n,
                        str(uuid4()),
                        f"ZH{n // 8:09d}",
                        "spoedlocatie",
                        n % 8 + 1,
                        "x",
                        1,
                        {},
                        {},
                        nu,
                        nu,
                    )
                    for n in range(1, _EVENTS + 1)
                ],
            )
            kopieer(
                session,
                outbox,
                ("position", "topic", "published_at"),
                [(n, "locaties", nu) for n in range(1, _EVENTS + 1)],
            )
        yield engine  # not analysed: the plan must not depend on fresh statistics


def _gelezen(engine: Engine, sql: str, params: dict[str, int] | None = None) -> dict[str, int]:
    """The rows each table's scans produced when the statement ran."""
    with engine.connect() as conn:
        plan = conn.exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params).scalar_one()
        conn.rollback()
    rijen: dict[str, int] = {}

    def loop(knoop: dict[str, Any]) -> None:
        if "Relation Name" in knoop:
            naam = knoop["Relation Name"]
            rijen[naam] = rijen.get(naam, 0) + knoop["Actual Rows"] * knoop["Actual Loops"]
        for kind in knoop.get("Plans", []):
            loop(kind)

    loop(plan[0]["Plan"])
    return rijen


def test_a_round_on_postgresql_reads_only_the_new_events_outbox_rows(engine: Engine) -> None:
    gelezen = _gelezen(engine, _NIEUW_PG % {"na": _EVENTS - 50, "n": 100})
    assert gelezen == {"events": 50, "outbox": 50}


def test_the_sessions_read_of_new_events_reads_only_their_outbox_rows(engine: Engine) -> None:
    sql = str(_NIEUW.compile(dialect=engine.dialect))
    gelezen = _gelezen(engine, sql, {"na": _EVENTS - 50, "n": 100})
    assert gelezen == {"events": 50, "outbox": 50}
