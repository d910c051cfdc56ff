"""The reports: pure functions from the sites on a peildatum to content and tables.

Every report is reproducible: its digest covers its name, parameters, the last event position
it includes, its content and the logs it binds (``logboeken``: per log the chain hash at that
position and the latest anchor; see ``binding``), in canonical JSON. The same request over the
same events always gives the same digest, and an auditor replaying the log up to that position
can recompute it.
"""

from __future__ import annotations

import dataclasses
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date
from fractions import Fraction
from itertools import accumulate
from typing import Any

from services.rapportage.domain import afspraken as af
from services.rapportage.domain import bijlage, budget, open_op_deadline, planrapporten, rangorde
from services.rapportage.domain.afspraken import (
    ALLE,
    HUMAAN,
    OVERZICHT,
    OVERZICHT_OVERIG,
    Afspraken,
    oorspronkelijk,
)
from services.rapportage.domain.feiten import Feit, Locatie, toestand_op
from services.rapportage.domain.rapport import Rapport as Rapport
from services.rapportage.domain.rapport import Tabel as Tabel
from shared.bevoegde_gezagen import BEVOEGDE_GEZAGEN, Soort
from shared.tijd import kennismoment
from shared.vocabulaire import RisicoType, Status

START = af.START
# The covenant's original deadlines. No report reads these: each takes the agreements in force
# on its peildatum (``afspraken``), which are these until a decision moves one.
DEADLINE_OVERZICHT = date(2010, 12, 31)
DEADLINE_HUMAAN = date(2015, 12, 31)
DEADLINE_OVERZICHT_OVERIG = date(2015, 12, 31)
DEADLINE_ALLES = date(2020, 12, 31)


# A dealt-with decision put on record more than this many days after its decision date is
# listed as back-dated in the deadlines report (exactly this many days is still on time).
TERUGDATEREN_DAGEN = 90


def _pct(deel: int, geheel: int) -> float | None:
    """100 * deel / geheel to one decimal, rounded exactly (half to even), so a second
    implementation gets the same figure without copying our floating point."""
    return round(Fraction(1000 * deel, geheel)) / 10 if geheel else None


def _samenvatting(locaties: Iterable[Locatie]) -> dict[str, Any]:
    lijst = list(locaties)
    bevestigd = [x for x in lijst if x.bevestigd]
    humaan = [x for x in bevestigd if x.humaan]
    return {
        "geregistreerd": len(lijst),
        "bevestigd": len(bevestigd),
        "afgehandeld": sum(x.afgehandeld for x in bevestigd),
        "humaan": len(humaan),
        "humaanAfgehandeld": sum(x.afgehandeld for x in humaan),
        "percentageAfgehandeld": _pct(sum(x.afgehandeld for x in bevestigd), len(bevestigd)),
        "percentageHumaanAfgehandeld": _pct(sum(x.afgehandeld for x in humaan), len(humaan)),
        "metKnelpunt": sum(1 for x in bevestigd if x.knelpunt and not x.afgehandeld),
        "budgetEuro": sum(x.budget_euro for x in lijst),
        "kostenEuro": sum(x.kosten_euro for x in lijst),
    }


def _doelen(
    locaties: dict[str, Locatie], peildatum: date, afspraken: Afspraken
) -> list[dict[str, Any]]:
    """The two remediation goals against the agreements in force, each naming its decision."""
    bevestigd = [x for x in locaties.values() if x.bevestigd]
    humaan = [x for x in bevestigd if x.humaan]

    def doel(soort: str, groep: list[Locatie]) -> dict[str, Any]:
        afspraak = afspraken[soort]
        deadline = afspraak.deadline
        op_tijd = sum(1 for x in groep if x.afgehandeld_op and x.afgehandeld_op <= deadline)
        return {
            "doel": afspraak.omschrijving,
            "deadline": deadline.isoformat(),
            "totaal": len(groep),
            "afgehandeld": sum(x.afgehandeld for x in groep),
            "opTijd": op_tijd,
            "percentage": _pct(sum(x.afgehandeld for x in groep), len(groep)),
            "gehaald": afspraak.gehaald(op_tijd, len(groep)) if peildatum > deadline else None,
            "doelPercentage": afspraak.doel_percentage,
            "besluit": afspraak.besluit.als_json(),
        }

    return [doel(HUMAAN, humaan), doel(ALLE, bevestigd)]


