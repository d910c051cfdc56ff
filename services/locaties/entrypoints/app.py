"""The locaties HTTP application; ``create_app`` is the factory uvicorn runs."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from services.locaties.bootstrap import bootstrap
from services.locaties.config import LocatiesSettings
from services.locaties.domain.model import OngeldigeTransitie, OngeldigeWaarde
from services.locaties.entrypoints import (
    routes_bevoegde_gezagen,
    routes_commandos,
    routes_gebeurtenissen,
    routes_spoedlocaties,
)
from services.locaties.service_layer.handlers import BestaatAl, GeenToegang, VersieVerouderd
from shared.aggregate import NotFound
from shared.http.app import service_app
from shared.http.problems import InvalidParam, problem_response

API_VERSION = "1.0.0"
DESCRIPTION = """Het register van spoedlocaties: bodemverontreinigingen met urgente risico's
voor mens, ecosysteem of verspreiding, onder de bodemconvenanten 2010-2020. Elke wijziging is
een gebeurtenis; de historie en de landelijke stroom zijn op te vragen als CloudEvents."""


def _install_domain_errors(app: FastAPI) -> None:
    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return problem_response(
            404, f"Er is geen spoedlocatie {exc.aggregate_id}.", instance=request.url.path
        )

    @app.exception_handler(GeenToegang)
    async def _forbidden(request: Request, exc: GeenToegang) -> JSONResponse:
        return problem_response(403, f"{exc}.", instance=request.url.path)

    @app.exception_handler(VersieVerouderd)
    async def _stale(request: Request, exc: VersieVerouderd) -> JSONResponse:
        return problem_response(
            412,
            f"De locatie is gewijzigd sinds je hem las: hij is nu op "
            f"versie {exc.huidige}. Haal hem opnieuw op en probeer het "
            "opnieuw.",
            instance=request.url.path,
            headers={"ETag": f'"{exc.huidige}"'},
        )

    @app.exception_handler(OngeldigeTransitie)
    async def _transition(request: Request, exc: OngeldigeTransitie) -> JSONResponse:
        return problem_response(
            409, str(exc), title="Statusovergang niet toegestaan", instance=request.url.path
        )

    @app.exception_handler(BestaatAl)
    async def _exists(request: Request, exc: BestaatAl) -> JSONResponse:
        return problem_response(
            409, f"Locatie {exc.locatie_id} bestaat al.", instance=request.url.path
        )

    @app.exception_handler(OngeldigeWaarde)
    async def _invalid(request: Request, exc: OngeldigeWaarde) -> JSONResponse:
        return problem_response(
            400,
            f"De invoer is ongeldig: {exc}.",
            instance=request.url.path,
            invalid_params=[InvalidParam(name=f"body.{exc.veld}", reason=exc.reden)],
        )


def create_app(settings: LocatiesSettings | None = None) -> FastAPI:
    app = service_app(
        title="Bodemregie Locaties",
        description=DESCRIPTION,
        api_version=API_VERSION,
        routers=[
            routes_bevoegde_gezagen.router,
            routes_spoedlocaties.router,
            routes_commandos.router,
            routes_gebeurtenissen.router,
        ],
        settings=settings or LocatiesSettings(),
        bootstrap=bootstrap,
    )
    _install_domain_errors(app)
    return app
