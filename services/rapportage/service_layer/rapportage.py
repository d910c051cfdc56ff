"""Builds reports from the facts up to the watermark, as known on a kennisdatum."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from services.rapportage.adapters import projectie
from services.rapportage.domain import rapporten
from services.rapportage.domain.feiten import Feit, Locatie


class Rapportage:
    """Reads the facts once per watermark and keeps them; reports are folded from them."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._lock = threading.Lock()
        self._feiten: list[Feit] = []
        self._tot: int = 0
        self._rapporten: OrderedDict[tuple[object, ...], rapporten.Rapport] = OrderedDict()
        self._toestanden: OrderedDict[tuple[object, ...], dict[str, Locatie]] = OrderedDict()

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
            if sleutel in self._rapporten:
                return self._rapporten[sleutel]
        rapport = rapporten.bouw(
            naam, self._toestand(positie, kennisdatum), positie, peildatum, kennisdatum, van
        )
        with self._lock:
            _bewaar(self._rapporten, sleutel, rapport)
        return rapport

    def _toestand(self, positie: int, kennisdatum: date | None) -> rapporten.Toestand:
        """The fold, shared by all reports on the same position, kennisdatum and peildatum."""
        feiten = self._feiten_tot(positie)

        def op(peildatum: date) -> dict[str, Locatie]:
            sleutel = (positie, kennisdatum, peildatum)
            with self._lock:
                if sleutel in self._toestanden:
                    return self._toestanden[sleutel]
            nu = rapporten.toestand_uit(feiten, positie, kennisdatum)(peildatum)
            with self._lock:
                _bewaar(self._toestanden, sleutel, nu)
            return nu

        return op

    def voortgang(self, peildatum: date) -> rapporten.Rapport:
        return self.rapport("voortgang", peildatum)

    def per_bevoegd_gezag(self, peildatum: date, per: str) -> rapporten.Rapport:
        return self.rapport("provincies" if per == "provincie" else "bevoegde-gezagen", peildatum)

    def deadlines(self, peildatum: date) -> rapporten.Rapport:
        return self.rapport("deadlines", peildatum)


def _bewaar(
    cache: OrderedDict[tuple[object, ...], Any],
    sleutel: tuple[object, ...],
    waarde: Any,
    maximum: int = 32,
) -> None:
    cache[sleutel] = waarde
    while len(cache) > maximum:
        cache.popitem(last=False)
