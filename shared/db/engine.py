"""Engine creation for SQLite (embedded default) and PostgreSQL (production)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from shared.idempotency import lezen_naast_aangehouden


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the settings this project relies on.

    SQLite gets WAL, a busy timeout and ``BEGIN IMMEDIATE`` so that concurrent writers queue
    instead of failing with "database is locked" halfway through a transaction.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Any) -> None:
            # A request whose command transaction is held for its Idempotency-Key answer
            # only reads beside it (shared/idempotency.py); IMMEDIATE would wait for itself.
            conn.exec_driver_sql("BEGIN" if lezen_naast_aangehouden() else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    # JSON columns parsed in C: the relay reads every event's data and metadata back to seal
    # and publish it (stdlib json was a fifth of its CPU per event).
    kwargs.setdefault("json_deserializer", orjson.loads)
    return create_engine(url, **kwargs)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
