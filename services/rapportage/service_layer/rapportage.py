"""Builds reports from the facts up to the watermark, on any peildatum as known on any
kennisdatum, from the per-site bitemporal timelines."""

from __future__ import annotations

import gc
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from services.rapportage.adapters import projectie
from services.rapportage.adapters.momentopname import Momentopname
from services.rapportage.adapters.projectie import Stroom
from services.rapportage.domain import rapporten
from services.rapportage.domain.feiten import Feit, Locatie
from services.rapportage.domain.tijdlijn import Tijdlijnen
from services.rapportage.domain.transitie import transitie


class _Feiten:
    """The facts of one stream up to its watermark, read incrementally and kept: facts at or
    below the watermark never change. With ``tijdlijnen`` they are kept as per-site bitemporal
    timelines instead of a list."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        stroom: Stroom,
        tijdlijnen: bool = False,
        per_keer: int = 50_000,
    ) -> None:
        self._sessions = sessions
        self._stroom = stroom
        self._lock = threading.Lock()
        self._feiten: list[Feit] = []
        self._tot = 0
        self._tijdlijnen = Tijdlijnen() if tijdlijnen else None
        self._per_keer = per_keer

    def watermark(self) -> int:
        with self._sessions() as session:
            return self._stroom.watermark(session)

    def bind(self, rapport: rapporten.Rapport) -> rapporten.Rapport:
        """The report with this log bound at its position (hash and latest anchor)."""
        with self._sessions() as session:
            rapport.logboeken[self._stroom.naam] = self._stroom.binding(session, rapport.positie)
        return rapport

    def _bij(self, positie: int) -> None:
        """Read the facts up to ``positie`` that are not read yet (holding the lock), a slice
        of positions at a time: at start that is the whole log, which as ``Feit`` objects
        would take several times the memory the timelines keep of it."""
        while positie > self._tot:
            tot = positie if self._tijdlijnen is None else min(positie, self._tot + self._per_keer)
            with self._sessions() as session:
                nieuw = self._stroom.lees_feiten(session, tot, na=self._tot)
            if self._tijdlijnen is not None:
                self._tijdlijnen.voeg_toe(nieuw)
            else:
                self._feiten.extend(nieuw)
            self._tot = tot

    def begin(self, tijdlijnen: Tijdlijnen, tot: int) -> None:
        """Start from timelines that hold the facts up to ``tot`` (a checked snapshot),
        unless facts were read already (a start that failed halfway is tried again)."""
        with self._lock:
            if self._tijdlijnen is not None and self._tot == 0:
                self._tijdlijnen, self._tot = tijdlijnen, tot

    def tot(self, positie: int) -> list[Feit]:
        with self._lock:
            self._bij(positie)
            return [f for f in self._feiten if f.positie <= positie]

    @contextmanager
    def vast(self, positie: int) -> Iterator[int]:
        """Holds the facts still, read up to at least ``positie``; yields the position they
        hold (higher when another request read further: that is a watermark too)."""
        with self._lock:
            self._bij(positie)
            yield self._tot

    @property
    def tijdlijnen(self) -> Tijdlijnen:
        assert self._tijdlijnen is not None
        return self._tijdlijnen

    def stand_op(self, peildatum: date, kennisdatum: date | None) -> dict[str, Locatie]:
        """All sites on ``peildatum`` as known on ``kennisdatum``; only inside ``vast``."""
        assert self._tijdlijnen is not None and self._lock.locked()
        return self._tijdlijnen.op(peildatum, kennisdatum)


# States kept for the next report on the same moment. Few: at national scale each is a dict of
# ~400,000 sites (15-30 MB; the states themselves are the timelines' own), where a report is
# a few kilobytes (32 of those are kept).
TOESTANDEN = 4


class Rapportage:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        per_keer: int = 50_000,
        bevries: bool = False,
        momentopname: Momentopname | None = None,
    ) -> None:
        """``bevries``: build the timelines the first time with ``opbouw`` (the service does;
        it changes the whole process's garbage collection, so tests do not).
        ``momentopname``: start from it if it belongs to the log, and write it after a start
        that read much of the log."""
        self._bevries = bevries
        self._momentopname = momentopname
        self._lock = threading.Lock()
        self.bijgehouden = threading.Event()
        self._locaties = _Feiten(sessions, projectie.SPOEDLOCATIES, True, per_keer)
        self._kennis = _Feiten(sessions, projectie.KENNIS)
        self._rapporten: OrderedDict[tuple[object, ...], rapporten.Rapport] = OrderedDict()
        self._toestanden: OrderedDict[tuple[object, ...], dict[str, Locatie]] = OrderedDict()

    def watermark(self) -> int:
        return self._locaties.watermark()

    def houd_bij(self) -> int:
        """Read new facts into the timelines up to the watermark; returns the position they
        hold. A background thread calls this, so a request rarely reads facts itself; the
        service is ready once it has done so the first time (``bijgehouden``)."""
        start = not self.bijgehouden.is_set()
        eerst: AbstractContextManager[None] = nullcontext()
        if self._bevries and start:
            eerst = opbouw()
        with eerst:
            opname = self._momentopname if start else None
            geladen = opname.laad() if opname else None
            if geladen:
                self._locaties.begin(geladen.tijdlijnen, geladen.positie)
            with self._locaties.vast(self._locaties.watermark()) as positie:
                if opname and opname.verouderd(geladen, positie):
                    opname.schrijf(self._locaties.tijdlijnen, positie)
                self.bijgehouden.set()
                return positie

    def kennis_watermark(self) -> int:
        return self._kennis.watermark()

    def rapport(
        self, naam: str, peildatum: date, kennisdatum: date | None = None, van: date | None = None
    ) -> rapporten.Rapport:
        stroom = self._kennis if naam == "transitie" else self._locaties
        positie = stroom.watermark()
        sleutel = (naam, positie, peildatum, kennisdatum, van)
        with self._lock:
            if sleutel in self._rapporten:
                return self._rapporten[sleutel]
        if naam == "transitie":
            rapport = transitie(self._kennis.tot(positie), positie, peildatum, kennisdatum)
        else:
            with self._locaties.vast(positie) as positie:
                toestand = self._toestand(positie, kennisdatum)
                rapport = rapporten.bouw(naam, toestand, positie, peildatum, kennisdatum, van)
        rapport = stroom.bind(rapport)
        with self._lock:
            _bewaar(self._rapporten, sleutel, rapport)
        return rapport

    def _toestand(self, positie: int, kennisdatum: date | None) -> rapporten.Toestand:
        """The sites on a peildatum from the timelines, shared by all reports on the same
        position, kennisdatum and peildatum."""

        def op(peildatum: date) -> dict[str, Locatie]:
            sleutel = (positie, kennisdatum, peildatum)
            with self._lock:
                if sleutel in self._toestanden:
                    return self._toestanden[sleutel]
            nu = self._locaties.stand_op(peildatum, kennisdatum)
            with self._lock:
                _bewaar(self._toestanden, sleutel, nu, TOESTANDEN)
            return nu

        return op


@contextmanager
def opbouw() -> Iterator[None]:
    """Around the first load of the timelines: millions of objects that live as long as the
    service. The cyclic collector would walk them again and again while they are made (a
    quarter of the build) and afterwards in every full collection (pauses near a second at
    national scale); so it is off while they are built, and then they are frozen out of its
    sight. Later additions are collected as usual. Frozen without a collection first: that
    would walk every one of them once more (seconds at national scale) to find the few
    reference cycles left from reading the log, which are then kept instead."""
    aan = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if aan:
            gc.enable()


def _bewaar(
    cache: OrderedDict[tuple[object, ...], Any],
    sleutel: tuple[object, ...],
    waarde: Any,
    maximum: int = 32,
) -> None:
    cache[sleutel] = waarde
    while len(cache) > maximum:
        cache.popitem(last=False)
