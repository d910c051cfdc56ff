"""Which experts to suggest for a question: first who answered similar questions (accepted
answers weigh more), then who shares most of the question's themes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from services.kennis.domain.gelijkenis import rangschik

# How many of the most similar questions count when looking for who answered them.
VERGELIJKBAAR = 10


@dataclass(frozen=True)
class Vraag:
    """What a suggestion needs of a question: its words, themes and who answered it
    (``antwoorders``: pseudonym and whether that answer was accepted, per answer)."""

    tekst: str
    themas: tuple[str, ...]
    antwoorders: tuple[tuple[str, bool], ...]


class Kandidaat(Protocol):
    """An expert as the caller knows them (an expert is recognised by pseudonym: the person
    whose login is their contact address)."""

    @property
    def persoon(self) -> str: ...

    @property
    def themas(self) -> list[str]: ...

    @property
    def naam(self) -> str: ...


K = TypeVar("K", bound=Kandidaat)


@dataclass(frozen=True)
class Voorstel(Generic[K]):
    expert: K
    gedeelde_themas: list[str]
    beantwoorde_vergelijkbare: list[str]  # accepted first


def stel_voor(doel_id: str, vragen: Mapping[str, Vraag], experts: Iterable[K]) -> list[Voorstel[K]]:
    """The experts for question ``doel_id`` (one of ``vragen``), best first; experts who
    neither answered a similar question nor share a theme are left out. Ties keep the order
    of ``experts``."""
    doel = vragen[doel_id]
    kandidaten = {k: vraag.tekst for k, vraag in vragen.items() if k != doel_id}
    # Per person (pseudonym): the similar questions they answered, and whether accepted.
    hulp: dict[str, dict[str, bool]] = {}
    for vraag_id, _, _ in rangschik(doel.tekst, kandidaten)[:VERGELIJKBAAR]:
        for door, geaccepteerd in vragen[vraag_id].antwoorders:
            per_vraag = hulp.setdefault(door, {})
            per_vraag[vraag_id] = per_vraag.get(vraag_id, False) or geaccepteerd
    voorstellen = []
    for expert in experts:
        gedeeld = sorted(set(expert.themas) & set(doel.themas))
        beantwoord = hulp.get(expert.persoon, {})
        if gedeeld or beantwoord:
            volgorde = sorted(beantwoord, key=lambda k: (not beantwoord[k], k))
            voorstellen.append(Voorstel(expert, gedeeld, volgorde))

    def rang(voorstel: Voorstel[K]) -> tuple[int, int, int, str]:
        beantwoord = hulp.get(voorstel.expert.persoon, {})
        return (
            -sum(beantwoord.values()),
            -len(beantwoord),
            -len(voorstel.gedeelde_themas),
            voorstel.expert.naam,
        )

    return sorted(voorstellen, key=rang)
