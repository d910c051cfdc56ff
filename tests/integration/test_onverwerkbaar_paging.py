"""GET /v1/onverwerkbare-gebeurtenissen of rapportage and kennis: a page at a time, never the
whole (unbounded) list; the body stays a list, the paging is in the headers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared.auth import Rol
from shared.eventstore.tables import dead_letters
from tests.support.locaties import SECRET, token

PAD = "/v1/onverwerkbare-gebeurtenissen"
AUDITOR = token(Rol.AUDITOR, None)


@pytest.fixture(params=["rapportage", "kennis"])
def api(request: pytest.FixtureRequest, sqlite_engine: Engine) -> Iterator[TestClient]:
    url = sqlite_engine.url.render_as_string(hide_password=False)
    app = (
        rapportage_app(RapportageSettings(database_url=url, jwt_secret=SECRET, kafka_enabled=False))
        if request.param == "rapportage"
        else kennis_app(KennisSettings(database_url=url, jwt_secret=SECRET, kafka_enabled=False))
    )
    with TestClient(app) as client:
        with sqlite_engine.begin() as conn:
            conn.execute(
                insert(dead_letters),
                [
                    {
                        "consumer": "c",
                        "topic": "t",
                        "kafka_partition": 0,
                        "kafka_offset": i,
                        "message_key": None,
                        "payload": "{}",
                        "reason": f"reden {i}",
                        "recorded_at": datetime(2026, 1, 1, tzinfo=UTC),
                    }
                    for i in range(45)
                ],
            )
        yield client


def test_the_first_page_has_20_and_the_headers_say_how_many_there_are(api: TestClient) -> None:
    antwoord = api.get(PAD, headers=AUDITOR)
    assert antwoord.status_code == 200
    assert [d["offset"] for d in antwoord.json()] == list(range(20))
    assert antwoord.headers["X-Total-Count"] == "45"
    assert antwoord.headers["X-Pagination-Page"] == "1"
    assert antwoord.headers["X-Pagination-Limit"] == "20"
    assert antwoord.headers["Link"] == (
        f'<{PAD}?page=1&pageSize=20>; rel="first", '
        f'<{PAD}?page=2&pageSize=20>; rel="next", '
        f'<{PAD}?page=3&pageSize=20>; rel="last"'
    )


def test_a_later_page_oldest_first(api: TestClient) -> None:
    antwoord = api.get(PAD, params={"page": 3, "pageSize": 20}, headers=AUDITOR)
    assert [d["offset"] for d in antwoord.json()] == list(range(40, 45))
    assert 'rel="prev"' in antwoord.headers["Link"]
    assert 'rel="next"' not in antwoord.headers["Link"]
    groot = api.get(PAD, params={"pageSize": 200}, headers=AUDITOR)
    assert len(groot.json()) == 45


@pytest.mark.parametrize(
    ("params", "veld"),
    [({"pageSize": 201}, "pageSize"), ({"pageSize": 0}, "pageSize"), ({"page": 0}, "page")],
)
def test_limits_are_a_400_naming_the_parameter(
    api: TestClient, params: dict[str, int], veld: str
) -> None:
    antwoord = api.get(PAD, params=params, headers=AUDITOR)
    assert antwoord.status_code == 400
    assert antwoord.headers["content-type"].startswith("application/problem+json")
    assert veld in antwoord.text
