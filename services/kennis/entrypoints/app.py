"""The kennis HTTP application; ``create_app`` is the factory uvicorn runs."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.kennis.bootstrap import bootstrap
from services.kennis.config import KennisSettings
from services.kennis.domain.model import Conflict, GeenRecht, OngeldigeInvoer
from services.kennis.entrypoints import routes_bijdragen, routes_bijeenkomsten, routes_vragen
from shared.aggregate import NotFound
from shared.http.app import service_app
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
    app = service_app(
        title="Bodemregie Kennis",
        description=DESCRIPTION,
        api_version=API_VERSION,
        routers=[routes_vragen.router, routes_bijdragen.router, routes_bijeenkomsten.router],
        settings=settings or KennisSettings(),
        bootstrap=bootstrap,
    )
    _fouten(app)
    return app
