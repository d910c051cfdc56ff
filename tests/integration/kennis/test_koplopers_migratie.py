"""The migration that gives koplopers a peildatum keeps what was known before it: the sites'
current statuses, the answers and the successes come along without a date, and count on
every peildatum."""

from __future__ import annotations

import json

from alembic import command
from sqlalchemy import Engine, text

from services.kennis.bootstrap import VERSIONS
from shared.auth import Rol
from shared.db.migrations import alembic_config
from tests.support.kennis import kennis_client
from tests.support.locaties import token

ANTWOORDEN = [
    {"antwoordId": f"an-00000000000{n}", "tekst": "Ja.", "door": "prs-x", "organisatie": "UT"}
    for n in (1, 2)
]


def test_what_was_known_before_counts_on_every_peildatum(sql_engine: Engine) -> None:
    cfg = alembic_config([VERSIONS])
    with sql_engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "kennis_0005")
        for n, (gezag, status) in enumerate(
            [("ZL", "gesaneerd")] * 3 + [("UT", "ernstig-spoed")] * 3
        ):
            conn.execute(
                text("INSERT INTO k_locaties VALUES (:id, :gezag, :status)"),
                {"id": f"{gezag}00000000{n}", "gezag": gezag, "status": status},
            )
        conn.execute(
            text(
                "INSERT INTO kennisvragen (vraag_id, titel, tekst, themas, gesteld_door, "
                "organisatie, status, antwoorden, versie, gesteld_op, bijgewerkt_op) VALUES "
                "('kv-000000000001', 'WKO', 'Mag het?', '[\"ondergrond\"]', 'prs-y', 'ZL', "
                "'open', :antwoorden, 3, '2017-01-01 00:00:00', '2017-01-01 00:00:00')"
            ),
            {"antwoorden": json.dumps(ANTWOORDEN)},
        )
        conn.execute(
            text(
                "INSERT INTO k_zoekindex (ref, soort, titel, tekst, themas, organisatie, "
                "vastgelegd_op) VALUES ('su-000000000001', 'succes', 'Gelukt', 'Verhaal', "
                "'[\"ondergrond\"]', 'GR', '2017-01-01 00:00:00')"
            )
        )
    with kennis_client(sql_engine) as api:
        for peildatum in ("2010-01-01", "2020-06-30"):
            response = api.get(
                "/v1/koplopers", params={"peildatum": peildatum}, headers=token(Rol.RIJK, None)
            )
            assert response.status_code == 200, response.text
            assert {k["organisatie"] for k in response.json()} == {"GR", "UT", "ZL"}
