"""The kennis message bus: one table from command type to handler, and ``handle``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from services.kennis.domain import commands
from services.kennis.domain.model import GelijktijdigGewijzigd
from services.kennis.service_layer import handlers
from services.kennis.service_layer.unit_of_work import KennisUnitOfWork
from shared.eventstore import ConcurrencyError

R = TypeVar("R")

HANDLERS: dict[type[commands.Commando[Any]], Callable[[Any, KennisUnitOfWork], object]] = {
    commands.StelVraag: handlers.stel_vraag,
    commands.BeantwoordVraag: handlers.beantwoord,
    commands.AccepteerAntwoord: handlers.accepteer,
    commands.SluitVraag: handlers.sluit,
    commands.CombineerVragen: handlers.combineer,
    commands.PubliceerDocument: handlers.publiceer_document,
    commands.MeldSucces: handlers.meld_succes,
    commands.PlanBijeenkomst: handlers.plan_bijeenkomst,
    commands.MeldAan: handlers.meld_aan,
    commands.RegistreerAanwezigheid: handlers.registreer_aanwezigheid,
    commands.EvalueerBijeenkomst: handlers.evalueer,
    commands.RegistreerExpert: handlers.registreer_expert,
}


def handle(cmd: commands.Commando[R], uow: KennisUnitOfWork) -> R:
    """Run the command's handler in ``uow``. Another writer that changed the same aggregate
    between load and commit makes it a 409 (kennis commands carry no expected version, so the
    client simply sends the command again)."""
    handler = HANDLERS[type(cmd)]
    try:
        return cast(R, handler(cmd, uow))
    except ConcurrencyError as exc:
        raise GelijktijdigGewijzigd(exc.stream_id) from exc
