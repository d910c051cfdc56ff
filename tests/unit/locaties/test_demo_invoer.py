"""`make demo` sends only valid input: its whole history (default scale and seed) passes the
request schemas and the domain's rules, through the same body-to-command step the API uses."""

from __future__ import annotations

from typing import get_type_hints

from fastapi.routing import APIRoute

from services.locaties.domain import commands
from services.locaties.domain.demo_scenario import scenario
from services.locaties.domain.geometrie import RD, naar_rd
from services.locaties.entrypoints import routes_commandos, schemas
from services.locaties.service_layer import handlers
from services.locaties.service_layer.unit_of_work import FakeLocatiesUnitOfWork
from shared.auth import Principal, Rol


def test_the_whole_demo_history_passes_the_schemas_and_the_domain() -> None:
    # Each command route's body type, by the route's last path segment.
    bodies = {
        route.path.rsplit("/", 1)[1]: get_type_hints(route.endpoint)["body"]
        for route in routes_commandos.router.routes
        if isinstance(route, APIRoute)
    }
    gebeurtenissen = 0
    for s in scenario(1.0, seed=2010):  # what `make demo` plays by default
        uow = FakeLocatiesUnitOfWork()  # one per site: the fake's log is searched per load
        actor = handlers.Actor(
            Principal(f"demo@{s.bevoegd_gezag}", Rol.BEVOEGD_GEZAG, s.bevoegd_gezag)
        )
        body = schemas.NieuweSpoedlocatie.model_validate(s.registratie)
        assert body.geometrie is not None
        locatie = handlers.handle(
            commands.RegistreerSpoedlocatie(
                body.bevoegd_gezag,
                body.gemeentecode,
                body.naam,
                body.bodemtype,
                tuple(body.verontreinigingsgroepen),
                naar_rd(body.geometrie.model_dump(), RD),  # the demo sends RD
                body.registratiedatum,
            ),
            uow.namens(actor),
        )
        for stap in s.stappen:
            body = bodies[stap.pad].model_validate(stap.body)
            cmd = routes_commandos.commando(body, locatie.id, locatie.version, RD)
            locatie = handlers.handle(cmd, uow.namens(actor))
        assert locatie.schendingen() == {}
        gebeurtenissen += locatie.version
    assert gebeurtenissen > 10_000
