"""Builds reports from the facts up to the watermark; cached per (watermark, peildatum)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from services.rapportage.adapters import projectie
from services.rapportage.domain import rapporten
from services.rapportage.domain.feiten import Locatie, toestand_op


class Rapportage:
    def __init__(self, sessions: sessionmaker[Session], cache_size: int = 32) -> None:
        self._sessions = sessions
        self._cache: OrderedDict[tuple[int, date], dict[str, Locatie]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def toestand(
        self, peildatum: date, positie: int | None = None
    ) -> tuple[int, dict[str, Locatie]]:
        """The sites on ``peildatum`` from the facts up to ``positie`` (default: watermark)."""
        with self._sessions() as session:
            watermark = projectie.watermark(session)
            positie = watermark if positie is None else min(positie, watermark)
            sleutel = (positie, peildatum)
            with self._lock:
                if sleutel in self._cache:
                    self._cache.move_to_end(sleutel)
                    return positie, self._cache[sleutel]
            locaties = toestand_op(projectie.lees_feiten(session, positie), peildatum)
        with self._lock:
            self._cache[sleutel] = locaties
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return positie, locaties

    def watermark(self) -> int:
        with self._sessions() as session:
            return projectie.watermark(session)

    def voortgang(self, peildatum: date) -> rapporten.Rapport:
        positie, locaties = self.toestand(peildatum)
        return rapporten.voortgang(locaties, peildatum, positie)

    def per_bevoegd_gezag(self, peildatum: date, per: str) -> rapporten.Rapport:
        positie, locaties = self.toestand(peildatum)
        return rapporten.per_bevoegd_gezag(locaties, peildatum, positie, per)

    def deadlines(self, peildatum: date) -> rapporten.Rapport:
        positie, locaties = self.toestand(peildatum)
        return rapporten.deadlines(locaties, peildatum, positie)

    def midterm_review(self, peildatum: date) -> rapporten.Rapport:
        positie, nu = self.toestand(peildatum)
        _, start = self.toestand(rapporten.START, positie)
        return rapporten.midterm_review(start, nu, peildatum, positie)

    def kamerbrief_bijlage(self, van: date, tot: date) -> rapporten.Rapport:
        positie, locaties = self.toestand(tot)
        return rapporten.kamerbrief_bijlage(locaties, van, tot, positie)
