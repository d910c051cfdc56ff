"""The rapportage HTTP application; ``create_app`` is the factory uvicorn runs."""

from __future__ import annotations

from fastapi import FastAPI

from services.rapportage.bootstrap import bootstrap
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints import (
    landingspagina,
    routes,
    routes_programma,
    routes_publicaties,
)
from services.rapportage.entrypoints.fouten import DOMEINFOUTEN
from shared.http.app import service_app

API_VERSION = "1.0.0"
DESCRIPTION = """Voortgangs- en verantwoordingsrapportages over de spoedlocaties, gebouwd uit de
gebeurtenissenstroom van het register. Elk rapport neemt een peildatum, noemt de laatste positie
in de stroom die het meeneemt en draagt een digest, zodat het reproduceerbaar en controleerbaar
is. JSON, CSV, HTML, XLSX of PDF. Gepubliceerde rapporten (publicaties) zijn openbaar en
veranderen nooit; een verbetering is een nieuwe publicatie."""


def create_app(settings: RapportageSettings | None = None) -> FastAPI:
    return service_app(
        title="Bodemregie Rapportage",
        description=DESCRIPTION,
        api_version=API_VERSION,
        routers=[routes.router, routes_publicaties.router, routes_programma.router],
        settings=settings or RapportageSettings(),
        bootstrap=bootstrap,
        ankersleutels=True,  # it signs the anchors of its publications' log
        landing=landingspagina.secties,
        domain_errors=DOMEINFOUTEN,
    )
