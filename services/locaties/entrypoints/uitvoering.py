"""Running a command from a route. On PostgreSQL with group commit a command on an existing
site runs on the event loop (``service_layer/messagebus.py``: the handler in a greenlet, its
waits awaited); anything else (SQLite, whose driver is synchronous; a registration, which takes
an id number; an ``Idempotency-Key``, whose answer commits in the command's own held
transaction; a first-time caller) hops to a worker thread for the handler. The answer is built
where the handler ran."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import ClassVar, TypeVar

from fastapi import Response

from services.locaties.bootstrap import Container
from services.locaties.domain.commands import Commando, RegistreerSpoedlocatie
from services.locaties.domain.model import Spoedlocatie
from services.locaties.entrypoints.representation import stand_json
from services.locaties.service_layer import messagebus
from services.locaties.service_layer.unit_of_work import Actor, BuitenDeLus
from shared import idempotency

JSON = "application/json"
REGISTRATIE = "/v1/spoedlocaties/{id}"  # a registration's Location: the new site
# As many as anyio's default thread limiter, which ran the commands before: the database
# pool (``database_pool_size``) is sized to it.
COMMANDO_THREADS = 40

T = TypeVar("T")
_threads: ThreadPoolExecutor | None = None


def _antwoord(crs: str, location: str | None, locatie: Spoedlocatie) -> Response:
    """201 with the site as the command left it (in ``crs``), its ETag and ``Location`` (the
    new event's, or the site's for a registration). Serialised here, where the handler ran,
    straight from the site's state (``stand_json``, the response model's bytes): FastAPI, or
    building the model, would validate the service's own data once more."""
    return Response(
        stand_json(locatie.id, locatie.version, locatie.stand, crs),
        status_code=201,
        media_type=JSON,
        headers={
            "Location": (location or "/v1/spoedlocaties/{id}/gebeurtenissen/{versie}").format(
                id=locatie.id, versie=locatie.version
            ),
            "ETag": f'"{locatie.version}"',
            "Content-Crs": crs,
        },
    )


async def in_thread(werk: Callable[[], T]) -> T:
    """``werk()`` in a worker thread, with the caller's context variables (the correlation
    id, an Idempotency-Key's held transaction). A plain executor hop costs less than half of
    anyio's ``run_in_threadpool`` (measured ~24 against ~54 µs CPU). As with anyio, a
    cancelled caller waits until the thread is done before it is cancelled: whatever the
    command holds is given back after the command let go of it, never while it runs."""
    global _threads
    if _threads is None:  # per process, at first use (never at import)
        _threads = ThreadPoolExecutor(COMMANDO_THREADS, thread_name_prefix="commando")
    klus = asyncio.get_running_loop().run_in_executor(
        _threads, contextvars.copy_context().run, werk
    )
    try:
        return await asyncio.shield(klus)
    except asyncio.CancelledError:
        while not klus.done():
            # Still running: cancelled once the thread is done.
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait([klus])
        raise


async def voer_uit(
    services: Container, cmd: Commando, actor: Actor, crs: str, location: str | None = None
) -> Response:
    antwoord = partial(_antwoord, crs, location)
    if op_de_lus(services, cmd):
        try:
            return await messagebus.handle_op_lus(cmd, actor, antwoord, services.lus_uow)
        except BuitenDeLus:
            pass  # nothing was recorded: it runs in a worker thread, as any other command
    return await in_thread(partial(services.handle, cmd, actor, antwoord))


class OpDeLus:
    """Whether commands may run on the event loop where they can (tests switch it off to
    compare the answers of both ways)."""

    aan: ClassVar[bool] = True


def op_de_lus(services: Container, cmd: Commando) -> bool:
    return (
        OpDeLus.aan
        and services.op_lus
        and not isinstance(cmd, RegistreerSpoedlocatie)
        and idempotency.lopend() is None
    )
