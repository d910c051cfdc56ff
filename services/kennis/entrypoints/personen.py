"""People in the kennis reads: the read models and events hold pseudonyms; a read shows what the
person store holds for them, ``verwijderd`` once the person is erased."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.kennis.bootstrap import Container
from shared.privacy import ONBEKEND, Persoon


@dataclass(frozen=True)
class Personen:
    """The persons behind the pseudonyms one response shows, read in one go."""

    bekend: dict[str, Persoon]

    def login(self, pseudoniem: str) -> str:
        persoon = self.bekend.get(pseudoniem)
        return ONBEKEND if persoon is None else persoon.login

    def veld(self, pseudoniem: str, ref: str, naam: str) -> str:
        persoon = self.bekend.get(pseudoniem)
        return ONBEKEND if persoon is None else persoon.veld(ref, naam)


def lees(services: Container, pseudoniemen: Iterable[str]) -> Personen:
    with services.sessions() as session:
        return Personen(services.personen.lees(session, pseudoniemen))
