"""The locaties service's domain exceptions and the problem each becomes: one table, used by
the app's exception handlers and by the bulk import's per-line answers."""

from __future__ import annotations

from services.locaties.domain.model import OngeldigeTransitie, OngeldigeWaarde
from services.locaties.service_layer.handlers import BestaatAl, GeenToegang, VersieVerouderd
from shared.aggregate import NotFound
from shared.privacy import GelijktijdigNieuw

DOMEINFOUTEN: dict[type[Exception], int | tuple[int, str]] = {
    NotFound: 404,
    GeenToegang: 403,
    VersieVerouderd: 412,
    OngeldigeTransitie: (409, "Statusovergang niet toegestaan"),
    BestaatAl: 409,
    GelijktijdigNieuw: 409,
    OngeldigeWaarde: 400,
}
