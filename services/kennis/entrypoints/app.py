"""The kennis HTTP application; ``create_app`` is the factory uvicorn runs."""

from __future__ import annotations

from fastapi import FastAPI

from services.kennis.bootstrap import bootstrap
from services.kennis.config import KennisSettings
from services.kennis.entrypoints import (
    routes_bijdragen,
    routes_bijeenkomsten,
    routes_onverwerkbaar,
    routes_vragen,
)
from services.kennis.entrypoints.fouten import DOMEINFOUTEN
from shared.http.app import service_app
from shared.privacy import routes as routes_personen

API_VERSION = "0.1.0"
DESCRIPTION = """Het kennisplatform voor de beleidstransitie: vragen uit het veld, antwoorden,
vergelijkbare vragen samenvoegen zodat het programma één keer antwoordt. Elke wijziging is een
gebeurtenis op bodem.kennis.v1."""


def create_app(settings: KennisSettings | None = None) -> FastAPI:
    return service_app(
        title="Bodemregie Kennis",
        description=DESCRIPTION,
        api_version=API_VERSION,
        routers=[
            routes_vragen.router,
            routes_bijdragen.router,
            routes_bijeenkomsten.router,
            routes_personen.router,
            routes_onverwerkbaar.router,
        ],
        settings=settings or KennisSettings(),
        bootstrap=bootstrap,
        ankersleutels=True,
        domain_errors=DOMEINFOUTEN,
    )
