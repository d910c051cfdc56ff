"""The command routes' way past FastAPI's router (entrypoints/snelweg.py): a valid command
without an Idempotency-Key never enters the router, anything else goes the whole way, and the
access line (and so the metrics) name the same route either way. (That every answer is the same
both ways is ``test_commandoroute.py``'s 26 scenarios: with ``snelpad`` on they take this way.)"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import APIRouter
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from starlette.middleware.exceptions import ExceptionMiddleware

from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints.app import create_app
from services.locaties.entrypoints.commandoverzoek import Commandoroute
from services.locaties.entrypoints.snelweg import Snelweg
from shared.http.logs import access_log
from tests.support.locaties import SECRET, locaties_client, registreer, token

ZH = token()
STATUS = {"naar": "onderzocht", "besluitdatum": "2010-06-01"}
TEMPLATE = "/v1/spoedlocaties/{locatieId}/statuswijzigingen"


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


@pytest.fixture
def gerouteerd(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths FastAPI's router handed to a route."""
    paden: list[str] = []
    origineel = APIRoute.handle

    async def tellend(self: APIRoute, scope: Any, receive: Any, send: Any) -> None:
        paden.append(scope["path"])
        await origineel(self, scope, receive, send)

    monkeypatch.setattr(APIRoute, "handle", tellend)
    return paden


def test_a_valid_command_passes_the_router_by(api: TestClient, gerouteerd: list[str]) -> None:
    locatie_id = registreer(api, ZH)
    gerouteerd.clear()
    url = f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen"
    ok = api.post(url, json=STATUS, headers={**ZH, "If-Match": '"1"'})
    assert ok.status_code == 201 and ok.headers["etag"] == '"2"', ok.text
    stale = api.post(url, json=STATUS, headers={**ZH, "If-Match": '"1"'})  # a domain error
    assert stale.status_code == 412
    assert stale.headers["content-type"] == "application/problem+json"
    assert gerouteerd == []


def test_anything_else_goes_the_whole_way(api: TestClient, gerouteerd: list[str]) -> None:
    locatie_id = registreer(api, ZH)
    gerouteerd.clear()
    url = f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen"
    assert api.post(url, json=STATUS, headers=ZH).status_code == 428  # no If-Match
    # Read by the lean path and refused: the router's handler gets the body as it came.
    slecht = api.post(url, json={**STATUS, "extra": 1}, headers={**ZH, "If-Match": '"1"'})
    assert slecht.status_code == 400 and "extra" in slecht.text
    sleutel = {**ZH, "If-Match": '"1"', "Idempotency-Key": "een-sleutel"}
    assert api.post(url, json=STATUS, headers=sleutel).status_code == 201
    assert api.get(f"/v1/spoedlocaties/{locatie_id}", headers=ZH).status_code == 200
    assert gerouteerd == [url, url, url, f"/v1/spoedlocaties/{locatie_id}"]


def test_the_access_line_names_the_route_either_way(
    api: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=access_log.name)
    for snel in (True, False):
        monkeypatch.setattr(Commandoroute, "snelpad", snel)
        locatie_id = registreer(api, ZH)
        url = f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen"
        assert api.post(url, json=STATUS, headers={**ZH, "If-Match": '"1"'}).status_code == 201
    regels = [
        r
        for r in caplog.records
        if r.name == access_log.name and getattr(r, "method", "") == "POST"
    ]
    routes = [getattr(r, "route", None) for r in regels if "statuswijzigingen" in r.getMessage()]
    # The metrics take the same template (shared/http/logs.py: one value for both).
    assert routes == [TEMPLATE, TEMPLATE]


def _snelweg(*voor: APIRouter) -> Snelweg:
    """The locaties app's way past the router, with ``voor`` included before its routes."""
    app = create_app(LocatiesSettings(jwt_secret=SECRET))
    for router in voor:
        app.include_router(router, prefix="/v1")
        app.router.routes.insert(0, app.router.routes.pop())
    return Snelweg(ExceptionMiddleware(app.router), app.router)


def _post(pad: str) -> dict[str, Any]:
    return {"type": "http", "method": "POST", "path": pad, "root_path": "", "headers": []}


def test_the_route_is_the_one_the_router_would_choose() -> None:
    snelweg = _snelweg()
    gevonden = snelweg._zoek(_post("/v1/spoedlocaties/ZH051300001/statuswijzigingen"))
    assert gevonden is not None
    route, context, params = gevonden
    assert (route.path, context.path, params) == (
        "/spoedlocaties/{locatieId}/statuswijzigingen",
        TEMPLATE,
        {"locatieId": "ZH051300001"},
    )
    for anders in ("/v1/spoedlocaties", "/v1/spoedlocaties/import", "/v1/programma/afspraken"):
        assert snelweg._zoek(_post(anders)) is None


def test_an_earlier_route_taking_the_post_keeps_it() -> None:
    eerder = APIRouter()

    @eerder.post("/spoedlocaties/{x}/statuswijzigingen")
    def ander() -> None:
        """Een eerdere route voor hetzelfde pad."""

    alleen_get = APIRouter()

    @alleen_get.get("/spoedlocaties/{x}/statuswijzigingen")
    def lees() -> None:
        """Een eerdere route voor een andere methode."""

    pad = _post("/v1/spoedlocaties/ZH051300001/statuswijzigingen")
    assert _snelweg(eerder)._zoek(pad) is None
    assert _snelweg(alleen_get)._zoek(pad) is not None
