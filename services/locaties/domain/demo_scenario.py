"""A realistic national history 2010-2020 for demos and benchmarks, as a list of commands.

Numbers follow the published orders of magnitude: about 1,650 spoedlocaties in total at scale
1.0, of which roughly a quarter humane, over half verspreiding and a few percent ecological;
most humane sites dealt with by the end of 2015, some late with knelpunten; spreading and
ecological sites mostly dealt with in 2016-2020. Deterministic for a given seed and scale.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.locaties.domain import demo_planning
from services.locaties.domain.geometrie import crs84_naar_rd
from shared.bevoegde_gezagen import BEVOEGDE_GEZAGEN, Soort
from shared.vocabulaire import CRITERIA, Knelpunt, RisicoType, Status

# Approximate centres (lon, lat) of each authority's area, for scattering demo geometries.
CENTRA: dict[str, tuple[float, float]] = {
    "DR": (6.62, 52.86),
    "FL": (5.60, 52.53),
    "FR": (5.80, 53.10),
    "GE": (5.87, 52.06),
    "GR": (6.75, 53.22),
    "LI": (5.93, 51.21),
    "NB": (5.20, 51.56),
    "NH": (4.87, 52.58),
    "OV": (6.45, 52.44),
    "UT": (5.22, 52.05),
    "ZL": (3.84, 51.49),
    "ZH": (4.49, 52.02),
    "AM": (4.90, 52.37),
    "RT": (4.48, 51.92),
    "DH": (4.30, 52.07),
    "UH": (5.12, 52.09),
    "AF": (5.39, 52.16),
    "AH": (5.90, 51.98),
    "AL": (6.66, 52.36),
    "AR": (4.75, 52.63),
    "BR": (4.78, 51.59),
    "DB": (5.30, 51.69),
    "DE": (6.16, 52.25),
    "DL": (4.36, 52.01),
    "DO": (4.69, 51.81),
    "EH": (5.48, 51.44),
    "EM": (6.90, 52.78),
    "EN": (6.89, 52.22),
    "GO": (6.57, 53.22),
    "HA": (4.64, 52.38),
    "HE": (6.79, 52.27),
    "HL": (5.98, 50.89),
    "HM": (5.66, 51.48),
    "LE": (4.49, 52.16),
    "LW": (5.80, 53.20),
    "MA": (5.69, 50.85),
    "NM": (5.85, 51.84),
    "SC": (4.40, 51.92),
    "TI": (5.08, 51.56),
    "VE": (6.17, 51.37),
    "ZA": (4.82, 52.46),
    "ZW": (6.09, 52.51),
}
NAMEN = (
    "Voormalige gasfabriek",
    "Chemische wasserij",
    "Voormalig tankstation",
    "Galvanische industrie",
    "Houtverduurzaming",
    "Voormalige stortplaats",
    "Scheepswerf",
    "Verfabriek",
    "Metaalbewerking",
    "Asfaltcentrale",
    "Drukkerij",
    "Leerlooierij",
    "Haventerrein",
    "Spoorwegemplacement",
    "Accufabriek",
)
GROEPEN_PER_NAAM = {
    "Voormalige gasfabriek": ["pak", "cyaniden", "aromatische-verbindingen"],
    "Chemische wasserij": ["gechloreerde-koolwaterstoffen"],
    "Voormalig tankstation": ["minerale-olie", "aromatische-verbindingen"],
    "Galvanische industrie": ["metalen", "cyaniden"],
    "Houtverduurzaming": ["metalen", "pak"],
    "Voormalige stortplaats": ["metalen", "minerale-olie", "asbest", "overige"],
    "Scheepswerf": ["metalen", "minerale-olie", "asbest"],
    "Verfabriek": ["metalen", "aromatische-verbindingen"],
    "Metaalbewerking": ["metalen", "gechloreerde-koolwaterstoffen"],
    "Asfaltcentrale": ["pak", "minerale-olie"],
    "Drukkerij": ["aromatische-verbindingen", "gechloreerde-koolwaterstoffen"],
    "Leerlooierij": ["metalen", "overige"],
    "Haventerrein": ["minerale-olie", "metalen", "pak"],
    "Spoorwegemplacement": ["minerale-olie", "pak", "bestrijdingsmiddelen"],
    "Accufabriek": ["metalen"],
}


# The published counts the demo's inventory follows (scale 1.0): sites known by the end of
# 2012 and in all (by the end of 2013).
BEKEND_EIND_2012 = 1400
TOTAAL = 1650


@dataclass
class Stap:
    """One API call: a sub-resource of the site (or '' for registration) and its body."""

    pad: str
    body: dict[str, Any]


@dataclass
class Locatiescenario:
    bevoegd_gezag: str
    registratie: dict[str, Any]
    stappen: list[Stap] = field(default_factory=list)


def _gewicht(code: str, soort: Soort) -> float:
    groot = {
        "AM": 4.0,
        "RT": 4.0,
        "DH": 2.5,
        "UH": 2.0,
        "ZH": 3.0,
        "NB": 3.0,
        "GE": 3.0,
        "NH": 2.5,
        "LI": 2.0,
        "OV": 2.0,
    }
    return groot.get(code, 1.6 if soort is Soort.PROVINCIE else 0.8)


def _d(
    start: date,
    dagen_min: int,
    dagen_max: int,
    rnd: random.Random,
    uiterlijk: date = date(2020, 12, 31),
) -> date:
    """A date between ``dagen_min`` and ``dagen_max`` days after ``start``, capped at
    ``uiterlijk`` unless that would put it before the earliest allowed day."""
    vroegst = start + timedelta(days=dagen_min)
    return min(
        start + timedelta(days=rnd.randint(dagen_min, max(dagen_min, dagen_max))),
        max(uiterlijk, vroegst),
    )


def scenario(schaal: float = 1.0, seed: int = 2010) -> list[Locatiescenario]:
    rnd = random.Random(seed)
    aantal = max(1, round(TOTAAL * schaal))
    gezagen = list(BEVOEGDE_GEZAGEN)
    gewichten = [_gewicht(b.code, b.soort) for b in gezagen]
    uit: list[Locatiescenario] = []
    for _ in range(aantal):
        gezag = rnd.choices(gezagen, gewichten)[0]
        uit.append(_locatie(gezag.code, rnd.choice(gezag.gemeentecodes), rnd))
    # The plans per site (demo_planning.py), from a random source of their own: the history
    # without them is the same as before plans existed.
    planrnd = random.Random(seed * 7_919 + 1)
    for s in uit:
        for index, pad, body in sorted(demo_planning.plan(s, planrnd), key=lambda x: -x[0]):
            s.stappen.insert(index, Stap(pad, body))
    return uit


def _locatie(bg: str, gemeente: str, rnd: random.Random) -> Locatiescenario:
    naam = rnd.choice(NAMEN)
    lon, lat = CENTRA[bg]
    spreiding = (
        0.25
        if len(bg) == 2
        and bg in {"DR", "FL", "FR", "GE", "GR", "LI", "NB", "NH", "OV", "UT", "ZL", "ZH"}
        else 0.03
    )
    x, y = crs84_naar_rd(
        lon + rnd.uniform(-spreiding, spreiding), lat + rnd.uniform(-spreiding, spreiding) * 0.6
    )
    # The inventory builds up as published: about 1,400 sites known by the end of 2012, the
    # rest (to about 1,650) registered in 2013.
    if rnd.random() < BEKEND_EIND_2012 / TOTAAL:
        registratie = date(2009, 6, 1) + timedelta(days=int(rnd.triangular(0, 1309, 300)))
    else:
        registratie = date(2013, 1, 1) + timedelta(days=rnd.randint(0, 364))
    s = Locatiescenario(
        bg,
        {
            "bevoegdGezag": bg,
            "gemeentecode": gemeente,
            "naam": f"{naam} {rnd.randint(1, 400)}",
            "bodemtype": "waterbodem" if rnd.random() < 0.06 else "landbodem",
            "verontreinigingsgroepen": GROEPEN_PER_NAAM[naam],
            "geometrie": {"type": "Point", "coordinates": [x, y]},
            "registratiedatum": registratie.isoformat(),
        },
    )
    r = rnd.random()
    if r < 0.26:
        risicos = [RisicoType.HUMAAN]
    elif r < 0.335:
        risicos = [RisicoType.HUMAAN, RisicoType.VERSPREIDING]
    elif r < 0.36:
        risicos = [RisicoType.ECOLOGISCH]
    else:
        risicos = [RisicoType.VERSPREIDING]
    humaan = RisicoType.HUMAAN in risicos

    def status(naar: Status, datum: date, toelichting: str = "") -> date:
        s.stappen.append(
            Stap(
                "statuswijzigingen",
                {"naar": str(naar), "besluitdatum": datum.isoformat(), "toelichting": toelichting},
            )
        )
        return datum

    # Humane risks were investigated and decided first (the humane list was due in 2012).
    onderzocht = status(
        Status.ONDERZOCHT, _d(registratie, 60, 300 if humaan else 500, rnd), "nader onderzoek"
    )
    beslissing = rnd.random()
    if beslissing < 0.05:
        status(Status.NIET_ERNSTIG, _d(onderzocht, 30, 200, rnd))
        return s
    if beslissing < 0.15:
        status(Status.ERNSTIG_GEEN_SPOED, _d(onderzocht, 30, 200, rnd))
        return s
    spoed = status(
        Status.ERNSTIG_SPOED, _d(onderzocht, 30, 120 if humaan else 250, rnd), "beschikking"
    )
    for soort in risicos:
        s.stappen.append(
            Stap(
                "risicobeoordelingen",
                {
                    "risicotype": str(soort),
                    "vastgesteld": True,
                    "criteria": rnd.sample(
                        sorted(CRITERIA[soort] - {"overig"}), k=rnd.randint(1, 2)
                    ),
                    "beoordelingsdatum": spoed.isoformat(),
                },
            )
        )
    budget = rnd.choice([75_000, 150_000, 250_000, 400_000, 900_000, 2_500_000])
    s.stappen.append(
        Stap(
            "budgettoekenningen",
            {"bedragEuro": budget, "datum": spoed.isoformat(), "bron": "convenant 2010-2015"},
        )
    )
    # Humane sites were due by end 2015; most made it, a tail with knelpunten did not.
    laat = rnd.random() < (0.15 if humaan else 0.35)
    doel = date(2015, 12, 31) if humaan else date(2020, 12, 31)
    if laat:
        s.stappen.append(
            Stap(
                "knelpunten",
                {
                    "knelpunt": str(
                        rnd.choice(
                            [
                                Knelpunt.FINANCIEEL,
                                Knelpunt.TECHNISCH,
                                Knelpunt.ORGANISATORISCH,
                                Knelpunt.JURIDISCH,
                                Knelpunt.COMPLEX,
                            ]
                        )
                    ),
                    "datum": _d(spoed, 30, 400, rnd).isoformat(),
                    "toelichting": "deadline niet haalbaar",
                },
            )
        )
    elif rnd.random() < 0.5:
        s.stappen.append(Stap("knelpunten", {"knelpunt": "geen", "datum": spoed.isoformat()}))
    ruimte = max(60, (doel - spoed).days - 30)
    if rnd.random() < 0.3:
        beveiligd = status(
            Status.TIJDELIJKE_BEVEILIGING,
            _d(spoed, 30, min(ruimte, 400), rnd),
            "tijdelijke maatregelen",
        )
        if laat:
            if rnd.random() < 0.5:
                return s  # still only temporarily protected
            klaar = _d(max(doel, beveiligd), 30, 700, rnd, uiterlijk=date(2021, 12, 31))
        else:
            klaar = _d(beveiligd, 30, max(31, (doel - beveiligd).days), rnd, uiterlijk=doel)
        status(Status.BEHEERST, klaar, "risico's beheerst volgens convenant")
        return s
    plan = status(Status.SANERINGSPLAN, _d(spoed, 30, min(ruimte, 500), rnd), "plan ingestemd")
    gestart = status(Status.SANERING_GESTART, _d(plan, 30, 240, rnd))
    if laat:
        if rnd.random() < 0.4:
            return s  # remediation still running
        klaar = _d(max(doel, gestart), 30, 800, rnd, uiterlijk=date(2021, 12, 31))
    else:
        klaar = _d(gestart, 60, max(61, (doel - gestart).days), rnd, uiterlijk=doel)
    kosten = int(budget * rnd.uniform(0.6, 1.3))
    s.stappen.append(
        Stap(
            "kostenboekingen",
            {"bedragEuro": kosten, "datum": klaar.isoformat(), "omschrijving": "saneringskosten"},
        )
    )
    eind = Status.GESANEERD if rnd.random() < 0.7 else Status.BEHEERST
    status(eind, max(klaar, gestart))
    if eind is Status.GESANEERD and rnd.random() < 0.5:
        status(
            Status.NAZORG,
            _d(max(klaar, gestart), 30, 365, rnd, uiterlijk=date(2022, 6, 30)),
            "nazorgplan",
        )
    return s
