"""The 42 bevoegde gezagen of the soil covenants: 12 provinces and 30 municipalities.

Codes are the two-letter SIKB0101 ``Lettercode_bevoegd_gezag``; municipalities carry their CBS
municipality code. For a province we list municipalities in which it is the competent authority
(used for site ids and demo data); the list is representative, not exhaustive.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Soort(StrEnum):
    PROVINCIE = "provincie"
    GEMEENTE = "gemeente"


@dataclass(frozen=True)
class BevoegdGezag:
    code: str
    naam: str
    soort: Soort
    provincie: str  # code of the province the authority lies in (itself for a province)
    gemeentecodes: tuple[str, ...]  # CBS codes of the municipalities under its competence


def _p(code: str, naam: str, gemeenten: str) -> BevoegdGezag:
    return BevoegdGezag(code, naam, Soort.PROVINCIE, code, tuple(gemeenten.split()))


def _g(code: str, naam: str, provincie: str, cbs: str) -> BevoegdGezag:
    return BevoegdGezag(code, naam, Soort.GEMEENTE, provincie, (cbs,))


BEVOEGDE_GEZAGEN: tuple[BevoegdGezag, ...] = (
    _p("DR", "Provincie Drenthe", "0106 0118 0119 0109 1680"),
    _p("FL", "Provincie Flevoland", "0034 0995 0171 0050 0303"),
    _p("FR", "Provincie Fryslân", "1900 0090 0074 0072 0737"),
    _p("GE", "Provincie Gelderland", "0200 0228 0222 0301 0243 0289"),
    _p("GR", "Provincie Groningen", "1952 0047 1895 0037 1966"),
    _p("LI", "Provincie Limburg", "1883 0957 0988 0928 0899"),
    _p("NB", "Provincie Noord-Brabant", "0828 1674 0748 0867 0779 0820"),
    _p("NH", "Provincie Noord-Holland", "0402 0400 0439 0441 0453 0394"),
    _p("OV", "Provincie Overijssel", "0166 0160 0173 0175 0177"),
    _p("UT", "Provincie Utrecht", "0356 0355 0345 0321 0353"),
    _p("ZL", "Provincie Zeeland", "0687 0718 0715 0664 0654"),
    _p("ZH", "Provincie Zuid-Holland", "0513 0484 0637 1783 0537 0629"),
    _g("AM", "Gemeente Amsterdam", "NH", "0363"),
    _g("RT", "Gemeente Rotterdam", "ZH", "0599"),
    _g("DH", "Gemeente 's-Gravenhage", "ZH", "0518"),
    _g("UH", "Gemeente Utrecht", "UT", "0344"),
    _g("AF", "Gemeente Amersfoort", "UT", "0307"),
    _g("AH", "Gemeente Arnhem", "GE", "0202"),
    _g("AL", "Gemeente Almelo", "OV", "0141"),
    _g("AR", "Gemeente Alkmaar", "NH", "0361"),
    _g("BR", "Gemeente Breda", "NB", "0758"),
    _g("DB", "Gemeente 's-Hertogenbosch", "NB", "0796"),
    _g("DE", "Gemeente Deventer", "OV", "0150"),
    _g("DL", "Gemeente Delft", "ZH", "0503"),
    _g("DO", "Gemeente Dordrecht", "ZH", "0505"),
    _g("EH", "Gemeente Eindhoven", "NB", "0772"),
    _g("EM", "Gemeente Emmen", "DR", "0114"),
    _g("EN", "Gemeente Enschede", "OV", "0153"),
    _g("GO", "Gemeente Groningen", "GR", "0014"),
    _g("HA", "Gemeente Haarlem", "NH", "0392"),
    _g("HE", "Gemeente Hengelo", "OV", "0164"),
    _g("HL", "Gemeente Heerlen", "LI", "0917"),
    _g("HM", "Gemeente Helmond", "NB", "0794"),
    _g("LE", "Gemeente Leiden", "ZH", "0546"),
    _g("LW", "Gemeente Leeuwarden", "FR", "0080"),
    _g("MA", "Gemeente Maastricht", "LI", "0935"),
    _g("NM", "Gemeente Nijmegen", "GE", "0268"),
    _g("SC", "Gemeente Schiedam", "ZH", "0606"),
    _g("TI", "Gemeente Tilburg", "NB", "0855"),
    _g("VE", "Gemeente Venlo", "LI", "0983"),
    _g("ZA", "Gemeente Zaanstad", "NH", "0479"),
    _g("ZW", "Gemeente Zwolle", "OV", "0193"),
)

BY_CODE: dict[str, BevoegdGezag] = {b.code: b for b in BEVOEGDE_GEZAGEN}


def get(code: str) -> BevoegdGezag | None:
    return BY_CODE.get(code)
