"""The schema every service's migrations build, on SQLite and PostgreSQL, equals the recorded one.

Migrations are history: a refactoring of how they are written (shared helpers for their common
shape) must not change what ``alembic upgrade heads`` creates. The recorded schema in
``migratieschema.json`` is the reflected result (SQLite's own DDL text, PostgreSQL's columns,
constraints and index definitions) of the migrations as they were before such a refactoring.

A new migration changes the schema on purpose; record it again with
``BODEMREGIE_SCHEMA_OPNEMEN=1 pytest tests/integration/test_migratieschema.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, inspect, text

from services.kennis.bootstrap import VERSIONS as KENNIS
from services.locaties.bootstrap import VERSIONS as LOCATIES
from services.rapportage.bootstrap import VERSIONS as RAPPORTAGE
from shared.db import migrations
from shared.db.migrations import alembic_config
from shared.privacy import VERSIONS as PERSONEN
from tests.support.infra import postgres_database, sqlite_database
from tests.support.migraties import migreer

OPGENOMEN = Path(__file__).with_name("migratieschema.json")
DIENSTEN = {
    "locaties": [LOCATIES, PERSONEN],
    "kennis": [KENNIS, PERSONEN],
    "rapportage": [RAPPORTAGE],
}

PG_KOLOMMEN = """
SELECT table_name, column_name, ordinal_position, data_type, character_maximum_length,
       numeric_precision, datetime_precision, is_nullable, column_default, is_identity
FROM information_schema.columns WHERE table_schema = 'public'
ORDER BY table_name, ordinal_position
"""
PG_CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = 'public' ORDER BY 1, 2
"""
PG_INDEXES = "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'"


def _rijen(engine: Engine, sql: str) -> list[list[Any]]:
    with engine.connect() as conn:
        return sorted(([*r] for r in conn.execute(text(sql))), key=repr)


def schema(engine: Engine) -> dict[str, list[list[Any]]]:
    """What the database holds after the migrations, as plain, comparable rows."""
    versies = _rijen(engine, "SELECT version_num FROM alembic_version")
    if engine.dialect.name == "sqlite":
        ddl = _rijen(engine, "SELECT type, name, tbl_name, sql FROM sqlite_master")
        return {"versies": versies, "ddl": ddl}
    return {
        "versies": versies,
        "kolommen": _rijen(engine, PG_KOLOMMEN),
        "constraints": _rijen(engine, PG_CONSTRAINTS),
        "indexes": _rijen(engine, PG_INDEXES),
    }


def _database(dialect: str, dirs: list[Path], tmp_path: Path) -> AbstractContextManager[Engine]:
    if dialect == "sqlite":
        return sqlite_database(tmp_path, dirs)
    return postgres_database(dirs)


@pytest.fixture(scope="module")
def opgenomen() -> Iterator[dict[str, Any]]:
    opnemen = os.environ.get("BODEMREGIE_SCHEMA_OPNEMEN") == "1"
    inhoud: dict[str, Any] = {} if opnemen else json.loads(OPGENOMEN.read_text())
    yield inhoud
    if opnemen:
        OPGENOMEN.write_text(json.dumps(inhoud, indent=1, sort_keys=True) + "\n")


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("dienst", sorted(DIENSTEN))
def test_the_migrations_build_the_recorded_schema(
    dienst: str, dialect: str, tmp_path: Path, opgenomen: dict[str, Any]
) -> None:
    with _database(dialect, DIENSTEN[dienst], tmp_path) as engine:
        gebouwd = json.loads(json.dumps(schema(engine), default=str))
    sleutel = f"{dienst}/{dialect}"
    if os.environ.get("BODEMREGIE_SCHEMA_OPNEMEN") == "1":
        opgenomen[sleutel] = gebouwd
    assert gebouwd == opgenomen[sleutel]


@pytest.mark.parametrize("dienst", sorted(DIENSTEN))
def test_the_migrations_go_down_to_nothing_and_up_to_the_same_schema(
    dienst: str, tmp_path: Path
) -> None:
    with sqlite_database(tmp_path, DIENSTEN[dienst]) as engine:
        voor = schema(engine)
        kern = set(_tabellen_zonder(engine, dienst))
        cfg = alembic_config(DIENSTEN[dienst])
        migreer(engine, cfg, "downgrade", f"{dienst}@base")
        assert set(inspect(engine).get_table_names()) == kern
        migreer(engine, cfg, "upgrade", "heads")
        assert schema(engine) == voor


@pytest.mark.parametrize("dienst", sorted(DIENSTEN))
def test_an_upgrade_of_a_database_in_use_builds_the_recorded_schema(
    dienst: str, opgenomen: dict[str, Any]
) -> None:
    """``migrations.upgrade`` of a PostgreSQL database whose service tables are gone again (down
    to the service's base, the shared core kept) builds the recorded schema, as from nothing."""
    with postgres_database(DIENSTEN[dienst]) as engine:
        migreer(engine, alembic_config(DIENSTEN[dienst]), "downgrade", f"{dienst}@base")
        migrations.upgrade(engine, DIENSTEN[dienst])
        gebouwd = json.loads(json.dumps(schema(engine), default=str))
    assert gebouwd == opgenomen[f"{dienst}/postgresql"]


def _tabellen_zonder(engine: Engine, dienst: str) -> list[str]:
    """The tables of a database with only the shared core (and the person store) migrated."""
    dirs = [d for d in DIENSTEN[dienst] if d not in (KENNIS, LOCATIES, RAPPORTAGE)]
    with sqlite_database(Path(engine.url.database or ".").parent, dirs) as kern:
        return inspect(kern).get_table_names()
