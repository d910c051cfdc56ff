"""The programme's decisions for `make demo`: the covenant's deadlines (2009) and how they were
moved, the 2013 agreements on the pace, the 2016-2020 covenant's goals, and the Rijk's budget
envelopes per bevoegd gezag (EUR 1,893 million, of which the EUR 144 million earmarked for
waterbodems), with revisions.

The dates and the course of the deadlines follow the public record; decision ids, meeting dates
and the split of the money over the authorities are the project's own plausible figures. Each
entry is an API call: the role that makes it, the path under /v1/programma and the body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from shared.bevoegde_gezagen import BEVOEGDE_GEZAGEN, Soort

CONVENANT_2009 = {
    "id": "convenant-2009",
    "datum": "2009-07-10",
    "titel": "Convenant bodemontwikkelingsbeleid en aanpak spoedlocaties (2009)",
}
OVERZICHT_2011 = {
    "id": "SG-2011-02",
    "datum": "2011-03-24",
    "titel": "Stuurgroep Bodem: overzicht humane spoedlocaties naar 1 juli 2012",
}
OVERIG_2012 = {
    "id": "SG-2012-03",
    "datum": "2012-06-14",
    "titel": "Stuurgroep Bodem: overzicht overige risico's naar voren, 1 juli 2013",
}
TEMPO_2013 = {
    "id": "SG-2013-02",
    "datum": "2013-04-18",
    "titel": "Nieuwe afspraken over het tempo van de aanpak (Kamerbrief 2013)",
}
CONVENANT_2016 = {
    "id": "convenant-2016",
    "datum": "2015-03-17",
    "titel": "Convenant bodem en ondergrond 2016-2020",
}
MIDDELEN_2010 = {
    "id": "RIJK-2009-12",
    "datum": "2009-12-10",
    "titel": "Verdeling convenantsmiddelen 2010-2015 over de bevoegde gezagen",
}
HERZIENING_2013 = {
    "id": "RIJK-2013-07",
    "datum": "2013-07-04",
    "titel": "Herverdeling convenantsmiddelen na de midterm review (noodclausule)",
}

MILJOEN = 1_000_000
TOTAAL_EURO = 1_893 * MILJOEN
WATERBODEM_EURO = 144 * MILJOEN


@dataclass(frozen=True)
class Besluitstap:
    rol: str  # "uitvoeringsprogramma" (the Stuurgroep's agreements) or "rijk" (envelopes)
    pad: str  # "afspraken" or "enveloppen"
    body: dict[str, Any]


def _afspraak(besluit: dict[str, str], ingang: str, soort: str, deadline: str) -> Besluitstap:
    body = {"afspraak": soort, "deadline": deadline, "ingangsdatum": ingang, "besluit": besluit}
    return Besluitstap("uitvoeringsprogramma", "afspraken", body)


def _gewicht(code: str, soort: Soort) -> int:
    # The larger authorities carry more of the task (as the demo's sites are spread).
    groot = {"AM": 40, "RT": 40, "DH": 25, "UH": 20, "ZH": 30, "NB": 30, "GE": 30, "NH": 25}
    return groot.get(code, 16 if soort is Soort.PROVINCIE else 8)


def _verdeel(totaal: int, gewichten: dict[str, int]) -> dict[str, int]:
    """``totaal`` over the keys by weight, in whole thousands, the rest to the largest."""
    som = sum(gewichten.values())
    uit = {k: totaal * g // som // 1000 * 1000 for k, g in gewichten.items()}
    grootste = max(gewichten, key=lambda k: (gewichten[k], k))
    uit[grootste] += totaal - sum(uit.values())
    return uit


def _envelop(
    code: str, doel: str, bedrag: int, besluit: dict[str, str], ingang: str
) -> Besluitstap:
    body = {
        "bevoegdGezag": code,
        "doel": doel,
        "bedragEuro": bedrag,
        "ingangsdatum": ingang,
        "besluit": besluit,
    }
    return Besluitstap("rijk", "enveloppen", body)


def enveloppen() -> list[Besluitstap]:
    """The first envelopes (the covenant's money over the 42) and the 2013 revision."""
    gewichten = {b.code: _gewicht(b.code, b.soort) for b in BEVOEGDE_GEZAGEN}
    land = _verdeel(TOTAAL_EURO - WATERBODEM_EURO, gewichten)
    # Waterbodems are mostly the provinces' and the port cities' task.
    water = _verdeel(
        WATERBODEM_EURO,
        {
            b.code: gewichten[b.code]
            for b in BEVOEGDE_GEZAGEN
            if b.soort is Soort.PROVINCIE or b.code in ("AM", "RT")
        },
    )
    stappen = [_envelop(c, "land", land[c], MIDDELEN_2010, "2010-01-01") for c in land]
    stappen += [_envelop(c, "waterbodem", water[c], MIDDELEN_2010, "2010-01-01") for c in water]
    # After the midterm review money moved to where unexpected contamination appeared (the
    # emergency clause): from the Rijk's reserve within the same total, two authorities up,
    # one down by the same amount.
    for code, verschil in (("GR", 12 * MILJOEN), ("LI", 8 * MILJOEN), ("NB", -20 * MILJOEN)):
        stappen.append(_envelop(code, "land", land[code] + verschil, HERZIENING_2013, "2013-07-01"))
    return stappen


def besluiten() -> list[Besluitstap]:
    """Every decision in the order `make demo` records them."""
    return [
        _afspraak(CONVENANT_2009, "2009-07-10", "overzicht-spoedlocaties", "2010-12-31"),
        _afspraak(CONVENANT_2009, "2009-07-10", "humaan", "2015-12-31"),
        _afspraak(CONVENANT_2009, "2009-07-10", "overzicht-overig", "2015-12-31"),
        # The programme started later than planned: the humane list moved to 1 July 2012.
        _afspraak(OVERZICHT_2011, "2011-03-24", "overzicht-spoedlocaties", "2012-07-01"),
        # The other risks' list was brought forward, to 1 July 2013.
        _afspraak(OVERIG_2012, "2012-06-14", "overzicht-overig", "2013-07-01"),
        # The pace: every spoedlocatie dealt with by 2020, in force from the letter on.
        _afspraak(TEMPO_2013, "2013-04-18", "alle", "2020-12-31"),
        # The 2016-2020 covenant: every spoedlocatie (the humane ones left over included)
        # dealt with by the end of 2020, from 1 January 2016. The humane deadline of 2015 was
        # never moved: a humane site done later stays late against it.
        _afspraak(CONVENANT_2016, "2016-01-01", "alle", "2020-12-31"),
        *enveloppen(),
    ]
