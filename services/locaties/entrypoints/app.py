"""The locaties HTTP application; ``create_app`` is the factory uvicorn runs."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI
from starlette.middleware import Middleware

from services.locaties.bootstrap import bootstrap
from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints import (
    correcties,
    routes_bevoegde_gezagen,
    routes_commandos,
    routes_gebeurtenissen,
    routes_import,
    routes_programma,
    routes_spoedlocaties,
)
from services.locaties.entrypoints.fouten import DOMEINFOUTEN
from services.locaties.entrypoints.snelweg import Snelweg
from shared.http.app import service_app
from shared.privacy import routes as routes_personen

API_VERSION = "1.0.0"
DESCRIPTION = """Het register van spoedlocaties: bodemverontreinigingen met urgente risico's
voor mens, ecosysteem of verspreiding, onder de bodemconvenanten 2010-2020. Elke wijziging is
een gebeurtenis; de historie en de landelijke stroom zijn op te vragen als CloudEvents."""


def create_app(settings: LocatiesSettings | None = None) -> FastAPI:
    app = service_app(
        title="Bodemregie Locaties",
        description=DESCRIPTION,
        api_version=API_VERSION,
        routers=[
            routes_bevoegde_gezagen.router,
            # Before the site routes: /spoedlocaties/import is no site named "import".
            routes_import.router,
            routes_spoedlocaties.router,
            routes_commandos.router,
            routes_gebeurtenissen.router,
            routes_programma.router,
            routes_personen.router,
        ],
        settings=settings or LocatiesSettings(),
        # A correction is checked by the API's own request schemas (entrypoints/correcties.py).
        bootstrap=partial(bootstrap, correctiecontrole=correcties.valideer),
        ankersleutels=True,
        streamed_paths=[routes_import.PAD],
        domain_errors=DOMEINFOUTEN,
    )
    # Innermost, inside the service's own middleware: a valid command goes from there
    # straight to its route's lean path (entrypoints/snelweg.py).
    app.user_middleware.append(Middleware(Snelweg, router=app.router))
    return app
