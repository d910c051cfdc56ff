"""The kennis HTTP application; ``create_app`` is the factory uvicorn runs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.kennis.bootstrap import Container, bootstrap
from services.kennis.config import KennisSettings
from services.kennis.domain.model import Conflict, GeenRecht, OngeldigeInvoer
from services.kennis.entrypoints import routes
from shared.aggregate import NotFound
from shared.auth import TokenVerifier
from shared.http.app import ReadinessCheck
from shared.http.app import create_app as create_service_app
from shared.http.problems import InvalidParam, problem_response

API_VERSION = "0.1.0"
DESCRIPTION = """Het kennisplatform voor de beleidstransitie: vragen uit het veld, antwoorden,
vergelijkbare vragen samenvoegen zodat het programma één keer antwoordt. Elke wijziging is een
gebeurtenis op bodem.kennis.v1."""


def _fouten(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def _niet_gevonden(request: Request, exc: NotFound) -> JSONResponse:
        return problem_response(
            404, f"Er is geen kennisvraag {exc.aggregate_id}.", instance=request.url.path
        )

    @app.exception_handler(GeenRecht)
    async def _geen_recht(request: Request, exc: GeenRecht) -> JSONResponse:
        return problem_response(403, f"{exc}.", instance=request.url.path)

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> JSONResponse:
        return problem_response(409, f"{exc}.", instance=request.url.path)

    @app.exception_handler(OngeldigeInvoer)
    async def _ongeldig(request: Request, exc: OngeldigeInvoer) -> JSONResponse:
        return problem_response(
            400,
            f"De invoer is ongeldig: {exc}.",
            instance=request.url.path,
            invalid_params=[InvalidParam(name=f"body.{exc.veld}", reason=exc.reden)],
        )


def create_app(settings: KennisSettings | None = None) -> FastAPI:
    settings = settings or KennisSettings()

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

    app = create_service_app(
        title="Bodemregie Kennis",
        description=DESCRIPTION,
        api_version=API_VERSION,
        routers=[routes.router],
        lifespan=lifespan,
        readiness=readiness,
        max_body_bytes=settings.max_body_bytes,
        server_url=settings.public_base_url or f"http://localhost:{settings.port}",
    )
    _fouten(app)
    return app
