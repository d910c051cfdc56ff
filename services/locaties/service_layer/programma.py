"""The programme's commands: the unit of work of its one stream and the handlers.

The same conventions as a site's commands: the one policy decides who may (``shared/beleid``),
If-Match names the version changed (412 when stale), the events go through the outbox to the
same topic as the sites (the relay seals and publishes them), and the caller is stamped by
pseudonym. A separate unit of work: the programme has no read model and never group-commits.
"""

from __future__ import annotations

from functools import singledispatch
from types import TracebackType
from typing import Protocol

from services.locaties.domain.programma import (
    PROGRAMMA_ID,
    Programma,
    Programmacommando,
    StelAfspraakVast,
    StelEnvelopVast,
)
from services.locaties.service_layer.handlers import VersieVerouderd
from services.locaties.service_layer.unit_of_work import (
    Actor,
    FakeActingUnitOfWork,
    SqlActingUnitOfWork,
    stempel,
)
from shared import beleid
from shared.aggregate import Repository
from shared.eventstore import ConcurrencyError
from shared.messaging.topics import SPOEDLOCATIES


class ProgrammaVerouderd(VersieVerouderd):
    """If-Match names an older version of the programme (412, as for a site)."""

    def __init__(self, huidige: int) -> None:
        super().__init__(huidige)
        self.args = (
            f"Het programma is gewijzigd sinds je het las: het is nu op versie {huidige}. "
            "Haal het opnieuw op en probeer het opnieuw",
        )


class ProgrammaUnitOfWork(Protocol):
    programma: Repository[Programma]
    actor: Actor

    def __enter__(self) -> ProgrammaUnitOfWork: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


class SqlProgrammaUnitOfWork(SqlActingUnitOfWork):
    def __enter__(self) -> SqlProgrammaUnitOfWork:
        super().__enter__()
        self.programma = Repository(self.events, Programma, self.topic)
        return self

    def commit(self) -> None:
        self.programma.save(stempel(self.session, self._personen, self.actor)[0])
        super().commit()


class FakeProgrammaUnitOfWork(FakeActingUnitOfWork):
    def __enter__(self) -> FakeProgrammaUnitOfWork:
        super().__enter__()
        self.programma = Repository(self.events, Programma, SPOEDLOCATIES)
        return self

    def commit(self) -> None:
        self.programma.save(self._stempel())
        super().commit()


def lees(uow: ProgrammaUnitOfWork) -> Programma:
    """The programme as recorded (version 0 and no decisions before the first)."""
    with uow:
        if not uow.programma.exists(PROGRAMMA_ID):
            return Programma()
        return uow.programma.get(PROGRAMMA_ID)


def _te_wijzigen(cmd: Programmacommando, uow: ProgrammaUnitOfWork) -> Programma:
    """The programme at the version the client names (0: before the first decision)."""
    if uow.programma.exists(PROGRAMMA_ID):
        programma = uow.programma.get(PROGRAMMA_ID)
    else:
        programma = Programma()
        uow.programma.add(programma)
    if programma.version != cmd.verwachte_versie:
        raise ProgrammaVerouderd(programma.version)
    return programma


def _vastgelegd(
    cmd: Programmacommando, uow: ProgrammaUnitOfWork, programma: Programma
) -> Programma:
    try:
        uow.commit()
    except ConcurrencyError as exc:
        raise ProgrammaVerouderd(cmd.verwachte_versie + 1) from exc
    return programma


@singledispatch
def handle(cmd: Programmacommando, uow: ProgrammaUnitOfWork) -> Programma:
    """Run ``cmd``; returns the programme as the command left it."""
    raise TypeError(f"geen handler voor {type(cmd).__name__}")


@handle.register
def stel_afspraak_vast(cmd: StelAfspraakVast, uow: ProgrammaUnitOfWork) -> Programma:
    beleid.controleer(cmd.OPERATIE, uow.actor.principal)
    with uow:
        programma = _te_wijzigen(cmd, uow)
        programma.stel_afspraak_vast(cmd)
        return _vastgelegd(cmd, uow, programma)


@handle.register
def stel_envelop_vast(cmd: StelEnvelopVast, uow: ProgrammaUnitOfWork) -> Programma:
    beleid.controleer(cmd.OPERATIE, uow.actor.principal)
    with uow:
        programma = _te_wijzigen(cmd, uow)
        programma.stel_envelop_vast(cmd)
        return _vastgelegd(cmd, uow, programma)
