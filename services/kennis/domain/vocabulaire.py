"""Themes of the beleidstransitie on which the field asks questions."""

from __future__ import annotations

from enum import StrEnum


class Thema(StrEnum):
    GEBIEDSGERICHT_GRONDWATERBEHEER = "gebiedsgericht-grondwaterbeheer"
    BODEMENERGIE = "bodemenergie-wko"
    ONDERGROND = "ondergrond"
    OMGEVINGSWET = "omgevingswet"
    SANERINGSTECHNIEK = "saneringstechniek"
    FINANCIERING = "financiering"
    WATERBODEMS = "waterbodems"
    KENNIS_EN_CAPACITEIT = "kennis-en-capaciteit"


class VraagStatus(StrEnum):
    OPEN = "open"
    BEANTWOORD = "beantwoord"
    GESLOTEN = "gesloten"


def op_volgorde(themas: tuple[Thema, ...]) -> tuple[str, ...]:
    """Themes as an event stores them: each once, sorted."""
    return tuple(sorted(set(map(str, themas))))
