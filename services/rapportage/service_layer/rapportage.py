"""Builds reports from the facts up to the watermark, as known on a kennisdatum."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from sqlalchemy.orm import Session, sessionmaker

from services.rapportage.adapters import projectie
from services.rapportage.domain import rapporten
from services.rapportage.domain.feiten import Feit


class Rapportage:
    """Reads the facts once per watermark and keeps them; reports are folded from them."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._lock = threading.Lock()
        self._feiten: list[Feit] = []
        self._tot: int = 0
        self._cache: OrderedDict[tuple[object, ...], rapporten.Rapport] = OrderedDict()

    def watermark(self) -> int:
        with self._sessions() as session:
            return projectie.watermark(session)

    def _feiten_tot(self, positie: int) -> list[Feit]:
        with self._lock:
            if positie > self._tot:
                with self._sessions() as session:
                    nieuw = projectie.lees_feiten(session, positie, na=self._tot)
                self._feiten.extend(nieuw)
                self._tot = positie
            return [f for f in self._feiten if f.positie <= positie]

    def rapport(
        self, naam: str, peildatum: date, kennisdatum: date | None = None, van: date | None = None
    ) -> rapporten.Rapport:
        positie = self.watermark()
        sleutel = (naam, positie, peildatum, kennisdatum, van)
        with self._lock:
            if sleutel in self._cache:
                return self._cache[sleutel]
        rapport = rapporten.bouw(
            naam, self._feiten_tot(positie), positie, peildatum, kennisdatum, van
        )
        with self._lock:
            self._cache[sleutel] = rapport
            while len(self._cache) > 64:
                self._cache.popitem(last=False)
        return rapport

    def voortgang(self, peildatum: date) -> rapporten.Rapport:
        return self.rapport("voortgang", peildatum)

    def per_bevoegd_gezag(self, peildatum: date, per: str) -> rapporten.Rapport:
        return self.rapport("provincies" if per == "provincie" else "bevoegde-gezagen", peildatum)

    def deadlines(self, peildatum: date) -> rapporten.Rapport:
        return self.rapport("deadlines", peildatum)
