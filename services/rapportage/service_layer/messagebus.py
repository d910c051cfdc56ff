"""Dispatches a message to its handler by the message's type (as cosmicpython's bus does)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from services.rapportage.domain.queries import HoudBij, VraagPositie, VraagRapport
from services.rapportage.service_layer import handlers
from services.rapportage.service_layer.unit_of_work import RapportageUnitOfWork

Bericht = HoudBij | VraagPositie | VraagRapport

HANDLERS: dict[type[Any], Callable[[Any, RapportageUnitOfWork], Any]] = {
    HoudBij: handlers.houd_bij,
    VraagPositie: handlers.positie,
    VraagRapport: handlers.rapport,
}


def handle(bericht: Bericht, uow: RapportageUnitOfWork) -> Any:
    return HANDLERS[type(bericht)](bericht, uow)