DOELKOLOMMEN = ["doel", "deadline", "totaal", "afgehandeld", "opTijd", "percentage", "gehaald"]


def _doelentabel(doelen: list[dict[str, Any]]) -> Tabel:
    return Tabel(
        "Doelen",
        [*DOELKOLOMMEN, "doelPercentage", "besluit"],
        [
            [*(d[k] for k in DOELKOLOMMEN), d["doelPercentage"], d["besluit"]["titel"]]
            for d in doelen
        ],
    )


def _afsprakentabel(afspraken: Afspraken, *soorten: str) -> Tabel:
    """The agreements a report measured against, with the decision behind each."""
    kolommen = ["afspraak", "deadline", "doelPercentage", "ingangsdatum", "besluit", "besluitdatum"]
    return Tabel(
        "Gebruikte afspraken",
        kolommen,
        [
            [
                a["omschrijving"],
                a["deadline"],
                a["doelPercentage"],
                a["ingangsdatum"],
                a["besluit"]["titel"],
                a["besluit"]["datum"],
            ]
            for a in afspraken.als_json(*soorten)
        ],
    )


def voortgang(
    locaties: dict[str, Locatie],
    peildatum: date,
    positie: int,
    afspraken: Afspraken | None = None,
) -> Rapport:
    afspraken = afspraken or oorspronkelijk(peildatum)
    per_status = Counter(str(x.status) for x in locaties.values())
    per_risico = {}
    for soort in RisicoType:
        groep = [x for x in locaties.values() if x.bevestigd and x.risicos.get(str(soort))]
        per_risico[str(soort)] = {
            "totaal": len(groep),
            "afgehandeld": sum(x.afgehandeld for x in groep),
        }
    jaren = list(range(2010, min(2020, peildatum.year) + 1))
    per_jaar = []
    if jaren:
        # One pass: count each site in the first year whose end (or the peildatum) it precedes,
        # then accumulate; everything up to 2010 counts in 2010.
        eindes = [min(date(j, 12, 31), peildatum) for j in jaren]

        def jaar_van(d: date | None) -> int | None:
            if d is None:
                return None
            i = bisect_left(eindes, d)
            return i if i < len(eindes) else None

        tellers = {k: [0] * len(jaren) for k in ("geregistreerd", "afgehandeld", "humaan")}
        for x in locaties.values():
            for sleutel, d in (
                ("geregistreerd", x.registratiedatum),
                ("afgehandeld", x.afgehandeld_op),
                ("humaan", x.afgehandeld_op if x.humaan else None),
            ):
                i = jaar_van(d)
                if i is not None:
                    tellers[sleutel][i] += 1
        cumulatief = {k: list(accumulate(v)) for k, v in tellers.items()}
        per_jaar = [
            {
                "jaar": j,
                "geregistreerd": cumulatief["geregistreerd"][n],
                "afgehandeld": cumulatief["afgehandeld"][n],
                "humaanAfgehandeld": cumulatief["humaan"][n],
            }
            for n, j in enumerate(jaren)
        ]
    inhoud: dict[str, Any] = {
        "samenvatting": _samenvatting(locaties.values()),
        "perStatus": {str(s): per_status.get(str(s), 0) for s in Status},
        "perRisicotype": per_risico,
        "doelen": _doelen(locaties, peildatum, afspraken),
        "perJaar": per_jaar,
    }
    return Rapport(
        "voortgang",
        "Landelijke voortgang spoedlocaties",
        {"peildatum": peildatum.isoformat()},
        positie,
        inhoud,
        [
            Tabel(
                "Per status",
                ["status", "aantal"],
                [[k, v] for k, v in inhoud["perStatus"].items()],
                ("status", "aantal"),
            ),
            _doelentabel(inhoud["doelen"]),
            Tabel(
                "Per jaar",
                ["jaar", "geregistreerd", "afgehandeld", "humaanAfgehandeld"],
                [list(j.values()) for j in per_jaar],
                ("jaar", "afgehandeld"),
            ),
            _afsprakentabel(afspraken, HUMAAN, ALLE),
        ],
    )


