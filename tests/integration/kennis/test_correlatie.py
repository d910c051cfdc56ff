"""X-Correlation-ID in kennis (as in locaties): the id a client sends is recorded in the
metadata of every event its command records; without one each request gets its own."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from shared.auth import Rol
from shared.eventstore.tables import events
from tests.support.kennis import kennis_client
from tests.support.locaties import token

ZL = token(Rol.BEVOEGD_GEZAG, "ZL")
UP = token(Rol.UITVOERINGSPROGRAMMA, None)
VRAAG = {"titel": "WKO", "tekst": "Mag WKO in een pluim?", "themas": ["bodemenergie-wko"]}


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with kennis_client(sql_engine) as client:
        yield client


def _metadata(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [
            dict(m)
            for m in conn.execute(
                select(events.c.event_metadata).order_by(events.c.position)
            ).scalars()
        ]


def test_the_correlation_id_of_the_request_is_in_the_events_it_records(
    api: TestClient, sql_engine: Engine
) -> None:
    vraag = api.post("/v1/kennisvragen", json=VRAAG, headers={**ZL, "X-Correlation-ID": "zaak-7"})
    assert vraag.status_code == 201, vraag.text
    url = f"/v1/kennisvragen/{vraag.json()['vraagId']}"
    antwoord = api.post(
        f"{url}/antwoorden", json={"tekst": "Ja."}, headers={**UP, "X-Correlation-ID": "zaak-8"}
    )
    assert antwoord.status_code == 201, antwoord.text
    gesteld, beantwoord = _metadata(sql_engine)
    assert gesteld["correlation_id"] == "zaak-7"
    assert beantwoord["correlation_id"] == "zaak-8"
    assert gesteld["actor"].startswith("prs-") and gesteld["organisation"] == "ZL"


def test_without_a_correlation_id_each_request_gets_a_fresh_one(
    api: TestClient, sql_engine: Engine
) -> None:
    for _ in range(2):
        assert api.post("/v1/kennisvragen", json=VRAAG, headers=ZL).status_code == 201
    eerste, tweede = (UUID(m["correlation_id"]) for m in _metadata(sql_engine))
    assert eerste != tweede


def test_a_correlation_id_longer_than_100_characters_is_refused_and_stores_nothing(
    api: TestClient, sql_engine: Engine
) -> None:
    response = api.post(
        "/v1/kennisvragen", json=VRAAG, headers={**ZL, "X-Correlation-ID": "x" * 101}
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _metadata(sql_engine) == []
