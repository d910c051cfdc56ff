"""The budget report: per bevoegd gezag and per soil type (land, waterbodem) the envelope in
force, what was allocated to its sites, what was spent and what remains.

Method: the envelope is the one in force on the peildatum as known on the kennisdatum
(``afspraken``; none recorded: no envelope, shown as empty). Allocated and spent are the sums
of the budget allocations and cost bookings of the sites registered by the peildatum, dated up
to it, counted with the bevoegd gezag the site had on the peildatum (after transfers) and its
bodemtype (landbodem counts for land, waterbodem for waterbodem). Remaining is the envelope
minus what was allocated (negative: more allocated than the envelope holds); its share spent is
spent / envelope. Nationally the same sums over all authorities.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from services.rapportage.domain.afspraken import DOELEN, Afspraken
from services.rapportage.domain.feiten import Locatie
from shared.bevoegde_gezagen import BEVOEGDE_GEZAGEN

TITEL = "Budget per bevoegd gezag en bodemtype"
# A table as ``rapporten.Tabel`` takes it: (titel, kolommen, rijen, grafiek). Plain data, so this
# module needs nothing from ``rapporten`` (which builds the report from it).
Tabeldata = tuple[str, list[str], list[list[Any]], tuple[str, str] | None]

DOEL_VAN = {"landbodem": "land", "waterbodem": "waterbodem"}
KOLOMMEN = [
    "bevoegdGezag",
    "naam",
    "doel",
    "envelopEuro",
    "toegekendEuro",
    "besteedEuro",
    "resterendEuro",
    "percentageBesteed",
    "besluit",
]


def _pct(deel: int, geheel: int) -> float:
    """As ``rapporten._pct``: one decimal, rounded exactly (half to even)."""
    return round(Fraction(1000 * deel, geheel)) / 10


def _regel(
    code: str,
    naam: str,
    doel: str,
    envelop: int | None,
    besluit: dict[str, str] | None,
    toegekend: int,
    besteed: int,
) -> dict[str, Any]:
    return {
        "bevoegdGezag": code,
        "naam": naam,
        "doel": doel,
        "envelopEuro": envelop,
        "toegekendEuro": toegekend,
        "besteedEuro": besteed,
        "resterendEuro": None if envelop is None else envelop - toegekend,
        "percentageBesteed": _pct(besteed, envelop) if envelop else None,
        "besluit": besluit,
    }


def budget(
    locaties: dict[str, Locatie], afspraken: Afspraken
) -> tuple[dict[str, Any], list[Tabeldata]]:
    """The report's content and tables."""
    toegekend: dict[tuple[str, str], int] = {}
    besteed: dict[tuple[str, str], int] = {}
    for x in locaties.values():
        sleutel = (x.bevoegd_gezag, DOEL_VAN.get(x.bodemtype, "land"))
        toegekend[sleutel] = toegekend.get(sleutel, 0) + x.budget_euro
        besteed[sleutel] = besteed.get(sleutel, 0) + x.kosten_euro
    rijen = []
    for gezag in sorted(BEVOEGDE_GEZAGEN, key=lambda b: b.code):
        for doel in DOELEN:
            envelop = afspraken.envelop(gezag.code, doel)
            rijen.append(
                _regel(
                    gezag.code,
                    gezag.naam,
                    doel,
                    envelop.bedrag_euro if envelop else None,
                    envelop.besluit.als_json() if envelop else None,
                    toegekend.get((gezag.code, doel), 0),
                    besteed.get((gezag.code, doel), 0),
                )
            )
    landelijk = {}
    for doel in (*DOELEN, "totaal"):
        eigen = [r for r in rijen if doel in ("totaal", r["doel"])]
        enveloppen = [r["envelopEuro"] for r in eigen if r["envelopEuro"] is not None]
        envelop = sum(enveloppen) if enveloppen else None
        regel = _regel(
            "NL",
            "Nederland",
            doel,
            envelop,
            None,
            sum(r["toegekendEuro"] for r in eigen),
            sum(r["besteedEuro"] for r in eigen),
        )
        landelijk[doel] = {
            k: v for k, v in regel.items() if k not in ("bevoegdGezag", "naam", "besluit", "doel")
        }
    tabellen: list[Tabeldata] = [
        (
            TITEL,
            KOLOMMEN,
            [
                [*(r[k] for k in KOLOMMEN[:-1]), r["besluit"]["titel"] if r["besluit"] else None]
                for r in rijen
            ],
            None,
        ),
        (
            "Landelijk",
            ["doel", *KOLOMMEN[3:-1]],
            [[doel, *(v[k] for k in KOLOMMEN[3:-1])] for doel, v in landelijk.items()],
            ("doel", "besteedEuro"),
        ),
    ]
    return {"landelijk": landelijk, "perBevoegdGezag": rijen}, tabellen