def per_bevoegd_gezag(
    locaties: dict[str, Locatie],
    peildatum: date,
    positie: int,
    per: str = "bevoegd-gezag",
    afspraken: Afspraken | None = None,
) -> Rapport:
    """The midterm review's list: per bevoegd gezag (or province), ranked by progress; behind
    against its own task and plan (``rangorde``), measured against the agreements and
    envelopes in force (``afspraken``)."""
    afspraken = afspraken or oorspronkelijk(peildatum)
    deadline_humaan = afspraken.deadline(HUMAAN)
    if per == "provincie":
        sleutels = [(b.code, b.naam) for b in BEVOEGDE_GEZAGEN if b.soort is Soort.PROVINCIE]
    else:
        sleutels = [(b.code, b.naam) for b in BEVOEGDE_GEZAGEN]
    groepen: dict[str, list[Locatie]] = {}
    for x in locaties.values():
        groepen.setdefault(x.provincie if per == "provincie" else x.bevoegd_gezag, []).append(x)
    nationaal = _samenvatting(locaties.values())
    rijen = []
    for code, naam in sleutels:
        eigen = groepen.get(code, [])
        s = _samenvatting(eigen)
        knelpunten = Counter(x.knelpunt for x in eigen if x.knelpunt and not x.afgehandeld)
        te_laat = sum(
            1
            for x in eigen
            if x.bevestigd
            and x.humaan
            and peildatum > deadline_humaan
            and not (x.afgehandeld_op and x.afgehandeld_op <= deadline_humaan)
        )
        rijen.append(
            {
                "code": code,
                "naam": naam,
                **s,
                "humaanTeLaat": te_laat,
                "knelpunten": dict(sorted(knelpunten.items())),
                **rangorde.beoordeling(eigen, peildatum, afspraken, afspraken.enveloppe_euro(code)),
                # The decisions behind the envelopes in force (land, waterbodem).
                "enveloppeBesluiten": afspraken.enveloppe_besluiten(code),
            }
        )
    # Ranked by share dealt with, then by humane share; equal scores keep the code order.
    rijen.sort(
        key=lambda r: (
            -(r["percentageAfgehandeld"] or 0),
            -(r["percentageHumaanAfgehandeld"] or 0),
            r["code"],
        )
    )
    for plaats, rij in enumerate(rijen, start=1):
        rij["plaats"] = plaats
    naam = "provincies" if per == "provincie" else "bevoegde-gezagen"
    kolommen = [
        "plaats",
        "code",
        "naam",
        "bevestigd",
        "afgehandeld",
        "percentageAfgehandeld",
        "humaan",
        "humaanAfgehandeld",
        "humaanTeLaat",
        "percentageOpSchema",
        "achterOpPlanning",
        "metKnelpunt",
        "budgetEuro",
        "kostenEuro",
        "percentageBudgetBesteed",
        "enveloppeEuro",
        "percentageEnveloppeBesteed",
        "achter",
        "reden",
    ]
    return Rapport(
        naam,
        f"Voortgang per {per.replace('-', ' ')}",
        {"peildatum": peildatum.isoformat()},
        positie,
        {"landelijk": nationaal, "ranglijst": rijen, "afspraken": afspraken.als_json(HUMAAN)},
        [
            Tabel(
                "Ranglijst",
                kolommen,
                [[r[k] for k in kolommen] for r in rijen],
                ("naam", "percentageAfgehandeld"),
            ),
            _afsprakentabel(afspraken, HUMAAN),
        ],
    )


