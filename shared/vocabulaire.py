"""The published language of spoedlocatie events (after the SIKB0101 code lists, simplified).

Used by locaties, which writes the events, and by the services that read them."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    POTENTIEEL_SPOED = "potentieel-spoed"
    ONDERZOCHT = "onderzocht"
    ERNSTIG_SPOED = "ernstig-spoed"
    ERNSTIG_GEEN_SPOED = "ernstig-geen-spoed"
    NIET_ERNSTIG = "niet-ernstig"
    SANERINGSPLAN = "saneringsplan"
    SANERING_GESTART = "sanering-gestart"
    TIJDELIJKE_BEVEILIGING = "tijdelijke-beveiliging"
    GESANEERD = "gesaneerd"
    BEHEERST = "beheerst"
    NAZORG = "nazorg"


# The lifecycle as a state machine: from each status, the statuses a decision may lead to.
TRANSITIES: dict[Status, frozenset[Status]] = {
    Status.POTENTIEEL_SPOED: frozenset({Status.ONDERZOCHT}),
    Status.ONDERZOCHT: frozenset(
        {Status.ERNSTIG_SPOED, Status.ERNSTIG_GEEN_SPOED, Status.NIET_ERNSTIG}
    ),
    Status.ERNSTIG_SPOED: frozenset({Status.SANERINGSPLAN, Status.TIJDELIJKE_BEVEILIGING}),
    Status.SANERINGSPLAN: frozenset({Status.SANERING_GESTART, Status.TIJDELIJKE_BEVEILIGING}),
    Status.TIJDELIJKE_BEVEILIGING: frozenset({Status.SANERINGSPLAN, Status.BEHEERST}),
    Status.SANERING_GESTART: frozenset({Status.GESANEERD, Status.BEHEERST}),
    Status.GESANEERD: frozenset({Status.NAZORG}),
    Status.BEHEERST: frozenset({Status.NAZORG, Status.SANERINGSPLAN}),
    Status.ERNSTIG_GEEN_SPOED: frozenset(),
    Status.NIET_ERNSTIG: frozenset(),
    Status.NAZORG: frozenset(),
}

# Counted as dealt with for the covenant (gesaneerd or risks beheerst), nazorg follows from them.
AFGEHANDELD = frozenset({Status.GESANEERD, Status.BEHEERST, Status.NAZORG})
# No longer on the spoed list after the decision.
VAN_DE_LIJST = frozenset({Status.ERNSTIG_GEEN_SPOED, Status.NIET_ERNSTIG})
# Confirmed spoedlocaties: from the decision "ernstig, spoed" onwards.
BEVESTIGD_VANAF = frozenset(Status) - VAN_DE_LIJST - {Status.POTENTIEEL_SPOED, Status.ONDERZOCHT}


class RisicoType(StrEnum):
    HUMAAN = "humaan"
    ECOLOGISCH = "ecologisch"
    VERSPREIDING = "verspreiding"


CRITERIA: dict[RisicoType, frozenset[str]] = {
    RisicoType.HUMAAN: frozenset(
        {
            "consumptie-gewas",
            "ingestie-grond",
            "inhalatie-vezels-asbest",
            "hinder-huidcontact",
            "hinder-stankoverlast",
            "metingen-contactmedia",
            "permeatie-drinkwaterleidingen",
            "uitdamping-binnenlucht",
            "overig",
        }
    ),
    RisicoType.VERSPREIDING: frozenset(
        {
            "volume-groter-dan-6000-m3",
            "jaarlijkse-toename-groter-dan-1000-m3",
            "drijflaag",
            "zaklaag",
            "bedreiging-intrekgebied",
            "bedreiging-oppervlaktewater",
            "bedreiging-ecologisch-gebied",
            "bedreiging-kwel",
            "overig",
        }
    ),
    RisicoType.ECOLOGISCH: frozenset(
        {
            "toxische-druk-20-50-procent",
            "toxische-druk-boven-50-procent",
            "triade-onderzoek",
            "overig",
        }
    ),
}


class Knelpunt(StrEnum):
    GEEN = "geen"
    FINANCIEEL = "financieel"
    ORGANISATORISCH = "organisatorisch"
    TECHNISCH = "technisch"
    JURIDISCH = "juridisch"
    COMPLEX = "complex"


class Bodemtype(StrEnum):
    LANDBODEM = "landbodem"
    WATERBODEM = "waterbodem"


class Verontreinigingsgroep(StrEnum):
    METALEN = "metalen"
    CYANIDEN = "cyaniden"
    AROMATEN = "aromatische-verbindingen"
    PAK = "pak"
    GECHLOREERDE_KOOLWATERSTOFFEN = "gechloreerde-koolwaterstoffen"
    BESTRIJDINGSMIDDELEN = "bestrijdingsmiddelen"
    MINERALE_OLIE = "minerale-olie"
    ASBEST = "asbest"
    OVERIGE = "overige"
