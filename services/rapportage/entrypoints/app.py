"""The rapportage HTTP application; ``create_app`` is the factory uvicorn runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.rapportage.bootstrap import Container, bootstrap
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints import routes
from shared.auth import TokenVerifier
from shared.http.app import ReadinessCheck
from shared.http.app import create_app as create_service_app

API_VERSION = "1.0.0"
DESCRIPTION = """Voortgangs- en verantwoordingsrapportages over de spoedlocaties, gebouwd uit de
gebeurtenissenstroom van het register. Elk rapport neemt een peildatum, noemt de laatste positie
in de stroom die het meeneemt en draagt een digest, zodat het reproduceerbaar en controleerbaar
is. JSON, CSV of HTML."""


def create_app(settings: RapportageSettings | None = None) -> FastAPI:
    settings = settings or RapportageSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        container = bootstrap(settings)
        app.state.container = container
        app.state.token_verifier = TokenVerifier(settings)
        try:
            yield
        finally:
            container.close()

    def readiness(app: FastAPI) -> dict[str, ReadinessCheck]:
        container: Container = app.state.container
        return {"database": container.check_database}

    return create_service_app(
        title="Bodemregie Rapportage",
        description=DESCRIPTION,
        api_version=API_VERSION,
        routers=[routes.router],
        lifespan=lifespan,
        readiness=readiness,
        max_body_bytes=settings.max_body_bytes,
        server_url=settings.public_base_url or f"http://localhost:{settings.port}",
    )
