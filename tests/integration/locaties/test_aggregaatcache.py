"""The aggregate cache never changes an answer: two processes (two apps) on one PostgreSQL
database, each caching the sites it last wrote; the append's version check catches a cached
site another process moved on, and the command is then judged on the stored events."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from shared.eventstore.tables import events
from tests.support.locaties import NIEUW, locaties_client, token

pytestmark = pytest.mark.postgres
ZH = token()


@pytest.fixture
def twee(pg_engine: Engine) -> Iterator[tuple[TestClient, TestClient]]:
    with locaties_client(pg_engine) as a, locaties_client(pg_engine) as b:
        yield a, b


def _status(api: TestClient, lid: str, versie: int, naar: str, datum: str) -> Any:
    return api.post(
        f"/v1/spoedlocaties/{lid}/statuswijzigingen",
        json={"naar": naar, "besluitdatum": datum},
        headers={**ZH, "If-Match": f'"{versie}"'},
    )


def _cache(api: TestClient) -> Any:
    return api.app.state.container.cache  # type: ignore[attr-defined]


def test_a_site_cached_by_one_process_and_moved_on_by_another_is_judged_on_the_log(
    twee: tuple[TestClient, TestClient], pg_engine: Engine
) -> None:
    a, b = twee
    lid = a.post("/v1/spoedlocaties", json=NIEUW, headers=ZH).json()["locatieId"]
    assert _status(a, lid, 1, "onderzocht", "2010-06-01").status_code == 201
    assert len(_cache(a)) == 1  # a keeps the site at version 2
    assert _status(b, lid, 2, "ernstig-spoed", "2010-07-01").status_code == 201  # b: v3
    # A client that read version 2 is stale: a's cached copy is at 2, the log at 3. From the
    # cached state (onderzocht) the transition is refused (409); the truth is 412.
    stale = _status(a, lid, 2, "saneringsplan", "2010-08-01")
    assert stale.status_code == 412
    assert stale.headers["etag"] == '"3"'  # the stored version, not a guess
    # A client that read version 3 is right, though a's cache was behind.
    ok = _status(a, lid, 3, "saneringsplan", "2010-09-01")
    assert ok.status_code == 201, ok.text
    assert ok.json()["status"] == "saneringsplan" and ok.headers["etag"] == '"4"'
    with pg_engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() == 4


def test_a_refused_command_evicts_the_site(twee: tuple[TestClient, TestClient]) -> None:
    a, _ = twee
    lid = a.post("/v1/spoedlocaties", json=NIEUW, headers=ZH).json()["locatieId"]
    assert len(_cache(a)) == 1
    assert _status(a, lid, 1, "gesaneerd", "2010-06-01").status_code == 409  # not allowed
    assert len(_cache(a)) == 0
    assert _status(a, lid, 1, "onderzocht", "2010-06-01").status_code == 201
    assert len(_cache(a)) == 1
