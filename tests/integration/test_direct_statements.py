"""Hot-path statements straight on psycopg (``shared/db/direct.py``, PostgreSQL): prepared on
the server from their first use, and still behaving as SQLAlchemy's statements do for their
callers: listeners see them, a unique key is SQLAlchemy's IntegrityError, a lost connection is
invalidated and replaced on the next transaction."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
import pytest
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from shared.db.direct import aware, execute, json_rows
from tests.support.infra import PG_ADMIN_URL, postgres_database

ZOEK = "SELECT %s::integer + 1"


def _voorbereid(engine_conn: Any) -> list[str]:
    rows = engine_conn.execute(text("SELECT statement FROM pg_prepared_statements")).scalars()
    return list(rows)


def test_a_statement_is_prepared_on_the_server_from_its_first_use() -> None:
    with postgres_database() as engine, engine.connect() as conn:
        assert execute(conn, ZOEK, (41,)) == [(42,)]
        # psycopg's own threshold would prepare it only at its fifth use.
        assert any("+ 1" in s for s in _voorbereid(conn))


def test_listeners_see_the_statement() -> None:
    with postgres_database() as engine:
        gezien: list[str] = []

        def luister(conn: Any, cursor: Any, sql: str, *_: Any) -> None:
            gezien.append(sql)

        event.listen(engine, "before_cursor_execute", luister)
        with engine.connect() as conn:
            execute(conn, ZOEK, (1,))
        assert ZOEK in gezien


def test_a_unique_key_is_sqlalchemys_integrity_error() -> None:
    with postgres_database() as engine, engine.connect() as conn:
        conn.execute(text("CREATE TABLE t (k integer PRIMARY KEY)"))
        execute(conn, "INSERT INTO t VALUES (%s)", (1,))
        with pytest.raises(IntegrityError):
            execute(conn, "INSERT INTO t VALUES (%s)", (1,))


def _termineer(engine: Engine, pid: int) -> None:
    beheer = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with beheer.connect() as c:
        c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    beheer.dispose()


def test_a_lost_connection_is_invalidated_and_replaced_on_the_next_transaction() -> None:
    with postgres_database() as engine, engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        conn.rollback()
        _termineer(engine, pid)
        with pytest.raises(DBAPIError) as fout:
            execute(conn, ZOEK, (1,))
        assert fout.value.connection_invalidated
        conn.rollback()
        assert execute(conn, ZOEK, (1,)) == [(2,)]  # held on to, as the batch writer does


def test_the_document_carries_what_the_columns_read() -> None:
    amsterdam = timezone(timedelta(hours=2))
    rij = [
        'één "twee" \\ drie',
        7,
        0.1,
        Decimal("12.50"),
        True,
        None,
        date(2011, 2, 28),
        datetime(2012, 3, 1, 10, 30, 0, 123456, tzinfo=amsterdam),
        UUID("12345678-1234-5678-1234-567812345678"),
        '{"a": [1, 2]}',
    ]
    sql = (
        "SELECT r->>0, (r->>1)::integer, (r->>2)::float, (r->>3)::numeric, (r->>4)::boolean, "
        "r->>5, (r->>6)::date, (r->>7)::timestamptz, r->>8, (r->>9)::json::text "
        "FROM jsonb_array_elements(%s::jsonb) AS r"
    )
    with postgres_database() as engine, engine.connect() as conn:
        ((*gelezen, tijd, uuid, tekst),) = execute(conn, sql, (json_rows([rij]),))
    assert gelezen == rij[:7]
    assert tijd == rij[7] and tijd.astimezone(UTC) == datetime(2012, 3, 1, 8, 30, 0, 123456, UTC)
    assert uuid == str(rij[8])
    assert tekst == rij[9]  # a JSON column's text as it was given
    assert orjson.loads(json_rows([[1.5e-7]])) == [[1.5e-7]]


def test_a_naive_datetime_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        aware(datetime(2012, 3, 1))
    aware(datetime(2012, 3, 1, tzinfo=UTC))
    aware(None)


def test_a_statement_outside_a_transaction_begins_one_that_commit_commits() -> None:
    with postgres_database() as engine:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (k integer)"))
        with engine.connect() as conn:
            execute(conn, "INSERT INTO t VALUES (%s)", (1,))
            conn.commit()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT k FROM t")).scalars().all() == [1]
