"""The rapportage service's entry to its service layer: builds a unit of work per message over
the facts kept in memory (``Geheugen``) and hands the message to the bus. The routes and the
background thread that keeps the timelines up send their messages here."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import overload

from sqlalchemy.orm import Session, sessionmaker

from services.rapportage.adapters.momentopname import Momentopname
from services.rapportage.domain.queries import HoudBij, VraagPositie, VraagRapport
from services.rapportage.domain.rapporten import Rapport
from services.rapportage.service_layer import messagebus
from services.rapportage.service_layer.geheugen import TOESTANDEN as TOESTANDEN
from services.rapportage.service_layer.geheugen import Geheugen, Tijdlijnfeiten
from services.rapportage.service_layer.handlers import opbouw as opbouw
from services.rapportage.service_layer.unit_of_work import (
    RapportageUnitOfWork,
    SqlRapportageUnitOfWork,
)


class Rapportage:
    def __init__(
        self,
        sessions: sessionmaker[Session] | None = None,
        per_keer: int = 50_000,
        bevries: bool = False,
        uow: Callable[[Geheugen], RapportageUnitOfWork] | None = None,
        momentopname: Momentopname | None = None,
        voorlezen: bool = True,
    ) -> None:
        """``uow`` makes a unit of work on the facts kept (the default: the database's, through
        ``sessions``); ``bevries``, ``momentopname`` and ``voorlezen``: see ``Geheugen``."""
        self.geheugen = Geheugen(per_keer, bevries, momentopname, voorlezen)
        if uow is None:
            if sessions is None:
                raise ValueError("Rapportage needs sessions or a unit of work factory")
            gemaakt = sessions

            def uow(geheugen: Geheugen) -> RapportageUnitOfWork:
                return SqlRapportageUnitOfWork(gemaakt, geheugen)

        self._uow = uow

    @property
    def bijgehouden(self) -> threading.Event:
        return self.geheugen.bijgehouden

    @overload
    def handle(self, bericht: VraagRapport) -> Rapport: ...

    @overload
    def handle(self, bericht: VraagPositie | HoudBij) -> int: ...

    def handle(self, bericht: messagebus.Bericht) -> Rapport | int:
        uit: Rapport | int = messagebus.handle(bericht, self._uow(self.geheugen))
        return uit

    # Shorthands for the callers that predate the messages (tests, bootstrap's thread).

    def rapport(
        self, naam: str, peildatum: date, kennisdatum: date | None = None, van: date | None = None
    ) -> Rapport:
        return self.handle(VraagRapport(naam, peildatum, kennisdatum, van))

    def watermark(self) -> int:
        return self.handle(VraagPositie())

    def kennis_watermark(self) -> int:
        return self.handle(VraagPositie("kennis"))

    def houd_bij(self) -> int:
        return self.handle(HoudBij())

    @contextmanager
    def vast(self, positie: int) -> Iterator[Tijdlijnfeiten]:
        """The spoedlocaties timelines held still, read up to at least ``positie`` (tests and
        benchmarks look at them directly)."""
        feiten = self.geheugen.spoedlocaties
        with self._uow(self.geheugen) as uow, feiten.vast(uow.spoedlocaties, positie):
            yield feiten
