"""People in the kennis reads: the read models and events hold pseudonyms; a read shows the
login behind one only to a caller the policy lets see personal data (``privacy.lees``, the
programme), everyone else the pseudonym, and everyone ``verwijderd`` once the person is erased."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from services.kennis.bootstrap import Container
from shared.auth import Principal
from shared.privacy import ONBEKEND, VERWIJDERD, Persoon, diensten


@dataclass(frozen=True)
class Personen:
    """The persons behind the pseudonyms one response shows, read in one go."""

    bekend: dict[str, Persoon]
    toon_logins: bool = False

    def login(self, pseudoniem: str) -> str:
        persoon = self.bekend.get(pseudoniem)
        if persoon is None:
            return ONBEKEND
        if persoon.verwijderd or not self.toon_logins:
            return VERWIJDERD if persoon.verwijderd else pseudoniem
        return persoon.login

    def veld(self, pseudoniem: str, ref: str, naam: str) -> str:
        persoon = self.bekend.get(pseudoniem)
        return ONBEKEND if persoon is None else persoon.veld(ref, naam)


def lees(
    services: Container, pseudoniemen: Iterable[str], principal: Principal | None = None
) -> Personen:
    """``principal`` is the caller when the read shows logins (without one, none are shown)."""
    toon = principal is not None and diensten.toont_logins(principal)
    with services.sessions() as session:
        return Personen(services.personen.lees(session, pseudoniemen), toon)