def _regel(x: Locatie) -> dict[str, Any]:
    return {
        "locatieId": x.locatie_id,
        "bevoegdGezag": x.bevoegd_gezag,
        "naam": x.naam,
        "gemeentecode": x.gemeentecode,
        "status": str(x.status),
        "afgehandeldOp": x.afgehandeld_op.isoformat() if x.afgehandeld_op else None,
        "risicotypes": x.risicotypes(),
        "knelpunt": x.knelpunt,
    }


def deadlines(
    locaties: dict[str, Locatie],
    peildatum: date,
    positie: int,
    afspraken: Afspraken | None = None,
) -> Rapport:
    """Every deadline from the agreements in force on the peildatum, each figure naming the
    decision that set its deadline."""
    afspraken = afspraken or oorspronkelijk(peildatum)
    humaan, alle = afspraken[HUMAAN], afspraken[ALLE]
    overzicht, overig = afspraken[OVERZICHT], afspraken[OVERZICHT_OVERIG]
    alle_locaties = sorted(locaties.values(), key=lambda x: x.locatie_id)
    humaan_niet_op_tijd = [
        {**_regel(x), "deadline": humaan.deadline.isoformat(), "besluit": humaan.besluit.titel}
        for x in alle_locaties
        if x.bevestigd
        and x.humaan
        and not (x.afgehandeld_op and x.afgehandeld_op <= humaan.deadline)
    ]
    verlopen = [
        {
            **_regel(x),
            "deadline": (a := humaan if x.humaan else alle).deadline.isoformat(),
            "besluit": a.besluit.titel,
        }
        for x in alle_locaties
        if x.bevestigd and not x.afgehandeld and peildatum > (humaan if x.humaan else alle).deadline
    ]
    na_overzicht = [x for x in alle_locaties if x.registratiedatum > overzicht.deadline]
    overig_laat = [
        x
        for x in alle_locaties
        if any(
            x.eerste_beoordeling.get(s, date.min) > overig.deadline
            for s in ("ecologisch", "verspreiding")
        )
    ]

    def per_gezag(lijst: list[Locatie]) -> dict[str, int]:
        return dict(sorted(Counter(x.bevoegd_gezag for x in lijst).items()))

    teruggedateerd = _teruggedateerd(alle_locaties, afspraken)
    inhoud = {
        "afspraken": afspraken.als_json(),
        "humaanNietOpTijd": {
            "deadline": humaan.deadline.isoformat(),
            "besluit": humaan.besluit.als_json(),
            "verstreken": peildatum > humaan.deadline,
            "aantal": len(humaan_niet_op_tijd),
            "locaties": humaan_niet_op_tijd,
        },
        "verlopen": {"aantal": len(verlopen), "locaties": verlopen},
        "onvolledigeLijsten": [
            {
                "lijst": "overzicht spoedlocaties",
                "deadline": overzicht.deadline.isoformat(),
                "besluit": overzicht.besluit.als_json(),
                "later": len(na_overzicht),
                "perBevoegdGezag": per_gezag(na_overzicht),
            },
            {
                "lijst": "overzicht ecologische en verspreidingsrisico's",
                "deadline": overig.deadline.isoformat(),
                "besluit": overig.besluit.als_json(),
                "later": len(overig_laat),
                "perBevoegdGezag": per_gezag(overig_laat),
            },
        ],
        "teruggedateerd": {
            "grensDagen": TERUGDATEREN_DAGEN,
            "aantal": len(teruggedateerd),
            "perBevoegdGezag": [
                {"bevoegdGezag": code, "aantal": len(regels), "locaties": regels}
                for code, regels in _groepeer(teruggedateerd).items()
            ],
        },
    }
    kolommen = ["locatieId", "bevoegdGezag", "naam", "status", "afgehandeldOp", "knelpunt"]
    met_deadline = [*kolommen, "deadline", "besluit"]
    return Rapport(
        "deadlines",
        "Deadlinebewaking",
        {"peildatum": peildatum.isoformat()},
        positie,
        inhoud,
        [
            Tabel(
                "Humane spoedlocaties niet op tijd",
                met_deadline,
                [[r[k] for k in met_deadline] for r in humaan_niet_op_tijd],
            ),
            Tabel(
                "Verlopen",
                met_deadline,
                [[r[k] for k in met_deadline] for r in verlopen],
            ),
            Tabel(
                f"Afgehandeld voor een deadline, meer dan {TERUGDATEREN_DAGEN} dagen later "
                "vastgelegd",
                TERUGGEDATEERD_KOLOMMEN,
                [[r[k] for k in TERUGGEDATEERD_KOLOMMEN] for r in teruggedateerd],
            ),
            _afsprakentabel(afspraken),
        ],
    )


