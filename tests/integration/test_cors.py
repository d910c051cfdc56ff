"""CORS for named frontend origins, in every service: a preflight from a named origin is
allowed (with the methods and headers the API takes), one from any other origin is refused
with problem+json and no Access-Control-Allow-Origin; without the setting no origin is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints.app import create_app as locaties_app
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared.settings import ServiceSettings
from tests.support.locaties import SECRET, token

KAART = "https://kaart.example.nl"
ANDER = "https://kwaadwillend.example.com"
APPS: dict[str, tuple[Callable[[dict[str, Any]], FastAPI], str]] = {
    "locaties": (lambda s: locaties_app(LocatiesSettings(**s)), "/v1/spoedlocaties"),
    "rapportage": (lambda s: rapportage_app(RapportageSettings(**s)), "/v1/rapportages"),
    "kennis": (lambda s: kennis_app(KennisSettings(**s)), "/v1/kennisvragen"),
}


@contextmanager
def _app(service: str, engine: Engine, **settings: Any) -> Iterator[tuple[TestClient, str]]:
    maak, pad = APPS[service]
    url = engine.url.render_as_string(hide_password=False)
    app = maak({"database_url": url, "jwt_secret": SECRET, "kafka_enabled": False, **settings})
    with TestClient(app) as client:
        yield client, pad


def _preflight(client: TestClient, pad: str, origin: str) -> Any:
    return client.options(
        pad,
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, accept-crs",
        },
    )


@pytest.mark.parametrize("service", list(APPS))
def test_a_named_origin_may_call_and_another_may_not(service: str, sqlite_engine: Engine) -> None:
    with _app(service, sqlite_engine, cors_origins=f"{KAART}, http://localhost:5173") as (
        api,
        pad,
    ):
        toegestaan = _preflight(api, pad, KAART)
        assert toegestaan.status_code == 200, toegestaan.text
        assert toegestaan.headers["access-control-allow-origin"] == KAART
        assert "GET" in toegestaan.headers["access-control-allow-methods"]
        assert "authorization" in toegestaan.headers["access-control-allow-headers"].lower()
        assert "access-control-allow-credentials" not in toegestaan.headers

        geweigerd = _preflight(api, pad, ANDER)
        assert geweigerd.status_code == 403
        assert geweigerd.headers["content-type"].startswith("application/problem+json")
        assert "access-control-allow-origin" not in geweigerd.headers

        # The actual request: the named origin gets the header (and may read the paging
        # headers), another origin's response has none, so its browser withholds it.
        gewoon = api.get(pad, headers={**token(), "Origin": KAART})
        assert gewoon.headers["access-control-allow-origin"] == KAART
        assert "X-Total-Count" in gewoon.headers["access-control-expose-headers"]
        vreemd = api.get(pad, headers={**token(), "Origin": ANDER})
        assert "access-control-allow-origin" not in vreemd.headers


@pytest.mark.parametrize("service", list(APPS))
def test_by_default_no_origin_may_call(service: str, sqlite_engine: Engine) -> None:
    with _app(service, sqlite_engine) as (api, pad):
        antwoord = _preflight(api, pad, KAART)
        assert "access-control-allow-origin" not in antwoord.headers
        assert antwoord.status_code >= 400
        gewoon = api.get(pad, headers={**token(), "Origin": KAART})
        assert "access-control-allow-origin" not in gewoon.headers


@pytest.mark.parametrize(
    "waarde", ["*", "https://*.example.nl", "kaart.example.nl", "https://kaart.example.nl/pad"]
)
def test_only_named_origins_are_accepted_as_setting(waarde: str) -> None:
    with pytest.raises(ValueError, match="CORS_ORIGINS"):
        ServiceSettings(cors_origins=waarde)
