"""The transition track's indicators ("prestaties: van aantallen naar aanduiden"), from the
knowledge platform's events: questions asked and answered and how fast, themes, participation
per bevoegd gezag, questions combined.

Built on the business dates of the events (services/kennis/domain/events.py): a question asked
in 2013 and imported in 2026 counts in the report for 2013. Events from before kennis events
carried a date count at their record time. ``kennisdatum`` leaves out what was recorded after
it, whatever its business date."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

from services.rapportage.domain.feiten import Feit, dag
from services.rapportage.domain.rapporten import Rapport, Tabel
from shared.tijd import begin_van, kennismoment

MICROSECONDE = timedelta(microseconds=1)
DAG_US = 86_400_000_000


def _honderdsten(waarde: Fraction) -> float:
    """Rounded to two decimals exactly, half to even."""
    return round(waarde * 100) / 100


def bedrijfsmoment(feit: Feit) -> datetime:
    """When the fact happened: the start of its business date (``gepland_op`` for a planned
    meeting, whose ``datum`` is the meeting day), or its record time when it has none."""
    veld = "gepland_op" if feit.soort == "bijeenkomst-gepland" else "datum"
    waarde = feit.data.get(veld)
    return begin_van(dag(waarde)) if waarde else feit.vastgelegd_op


def transitie(
    feiten: list[Feit], positie: int, peildatum: date, kennisdatum: date | None = None
) -> Rapport:
    tot = kennismoment(peildatum)
    bekend_tot = kennismoment(kennisdatum) if kennisdatum is not None else None
    vragen: dict[str, dict[str, Any]] = {}
    groepen = 0
    gecombineerd: set[str] = set()
    antwoorden_per_org: Counter[str] = Counter()
    documenten: Counter[str] = Counter()
    successen_per_org: Counter[str] = Counter()
    bijeenkomsten: dict[str, dict[str, Any]] = {}
    experts = 0
    for feit in feiten:
        if feit.positie > positie or (bekend_tot is not None and feit.vastgelegd_op >= bekend_tot):
            continue
        op = bedrijfsmoment(feit)
        if op >= tot:
            continue
        d = feit.data
        if feit.soort == "kennisvraag-gesteld":
            vragen[feit.locatie_id] = {
                "op": op,
                "themas": list(d["themas"]),
                "org": d.get("organisatie") or "programma",
                "eerste_antwoord": None,
                "geaccepteerd": None,
                "gesloten": False,
            }
        elif feit.locatie_id in vragen and feit.soort == "kennisvraag-antwoord-gegeven":
            v = vragen[feit.locatie_id]
            v["eerste_antwoord"] = v["eerste_antwoord"] or op
            antwoorden_per_org[d.get("organisatie") or "programma"] += 1
        elif feit.locatie_id in vragen and feit.soort == "kennisvraag-antwoord-geaccepteerd":
            vragen[feit.locatie_id]["geaccepteerd"] = op
        elif feit.locatie_id in vragen and feit.soort == "kennisvraag-gesloten":
            vragen[feit.locatie_id]["gesloten"] = True
        elif feit.soort == "kennisvragen-gecombineerd":
            groepen += 1
            gecombineerd.update(d["vraag_ids"])
        elif feit.soort == "kennisdocument-gepubliceerd":
            documenten[d["soort"]] += 1
        elif feit.soort == "succes-gemeld":
            successen_per_org[d.get("bevoegd_gezag") or "programma"] += 1
        elif feit.soort == "bijeenkomst-gepland":
            bijeenkomsten[feit.locatie_id] = {
                "soort": d["soort"],
                "aangemeld": 0,
                "aanwezig": 0,
                "scores": [],
            }
        elif feit.locatie_id in bijeenkomsten:
            b = bijeenkomsten[feit.locatie_id]
            if feit.soort == "bijeenkomst-deelnemer-aangemeld":
                b["aangemeld"] += 1
            elif feit.soort == "bijeenkomst-aanwezigheid-geregistreerd":
                b["aanwezig"] = len(d["aanwezig"])
            elif feit.soort == "bijeenkomst-geevalueerd":
                b["scores"].append(int(d["score"]))
        elif feit.soort == "expert-geregistreerd":
            experts += 1

    def dagen(van_naar: list[tuple[Any, Any]]) -> float | None:
        # Exact (whole microseconds, half to even), so a second implementation agrees.
        duren = [Fraction((b - a) // MICROSECONDE, DAG_US) for a, b in van_naar if b is not None]
        return _honderdsten(statistics.median(duren)) if duren else None

    beantwoord = [v for v in vragen.values() if v["geaccepteerd"]]
    per_thema: dict[str, dict[str, int]] = {}
    for v in vragen.values():
        for thema in v["themas"]:
            t = per_thema.setdefault(thema, {"gesteld": 0, "beantwoord": 0})
            t["gesteld"] += 1
            t["beantwoord"] += bool(v["geaccepteerd"])
    gesteld_per_org = Counter(v["org"] for v in vragen.values())
    organisaties = sorted(
        set(gesteld_per_org) | set(antwoorden_per_org),
        key=lambda o: (-(gesteld_per_org[o] + antwoorden_per_org[o]), o),
    )
    deelname: list[dict[str, Any]] = [
        {"organisatie": o, "gesteld": gesteld_per_org[o], "antwoorden": antwoorden_per_org[o]}
        for o in organisaties
    ]
    inhoud: dict[str, Any] = {
        "samenvatting": {
            "gesteld": len(vragen),
            "beantwoord": len(beantwoord),
            "gesloten": sum(v["gesloten"] for v in vragen.values()),
            "open": sum(not v["geaccepteerd"] and not v["gesloten"] for v in vragen.values()),
            "antwoorden": sum(antwoorden_per_org.values()),
            "medianeDagenTotEersteAntwoord": dagen(
                [(v["op"], v["eerste_antwoord"]) for v in vragen.values()]
            ),
            "medianeDagenTotAcceptatie": dagen([(v["op"], v["geaccepteerd"]) for v in beantwoord]),
            "vraaggroepen": groepen,
            "vragenGecombineerd": len(gecombineerd),
        },
        "documenten": dict(sorted(documenten.items())),
        "bijeenkomsten": _bijeenkomsten(bijeenkomsten),
        "experts": experts,
        "successen": {
            "aantal": sum(successen_per_org.values()),
            "perOrganisatie": dict(sorted(successen_per_org.items())),
        },
        "perThema": dict(sorted(per_thema.items())),
        "deelname": deelname,
    }
    parameters = {"peildatum": peildatum.isoformat()}
    if kennisdatum is not None:
        parameters["kennisdatum"] = kennisdatum.isoformat()
    return Rapport(
        "transitie",
        "Beleidstransitie: kennisvragen en deelname",
        parameters,
        positie,
        inhoud,
        [
            Tabel(
                "Per thema",
                ["thema", "gesteld", "beantwoord"],
                [[k, v["gesteld"], v["beantwoord"]] for k, v in inhoud["perThema"].items()],
                ("thema", "gesteld"),
            ),
            Tabel(
                "Deelname",
                ["organisatie", "gesteld", "antwoorden"],
                [[r["organisatie"], r["gesteld"], r["antwoorden"]] for r in deelname],
                ("organisatie", "antwoorden"),
            ),
        ],
    )


def _bijeenkomsten(bijeenkomsten: dict[str, dict[str, Any]]) -> dict[str, Any]:
    gehouden = [b for b in bijeenkomsten.values() if b["aanwezig"]]
    scores = [s for b in bijeenkomsten.values() for s in b["scores"]]
    return {
        "gepland": len(bijeenkomsten),
        "gehouden": len(gehouden),
        "perSoort": dict(sorted(Counter(b["soort"] for b in bijeenkomsten.values()).items())),
        "aanwezigen": sum(b["aanwezig"] for b in gehouden),
        "evaluaties": len(scores),
        "gemiddeldeScore": _honderdsten(Fraction(sum(scores), len(scores))) if scores else None,
    }
