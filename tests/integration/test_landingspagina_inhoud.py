"""What the landing pages say, without a browser: rapportage shows its latest publications when
it has them (read through its own GET /v1/publicaties, titles escaped, newest first) and says
there are none yet otherwise; no page is in the OpenAPI document. The real route's answer is
checked in tests/integration/rapportage/test_publicaties.py; here a stand-in route at another
path gives the page a list of known shape."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints.app import create_app as locaties_app
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints import landingspagina
from services.rapportage.entrypoints.app import create_app as rapportage_app

STAND_IN = "/v1/test-publicaties"

PUBLICATIES = [
    {
        "nummer": 1,
        "titel": "Kamerbrief voortgang bodemsanering 2012",
        "gepubliceerdOp": "2013-02-01T10:00:00Z",
        "_links": {"self": {"href": "/v1/publicaties/1"}},
    },
    {
        "nummer": 2,
        "titel": "Kamerbrief <voortgang> 2013",
        "gepubliceerdOp": "2014-02-01T10:00:00Z",
        "_links": {"self": {"href": "/v1/publicaties/2"}},
    },
]


def _rapportage(engine: Engine) -> Any:
    url = engine.url.render_as_string(hide_password=False)
    return rapportage_app(RapportageSettings(database_url=url, kafka_enabled=False))


def test_without_publications_there_are_none_yet(sqlite_engine: Engine) -> None:
    with TestClient(_rapportage(sqlite_engine)) as api:
        pagina = api.get("/")
    assert pagina.status_code == 200
    assert pagina.headers["content-type"].startswith("text/html")
    assert "Nog geen publicaties." in pagina.text
    assert "Landelijke voortgang" in pagina.text


def test_the_latest_publications_come_from_the_api(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(landingspagina, "PUBLICATIES", STAND_IN)
    app = _rapportage(sqlite_engine)
    gevraagd: list[str | None] = []

    def publicaties(authorization: str | None = None) -> dict[str, Any]:
        gevraagd.append(authorization)
        return {"publicaties": PUBLICATIES}

    app.add_api_route(STAND_IN, publicaties, methods=["GET"])
    with TestClient(app) as api:
        tekst = api.get("/").text
    assert gevraagd == [None]  # published is public: read without a token
    assert "Nog geen publicaties." not in tekst
    assert '<a href="/v1/publicaties/2">Kamerbrief &lt;voortgang&gt; 2013</a> (2014-02-01)' in tekst
    assert tekst.index("/v1/publicaties/2") < tekst.index("/v1/publicaties/1")  # newest first
    assert f'<a href="{STAND_IN}">Alle publicaties</a>' in tekst


def test_a_failing_publications_route_leaves_the_page_up(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(landingspagina, "PUBLICATIES", STAND_IN)
    app = _rapportage(sqlite_engine)

    def kapot() -> None:
        raise RuntimeError("stuk")

    app.add_api_route(STAND_IN, kapot, methods=["GET"])
    with TestClient(app, raise_server_exceptions=False) as api:
        pagina = api.get("/")
    assert pagina.status_code == 200
    assert "De publicaties zijn nu niet te lezen." in pagina.text


@pytest.mark.parametrize("service", ["locaties", "rapportage"])
def test_the_landing_page_is_not_in_the_api_document(service: str, sqlite_engine: Engine) -> None:
    if service == "rapportage":
        app = _rapportage(sqlite_engine)
    else:
        url = sqlite_engine.url.render_as_string(hide_password=False)
        app = locaties_app(LocatiesSettings(database_url=url, kafka_enabled=False))
    with TestClient(app) as api:
        assert api.get("/").status_code == 200
        assert "/" not in api.get("/v1/openapi.json").json()["paths"]