TERUGGEDATEERD_KOLOMMEN = [
    "bevoegdGezag",
    "locatieId",
    "naam",
    "status",
    "besluitdatum",
    "vastgelegdOp",
    "dagenLaat",
    "deadline",
    "besluit",
]


def _teruggedateerd(alle: list[Locatie], afspraken: Afspraken) -> list[dict[str, Any]]:
    """Confirmed sites whose dealt-with decision is dated on or before a covenant deadline but
    was put on record more than TERUGDATEREN_DAGEN days after that date (record day in UTC),
    by bevoegd gezag and site. The deadline is the earliest one the decision date meets."""
    uit = []
    humaan, alle_afspraak = afspraken[HUMAAN], afspraken[ALLE]
    for x in alle:
        besluit, vastgelegd = x.afgehandeld_op, x.afgehandeld_vastgelegd_op
        if (
            not x.bevestigd
            or besluit is None
            or vastgelegd is None
            or besluit > alle_afspraak.deadline
        ):
            continue
        dag = vastgelegd.astimezone(UTC).date()
        if (dag - besluit).days <= TERUGDATEREN_DAGEN:
            continue
        afspraak = humaan if x.humaan and besluit <= humaan.deadline else alle_afspraak
        uit.append(
            {
                "bevoegdGezag": x.bevoegd_gezag,
                "locatieId": x.locatie_id,
                "naam": x.naam,
                "status": str(x.status),
                "besluitdatum": besluit.isoformat(),
                "vastgelegdOp": dag.isoformat(),
                "dagenLaat": (dag - besluit).days,
                "deadline": afspraak.deadline.isoformat(),
                "besluit": afspraak.besluit.titel,
            }
        )
    return sorted(uit, key=lambda r: (r["bevoegdGezag"], r["locatieId"]))


