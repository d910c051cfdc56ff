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
