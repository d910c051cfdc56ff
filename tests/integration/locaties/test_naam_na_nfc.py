"""A name that NFC makes longer than its column holds is bad input, refused before anything is
stored (400 for the single command and for the import's line), not a database error (a 500 on
PostgreSQL, and on SQLite a name longer than its column stored)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.integration.locaties.test_import import GOUDA, ZH, _events, _importeer
from tests.support.locaties import NIEUW, locaties_client

# 200 characters, 400 after NFC (U+FB2A is excluded from composition: it becomes two).
LANGER_NA_NFC = "\ufb2a" * 200


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def test_a_name_longer_than_its_column_once_normalised_is_refused_as_bad_input(
    api: TestClient, sql_engine: Engine
) -> None:
    body = {**NIEUW, "geometrie": GOUDA, "naam": LANGER_NA_NFC}
    r = api.post("/v1/spoedlocaties", json={**body, "locatieId": "ZH051300081"}, headers=ZH)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == "application/problem+json"

    regel = {"soort": "registratie", "locatieId": "ZH051300082", "body": body}
    (uit,) = _importeer(api, [regel])
    assert uit["status"] == 400, uit
    assert [len(_events(sql_engine, i)) for i in ("ZH051300081", "ZH051300082")] == [0, 0]
    # 100 of them are 200 characters: stored, as NFC has them.
    goed = {**body, "naam": LANGER_NA_NFC[:100], "locatieId": "ZH051300083"}
    r = api.post("/v1/spoedlocaties", json=goed, headers=ZH)
    assert r.status_code == 201, r.text
    assert r.json()["naam"] == "\u05e9\u05c1" * 100
