"""The migration that takes names and contact addresses out of the experts' read model keeps
the experts and does not break the reads of a database from before the person store."""

from __future__ import annotations

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, text

from services.kennis.bootstrap import VERSIONS
from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app
from shared.auth import Rol
from shared.db.migrations import alembic_config
from tests.support.locaties import SECRET, token


def test_old_experts_lose_name_and_address_and_still_read(sql_engine: Engine) -> None:
    cfg = alembic_config([VERSIONS])
    with sql_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "kennis_0004")
        conn.execute(
            text(
                "INSERT INTO k_experts (expert_id, naam, organisatie, themas, contact) "
                "VALUES ('ex-000000000001', 'Jan Jansen', 'UT', '[\"ondergrond\"]', 'jan@ut.nl')"
            )
        )
    settings = KennisSettings(
        database_url=sql_engine.url.render_as_string(hide_password=False),
        jwt_secret=SECRET,
        kafka_enabled=False,
    )
    with TestClient(create_app(settings)) as api:
        (expert,) = api.get("/v1/experts", headers=token(Rol.RIJK, None)).json()
    assert expert["expertId"] == "ex-000000000001"
    assert (expert["naam"], expert["contact"]) == ("onbekend", "onbekend")
    kolommen = {c["name"] for c in inspect(sql_engine).get_columns("k_experts")}
    assert {"naam", "contact"}.isdisjoint(kolommen) and "persoon" in kolommen
