"""The message bus: runs a command through its handler in a unit of work and builds the answer
from the site it left, in a worker thread (:func:`handle`) or on the event loop
(:func:`handle_op_lus`).

On the loop the very same handler runs, unchanged, in a greenlet
(``sqlalchemy.util.greenlet_spawn``, as SQLAlchemy's own asyncio layer runs its synchronous
core): where its unit of work would wait (a site's events loaded on a cache miss, the group
commit's answer), it awaits instead, and the loop serves other requests meanwhile. No thread
is woken, no context copied, and no GIL handed between a worker thread and the loop per
command. So every answer, error and event is the handler's own, whichever way it ran.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from sqlalchemy.util import greenlet_spawn

from services.locaties.domain.commands import Commando
from services.locaties.domain.model import Spoedlocatie
from services.locaties.service_layer import handlers
from services.locaties.service_layer.unit_of_work import Actor, BuitenDeLus, SqlLocatiesUnitOfWork

T = TypeVar("T")


class UnitOfWorkFactory(Protocol):
    def __call__(self, actor: Actor, cache: bool = True) -> SqlLocatiesUnitOfWork: ...


def handle(
    cmd: Commando, actor: Actor, antwoord: Callable[[Spoedlocatie], T], uow: UnitOfWorkFactory
) -> T:
    """Runs ``cmd`` in a unit of work from ``uow`` and builds the answer from the site it
    left. A command that failed on a site from the cache is judged again on the stored
    events (the cached site may have been behind another process's append), so the cache
    never changes an answer. Once the answer is built the site may serve the next command
    from the cache (a failure evicted it: it was taken out and is not put back)."""
    werk = uow(actor)
    try:
        locatie = handlers.handle(cmd, werk)
    except BuitenDeLus:
        raise
    except Exception:
        if not getattr(werk, "locaties", None) or not werk.locaties.uit_cache:
            raise
        werk = uow(actor, cache=False)
        locatie = handlers.handle(cmd, werk)
    try:
        return antwoord(locatie)
    finally:
        werk.klaar()


async def handle_op_lus(
    cmd: Commando, actor: Actor, antwoord: Callable[[Spoedlocatie], T], uow: UnitOfWorkFactory
) -> T:
    """As :func:`handle`, on the event loop; ``uow`` makes units of work that await instead of
    blocking (``LusLocatiesUnitOfWork``). Raises :class:`BuitenDeLus` for a command that must
    run in a worker thread after all; nothing of it was recorded then."""
    return await greenlet_spawn(handle, cmd, actor, antwoord, uow)