def _groepeer(regels: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    per: dict[str, list[dict[str, Any]]] = {}
    for r in regels:
        per.setdefault(r["bevoegdGezag"], []).append(r)
    return per


def midterm_review(
    start: dict[str, Locatie],
    nu: dict[str, Locatie],
    peildatum: date,
    positie: int,
    vorige: date = START,
    afspraken: Afspraken | None = None,
) -> Rapport:
    """The peildatum against an earlier one (``vorige``: the previous review, default the
    covenant's start; ``start`` is the state then). Whether the goals are still feasible, with
    the plans made then: the report "haalbaarheid" (planrapporten.py)."""
    afspraken = afspraken or oorspronkelijk(peildatum)
    lijst = per_bevoegd_gezag(nu, peildatum, positie, afspraken=afspraken)
    begin = {
        r["code"]: r
        for r in per_bevoegd_gezag(start, vorige, positie, afspraken=afspraken).inhoud["ranglijst"]
    }
    ranglijst = [
        {**rij, "afgehandeldSindsStart": rij["afgehandeld"] - begin[rij["code"]]["afgehandeld"]}
        for rij in lijst.inhoud["ranglijst"]
    ]
    inhoud: dict[str, Any] = {
        "start": {"datum": vorige.isoformat(), **_samenvatting(start.values())},
        "peildatum": {"datum": peildatum.isoformat(), **_samenvatting(nu.values())},
        "doelen": _doelen(nu, peildatum, afspraken),
        "ranglijst": ranglijst,
    }
    kolommen = [
        "plaats",
        "code",
        "naam",
        "bevestigd",
        "afgehandeld",
        "afgehandeldSindsStart",
        "percentageAfgehandeld",
        "humaanTeLaat",
        "percentageOpSchema",
        "achter",
        "reden",
    ]
    parameters = {"peildatum": peildatum.isoformat()}
    if vorige != START:
        parameters["vorigePeildatum"] = vorige.isoformat()
    return Rapport(
        "midterm-review",
        "Midterm review",
        parameters,
        positie,
        inhoud,
        [
            Tabel(
                "Ranglijst",
                kolommen,
                [[r[k] for k in kolommen] for r in inhoud["ranglijst"]],
                ("naam", "percentageAfgehandeld"),
            ),
            _doelentabel(inhoud["doelen"]),
            _afsprakentabel(afspraken, HUMAAN, ALLE),
        ],
    )


def kamerbrief_bijlage(
    locaties: dict[str, Locatie],
    van: date,
    tot: date,
    positie: int,
    afspraken: Afspraken | None = None,
) -> Rapport:
    afspraken = afspraken or oorspronkelijk(tot)
    humaan = next(d for d in afspraken.doelen if d.humaan)
    afgehandeld = sorted(
        (x for x in locaties.values() if x.afgehandeld_op and van <= x.afgehandeld_op <= tot),
        key=lambda x: (x.bevoegd_gezag, x.locatie_id),
    )
    per_gezag: dict[str, list[dict[str, Any]]] = {}
    for x in afgehandeld:
        per_gezag.setdefault(x.bevoegd_gezag, []).append(bijlage.regel(x))
    humaan_open = bijlage.humaan_open(locaties, tot, humaan.deadline)
    inhoud: dict[str, Any] = {
        "aantal": len(afgehandeld),
        "perBevoegdGezag": [
            {"bevoegdGezag": k, "naam": bijlage.gezagnaam(k), "aantal": len(v), "locaties": v}
            for k, v in per_gezag.items()
        ],
        # The deadline in force on ``tot`` and the decision that set it.
        "humaanOpen": {**humaan_open, "besluit": humaan.besluit.als_json()},
    }
    kolommen = [
        "bevoegdGezag",
        "bevoegdGezagNaam",
        "locatieId",
        "naam",
        "gemeentecode",
        "gemeente",
        "status",
        "afgehandeldOp",
    ]
    return Rapport(
        "kamerbrief-bijlage",
        "Bijlage Kamerbrief: afgehandelde spoedlocaties",
        {"van": van.isoformat(), "tot": tot.isoformat()},
        positie,
        inhoud,
        [
            Tabel(
                "Afgehandelde spoedlocaties",
                kolommen,
                [
                    [r[k] for k in kolommen]
                    for g in inhoud["perBevoegdGezag"]
                    for r in g["locaties"]
                ],
            ),
            Tabel(
                f"Humane spoedlocaties open op de deadline ({humaan.deadline.isoformat()})",
                bijlage.OPEN_KOLOMMEN,
                [[r[k] for k in bijlage.OPEN_KOLOMMEN] for r in humaan_open["locaties"]],
            ),
        ],
    )


NAMEN = (
    "voortgang",
    "bevoegde-gezagen",
    "provincies",
    "deadlines",
    "midterm-review",
    "kamerbrief-bijlage",
    "planning",
    "prognose",
    "haalbaarheid",
    "budget",
)


def bekend_op(feiten: Iterable[Feit], kennisdatum: date | None) -> list[Feit]:
    if kennisdatum is None:
        return list(feiten)
    grens = kennismoment(kennisdatum)
    return [f for f in feiten if f.vastgelegd_op < grens]


Toestand = Callable[[date], dict[str, Locatie]]


def toestand_uit(feiten: list[Feit], positie: int, kennisdatum: date | None) -> Toestand:
    """The sites on a peildatum, from the facts up to ``positie`` known on ``kennisdatum``."""
    bekend = [f for f in bekend_op(feiten, kennisdatum) if f.positie <= positie]
    return lambda peildatum: toestand_op(bekend, peildatum)


def bouw(
    naam: str,
    toestand: Toestand,
    positie: int,
    peildatum: date,
    kennisdatum: date | None = None,
    van: date | None = None,
    afspraken: Afspraken | None = None,
) -> Rapport:
    """Any report, given the state on a peildatum (the service passes a cached fold, the
    auditor its own fold of the log; both call this, so a replay yields the same digest) and
    the agreements in force then as known on the kennisdatum (``afspraken.afspraken_op``;
    None: the covenant's own)."""
    nu = toestand(peildatum)
    afspraken = afspraken or oorspronkelijk(peildatum, kennisdatum)
    if naam == "voortgang":
        rapport = voortgang(nu, peildatum, positie, afspraken)
    elif naam in ("bevoegde-gezagen", "provincies"):
        per = "provincie" if naam == "provincies" else "bevoegd-gezag"
        rapport = per_bevoegd_gezag(nu, peildatum, positie, per, afspraken)
    elif naam == "deadlines":
        rapport = deadlines(nu, peildatum, positie, afspraken)
    elif naam == "midterm-review":
        # ``van``: the earlier peildatum (the previous review), default the covenant's start.
        vorige = van or START
        rapport = midterm_review(toestand(vorige), nu, peildatum, positie, vorige, afspraken)
    elif naam == "kamerbrief-bijlage":
        rapport = kamerbrief_bijlage(nu, van or START, peildatum, positie, afspraken)
        # The humane sites still open at the deadline in force, beside the annex's list.
        deel = open_op_deadline.humaan_open(toestand, peildatum, afspraken)
        rapport = dataclasses.replace(
            rapport,
            inhoud={**rapport.inhoud, "humaanOpenOpDeadline": deel},
            tabellen=[*rapport.tabellen, Tabel(*open_op_deadline.tabel(deel))],
        )
    elif naam == "planning":
        rapport = planrapporten.planning_rapport(nu, peildatum, positie)
    elif naam == "prognose":
        rapport = planrapporten.prognose_rapport(nu, peildatum, positie, afspraken)
    elif naam == "haalbaarheid":
        vorige = van or START
        rapport = planrapporten.haalbaarheid_rapport(
            toestand(vorige), vorige, nu, peildatum, positie, afspraken
        )
    elif naam == "budget":
        inhoud, tabellen = budget.budget(nu, afspraken)
        parameters = {"peildatum": peildatum.isoformat()}
        rapport = Rapport(
            naam, budget.TITEL, parameters, positie, inhoud, [Tabel(*t) for t in tabellen]
        )
    else:
        raise ValueError(f"onbekend rapport {naam!r}; kies uit {', '.join(NAMEN)}")
    if kennisdatum is not None:
        parameters = {**rapport.parameters, "kennisdatum": kennisdatum.isoformat()}
        rapport = dataclasses.replace(rapport, parameters=parameters)
    return rapport


def gebonden(rapport: Rapport, logboek: str, binding: Mapping[str, Any]) -> Rapport:
    """``rapport`` bound to the log ``logboek`` at its position (``binding``: the chain hash
    there and the latest anchor), as the service serves it and the auditor recomputes it."""
    return dataclasses.replace(rapport, logboeken={**rapport.logboeken, logboek: binding})
