"""The reports on plans: every site against its plan ("planning"), the prognosis of the goals
("prognose"), and the comparison of two peildata with the plans in force on the earlier one
that the midterm review shows ("haalbaarheid")."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date
from typing import Any

from services.rapportage.domain import prognose as pg
from services.rapportage.domain.afspraken import Afspraken
from services.rapportage.domain.feiten import Locatie
from services.rapportage.domain.planfeiten import Planstatus, planning, planstatus
from services.rapportage.domain.rapport import Rapport, Tabel

PLANSTATUSSEN = [str(s) for s in Planstatus]


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _planregel(x: Locatie, peildatum: date) -> dict[str, Any]:
    status, mijlpaal = planstatus(x, peildatum)
    plan = planning(x)
    return {
        "locatieId": x.locatie_id,
        "bevoegdGezag": x.bevoegd_gezag,
        "naam": x.naam,
        "status": str(x.status),
        "humaan": x.humaan,
        "planstatus": str(status),
        "achterOp": mijlpaal,
        "onderzoekGereed": _iso(plan.onderzoek_gereed) if plan else None,
        "startSanering": _iso(plan.start_sanering) if plan else None,
        "afgehandeldGepland": _iso(plan.afgehandeld) if plan else None,
        "planningVan": _iso(plan.vastgesteld_op) if plan else None,
    }


def telling(lijst: list[Locatie], peildatum: date) -> dict[str, int]:
    """The confirmed sites of ``lijst`` per plan status (every status present)."""
    tellers = Counter(str(planstatus(x, peildatum)[0]) for x in lijst if x.bevestigd)
    return {s: tellers.get(s, 0) for s in PLANSTATUSSEN}


PLAN_KOLOMMEN = [
    "locatieId",
    "bevoegdGezag",
    "naam",
    "status",
    "planstatus",
    "achterOp",
    "onderzoekGereed",
    "startSanering",
    "afgehandeldGepland",
    "planningVan",
]


def planning_rapport(locaties: Mapping[str, Locatie], peildatum: date, positie: int) -> Rapport:
    """Every confirmed site on schedule, behind its plan (and on which milestone), without a
    plan, or dealt with; per bevoegd gezag and nationally."""
    bevestigd = sorted((x for x in locaties.values() if x.bevestigd), key=lambda x: x.locatie_id)
    regels = [_planregel(x, peildatum) for x in bevestigd]
    per = [
        {"bevoegdGezag": code, **telling(eigen, peildatum)}
        for code, eigen in pg.per_gezag(locaties).items()
    ]
    inhoud = {
        "landelijk": telling(bevestigd, peildatum),
        "perBevoegdGezag": per,
        "locaties": regels,
    }
    return Rapport(
        "planning",
        "Planning per spoedlocatie",
        {"peildatum": peildatum.isoformat()},
        positie,
        inhoud,
        [
            Tabel("Per locatie", PLAN_KOLOMMEN, [[r[k] for k in PLAN_KOLOMMEN] for r in regels]),
            Tabel(
                "Per bevoegd gezag",
                ["bevoegdGezag", *PLANSTATUSSEN],
                [[r[k] for k in ["bevoegdGezag", *PLANSTATUSSEN]] for r in per],
                ("bevoegdGezag", str(Planstatus.ACHTER)),
            ),
        ],
    )


def _afspraak(afspraken: Afspraken) -> dict[str, Any]:
    return {
        "start": afspraken.start.isoformat(),
        "doelen": [
            {
                "doel": d.sleutel,
                "omschrijving": d.omschrijving,
                "deadline": d.deadline.isoformat(),
                "doelpercentage": d.doelpercentage,
                "ingangsdatum": d.ingangsdatum.isoformat(),
                "besluit": d.besluit.als_json(),
            }
            for d in afspraken.doelen
        ],
        "methode": {
            "volgensPlanning": "afgehandeld plus de open locaties die volgens hun planning "
            "uiterlijk op de deadline afgehandeld zijn en niet achterlopen",
            "volgensTempo": f"afgehandeld plus het gemeten tempo (afgehandeld per dag in de "
            f"laatste {pg.TEMPO_JAREN} jaar, niet voor de start) maal de dagen tot de deadline, "
            "naar beneden afgerond en ten hoogste het aantal open locaties",
        },
    }


def prognose_rapport(
    locaties: Mapping[str, Locatie], peildatum: date, positie: int, afspraken: Afspraken
) -> Rapport:
    uitkomst = pg.prognoses(locaties, peildatum, afspraken)
    inhoud = {"afspraken": _afspraak(afspraken), **uitkomst}
    per_kolommen = ["bevoegdGezag", *pg.KOLOMMEN]
    return Rapport(
        "prognose",
        "Prognose en haalbaarheid van de convenantsdoelen",
        {"peildatum": peildatum.isoformat()},
        positie,
        inhoud,
        [
            Tabel(
                "Landelijk",
                pg.KOLOMMEN,
                [[r[k] for k in pg.KOLOMMEN] for r in uitkomst["landelijk"]],
            ),
            Tabel(
                "Per bevoegd gezag",
                per_kolommen,
                [[r[k] for k in per_kolommen] for r in uitkomst["perBevoegdGezag"]],
            ),
        ],
    )


def _vergelijk(
    eerder: list[Locatie],
    nu: list[Locatie],
    vorige: date,
    peildatum: date,
    afspraken: Afspraken,
) -> list[dict[str, Any]]:
    """Per goal: the group on both peildata, the plans in force on the earlier one and what
    came of them by the later one, and the prognosis then and now."""
    nu_per_id = {x.locatie_id: x for x in nu}
    uit = []
    for doel in afspraken.doelen:
        toen = pg.groep(eerder, doel)
        gepland = [
            x
            for x in toen
            if not x.afgehandeld
            and (plan := planning(x)) is not None
            and plan.afgehandeld is not None
            and plan.afgehandeld <= peildatum
        ]
        gerealiseerd = sum(
            1 for x in gepland if (y := nu_per_id.get(x.locatie_id)) is not None and y.afgehandeld
        )
        p_toen = pg.prognose(toen, doel, vorige, afspraken.start)
        p_nu = pg.prognose(pg.groep(nu, doel), doel, peildatum, afspraken.start)
        uit.append(
            {
                "doel": doel.sleutel,
                "deadline": doel.deadline.isoformat(),
                "totaalVorige": p_toen["totaal"],
                "afgehandeldVorige": p_toen["afgehandeld"],
                "verwachtVolgensPlanningVorige": p_toen["verwachtVolgensPlanning"],
                "geplandTotPeildatum": len(gepland),
                "daarvanAfgehandeld": gerealiseerd,
                "totaal": p_nu["totaal"],
                "nodig": p_nu["nodig"],
                "afgehandeld": p_nu["afgehandeld"],
                "afgehandeldSindsVorige": p_nu["afgehandeld"] - p_toen["afgehandeld"],
                "verwachtVolgensPlanning": p_nu["verwachtVolgensPlanning"],
                "verwachtVolgensTempo": p_nu["verwachtVolgensTempo"],
                "nogHaalbaar": p_nu["haalbaar"],
            }
        )
    return uit


VERGELIJK_KOLOMMEN = [
    "bevoegdGezag",
    "doel",
    "afgehandeldVorige",
    "afgehandeld",
    "geplandTotPeildatum",
    "daarvanAfgehandeld",
    "nodig",
    "verwachtVolgensPlanning",
    "verwachtVolgensTempo",
    "nogHaalbaar",
]


def haalbaarheid_rapport(
    eerder: Mapping[str, Locatie],
    vorige: date,
    nu: Mapping[str, Locatie],
    peildatum: date,
    positie: int,
    afspraken: Afspraken,
) -> Rapport:
    """The midterm review's answer to "still feasible?": per goal nationally and per bevoegd
    gezag, the earlier peildatum's figures and plans against the later one's."""
    eerder_per = pg.per_gezag(eerder)
    per = [
        {"bevoegdGezag": code, **regel}
        for code, eigen in pg.per_gezag(nu).items()
        for regel in _vergelijk(eerder_per.get(code, []), eigen, vorige, peildatum, afspraken)
    ]
    landelijk = _vergelijk(list(eerder.values()), list(nu.values()), vorige, peildatum, afspraken)
    inhoud = {
        "vorigePeildatum": vorige.isoformat(),
        "afspraken": _afspraak(afspraken),
        "landelijk": landelijk,
        "perBevoegdGezag": per,
    }
    tabel = Tabel(
        "Nog haalbaar?",
        VERGELIJK_KOLOMMEN,
        [[r.get(k, "landelijk") for k in VERGELIJK_KOLOMMEN] for r in landelijk]
        + [[r[k] for k in VERGELIJK_KOLOMMEN] for r in per],
    )
    return Rapport(
        "haalbaarheid",
        "Midterm review: zijn de doelen nog haalbaar?",
        {"peildatum": peildatum.isoformat(), "vorigePeildatum": vorige.isoformat()},
        positie,
        inhoud,
        [tabel],
    )
