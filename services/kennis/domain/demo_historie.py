"""A realistic kennis history 2010-2015 for `make demo`: the beleidstransitie of the first
bodemconvenant (signed July 2009) as the platform would have recorded it. Bevoegde gezagen ask
questions on the covenant's themes, others answer them within days or weeks, the programme
holds information meetings, workshops and administrative meetings, guides and best practices
are published and successes reported. Pure and deterministic (a seed): the demo plays it
through the public API (entrypoints/demo.py), each activity with its own business date.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from services.kennis.domain.bijdragen import DocumentSoort
from services.kennis.domain.bijeenkomsten import Soort
from services.kennis.domain.vocabulaire import Thema

BEGIN, EINDE = date(2010, 1, 11), date(2015, 12, 18)
PROGRAMMA = "programma"  # the uitvoeringsprogramma acts without a bevoegd gezag
# The provinces and the large municipalities that ask and answer most.
GEZAGEN: tuple[str, ...] = ("GR", "FR", "DR", "OV", "GE", "UT", "NH", "ZH", "ZL", "NB", "LI")
GEZAGEN += ("FL", "AM", "RT", "DH", "UH", "EH", "TI")

# Questions from the field, per theme: (title, text).
VRAGEN: dict[Thema, tuple[tuple[str, str], ...]] = {
    Thema.GEBIEDSGERICHT_GRONDWATERBEHEER: (
        (
            "Beheergebied afbakenen",
            "Hoe bakenen we een beheergebied voor grondwater af als de pluimen onder "
            "meerdere gemeenten doorlopen?",
        ),
        (
            "Monitoring in een beheergebied",
            "Welke monitoring is nodig als we pluimen in een gebied beheren in plaats van "
            "ze elk te saneren?",
        ),
        (
            "Verdeling van de kosten",
            "Hoe verdelen gemeenten en provincie de kosten van gebiedsgericht beheer?",
        ),
    ),
    Thema.BODEMENERGIE: (
        (
            "WKO in een verontreinigde pluim",
            "Mag een warmte-koudeopslag worden aangelegd in een pluim met gechloreerde "
            "oplosmiddelen, en onder welke voorwaarden?",
        ),
        (
            "Interferentie tussen WKO-systemen",
            "Hoe voorkomen we dat WKO-systemen in een drukke binnenstad elkaar en de "
            "verontreiniging beïnvloeden?",
        ),
    ),
    Thema.ONDERGROND: (
        (
            "Ondergrondse ordening",
            "Hoe nemen we bodem en ondergrond mee in een structuurvisie, naast kabels, "
            "leidingen en bodemenergie?",
        ),
        (
            "Archeologie en sanering",
            "Hoe combineren we archeologisch onderzoek met het onderzoek naar de "
            "verontreiniging op dezelfde locatie?",
        ),
    ),
    Thema.OMGEVINGSWET: (
        (
            "Bodem in het omgevingsplan",
            "Welke bodemregels moeten straks in het omgevingsplan en welke blijven landelijk?",
        ),
        (
            "Overgang van de Wbb",
            "Wat gebeurt er met lopende saneringsbesluiten bij de overgang naar de Omgevingswet?",
        ),
    ),
    Thema.SANERINGSTECHNIEK: (
        (
            "In-situ sanering van VOCl",
            "Welke ervaringen zijn er met in-situ sanering van vluchtige gechloreerde "
            "koolwaterstoffen in kleiige bodem?",
        ),
        (
            "Stoppen van een sanering",
            "Wanneer mag een actieve grondwatersanering worden gestopt als het "
            "saneringsdoel niet wordt gehaald?",
        ),
    ),
    Thema.FINANCIERING: (
        (
            "Besteding van de decentralisatie-uitkering",
            "Mogen middelen uit de decentralisatie-uitkering bodem worden ingezet voor "
            "onderzoek naar gebiedsgericht beheer?",
        ),
        (
            "Cofinanciering door bedrijven",
            "Hoe leggen we afspraken over cofinanciering met een bedrijfsterrein vast?",
        ),
    ),
    Thema.WATERBODEMS: (
        (
            "Verontreinigde waterbodem",
            "Wie is bevoegd gezag voor een verontreinigde waterbodem in een stedelijke gracht?",
        ),
    ),
    Thema.KENNIS_EN_CAPACITEIT: (
        (
            "Kennis vasthouden",
            "Hoe houden we bodemkennis in huis nu ervaren medewerkers vertrekken en de "
            "taken naar de omgevingsdiensten gaan?",
        ),
        (
            "Opleiding voor vergunningverleners",
            "Is er een opleiding voor vergunningverleners die bodem en ondergrond in "
            "samenhang leert beoordelen?",
        ),
    ),
}

ANTWOORDEN = (
    "Bij ons werkt het met een convenant tussen gemeenten en provincie; het model delen we graag.",
    "Dat kan, mits een monitoringsplan de verspreiding bewaakt; zie de handreiking van het "
    "programma.",
    "Wij hebben dit opgelost met één beheerplan voor het hele gebied en een gezamenlijk fonds.",
    "De regels staan in de Wbb; het programma werkt een voorbeeld uit voor het omgevingsplan.",
    "Ervaring leert dat een pilot van een jaar voldoende inzicht geeft voor de aanpak.",
)

BIJEENKOMSTEN: tuple[tuple[Soort, str, Thema], ...] = (
    (Soort.INFORMATIEBIJEENKOMST, "Het bodemconvenant in de praktijk", Thema.ONDERGROND),
    (Soort.WORKSHOP, "Gebiedsgericht grondwaterbeheer", Thema.GEBIEDSGERICHT_GRONDWATERBEHEER),
    (Soort.WORKSHOP, "Bodemenergie en verontreinigde pluimen", Thema.BODEMENERGIE),
    (Soort.BESTUURLIJK_OVERLEG, "Voortgang spoedlocaties", Thema.FINANCIERING),
    (Soort.INFORMATIEBIJEENKOMST, "Bodem onder de Omgevingswet", Thema.OMGEVINGSWET),
    (Soort.WORKSHOP, "Kennis en capaciteit bij de omgevingsdiensten", Thema.KENNIS_EN_CAPACITEIT),
)

DOCUMENTEN: tuple[tuple[DocumentSoort, str, Thema], ...] = (
    (
        DocumentSoort.HANDREIKING,
        "Handreiking gebiedsgericht grondwaterbeheer",
        Thema.GEBIEDSGERICHT_GRONDWATERBEHEER,
    ),
    (DocumentSoort.BEST_PRACTICE, "WKO in een verontreinigd gebied", Thema.BODEMENERGIE),
    (DocumentSoort.TIPS, "Tips voor het monitoren van een pluim", Thema.SANERINGSTECHNIEK),
    (DocumentSoort.HANDREIKING, "Bodem in het omgevingsplan", Thema.OMGEVINGSWET),
    (DocumentSoort.BEST_PRACTICE, "Eén fonds voor een beheergebied", Thema.FINANCIERING),
)

SUCCESSEN = (
    (
        "Eerste beheergebied vastgesteld",
        "Het beheerplan voor de binnenstad is vastgesteld: zes pluimen worden samen beheerd "
        "in plaats van elk apart gesaneerd.",
        Thema.GEBIEDSGERICHT_GRONDWATERBEHEER,
    ),
    (
        "WKO en sanering gecombineerd",
        "Een WKO-systeem onttrekt en zuivert nu tegelijk het verontreinigde grondwater.",
        Thema.BODEMENERGIE,
    ),
    (
        "Alle spoedlocaties in beeld",
        "Alle spoedlocaties zijn onderzocht en de risico's vastgesteld, een jaar voor de afspraak.",
        Thema.KENNIS_EN_CAPACITEIT,
    ),
    (
        "Bodemvisie vastgesteld",
        "De raad stelde een visie op de ondergrond vast als basis voor het omgevingsplan.",
        Thema.ONDERGROND,
    ),
)


@dataclass(frozen=True)
class Handeling:
    """One request of the history: who (a bevoegd gezag code, or ``programma``), the path,
    the body (with its business date), and under which name the answer's id is kept for
    later requests (``{vraag}`` in a later path)."""

    wie: str
    pad: str
    body: dict[str, Any] = field(default_factory=dict)
    bewaar: str | None = None


def _dag(rnd: random.Random, van: date = BEGIN, tot: date = EINDE) -> date:
    return van + timedelta(days=rnd.randrange((tot - van).days))


def historie(seed: int = 2009, vragen_per_jaar: int = 24) -> list[Handeling]:
    """The history in the order of its business dates (each activity after what it needs)."""
    rnd = random.Random(seed)
    uit: list[tuple[date, int, Handeling]] = []

    def doe(datum: date, handeling: Handeling) -> None:
        uit.append((datum, len(uit), handeling))

    alle_vragen = [(thema, v) for thema, lijst in VRAGEN.items() for v in lijst]
    jaren = range(BEGIN.year, EINDE.year + 1)
    for n in range(vragen_per_jaar * len(jaren)):
        thema, (titel, tekst) = alle_vragen[n % len(alle_vragen)]
        vrager = rnd.choice(GEZAGEN)
        gesteld = _dag(rnd)
        sleutel = f"vraag-{n}"
        body = {"titel": titel, "tekst": tekst, "themas": [str(thema)], "datum": str(gesteld)}
        doe(gesteld, Handeling(vrager, "/v1/kennisvragen", body, sleutel))
        beantwoord = gesteld + timedelta(days=rnd.choice((2, 5, 9, 14, 21, 35, 60)))
        if beantwoord > EINDE or rnd.random() < 0.15:
            continue  # still open at the end of 2015
        beantwoorder = rnd.choice([g for g in GEZAGEN if g != vrager] + [PROGRAMMA] * 3)
        antwoord = {"tekst": rnd.choice(ANTWOORDEN), "datum": str(beantwoord)}
        pad = f"/v1/kennisvragen/{{{sleutel}}}"
        doe(beantwoord, Handeling(beantwoorder, f"{pad}/antwoorden", antwoord, f"antwoord-{n}"))
        slot = beantwoord + timedelta(days=rnd.choice((1, 3, 7, 20)))
        if slot <= EINDE and rnd.random() < 0.7:
            accepteer = {"antwoordId": f"{{antwoord-{n}}}", "datum": str(slot)}
            doe(slot, Handeling(vrager, f"{pad}/acceptaties", accepteer))
        elif slot <= EINDE and rnd.random() < 0.3:
            sluit = {"reden": "Beantwoord in de workshop.", "datum": str(slot)}
            doe(slot, Handeling(vrager, f"{pad}/sluitingen", sluit))
    for jaar in jaren:
        for k in range(4):
            soort, titel, thema = BIJEENKOMSTEN[(jaar + k) % len(BIJEENKOMSTEN)]
            dag = date(jaar, 2 + 3 * k, rnd.randint(3, 26))
            if not BEGIN <= dag <= EINDE:
                continue
            sleutel = f"bijeenkomst-{jaar}-{k}"
            plan = {"soort": str(soort), "titel": titel, "datum": str(dag), "themas": [str(thema)]}
            # The programme plans it some weeks ahead; the demo records it on the day itself.
            doe(dag - timedelta(days=30), Handeling(PROGRAMMA, "/v1/bijeenkomsten", plan, sleutel))
            deelnemers = rnd.sample(GEZAGEN, rnd.randint(4, 9))
            pad = f"/v1/bijeenkomsten/{{{sleutel}}}"
            for wie in deelnemers:
                aanmelding = {"datum": str(dag - timedelta(days=rnd.randint(1, 20)))}
                doe(dag - timedelta(days=25), Handeling(wie, f"{pad}/aanmeldingen", aanmelding))
            aanwezig = [w for w in deelnemers if rnd.random() < 0.85] or deelnemers[:1]
            logins = [f"demo@{w.lower()}.nl" for w in aanwezig]
            doe(dag, Handeling(PROGRAMMA, f"{pad}/aanwezigheden", {"aanwezig": logins}))
            for wie in aanwezig:
                if rnd.random() < 0.6:
                    na = dag + timedelta(days=1)
                    evaluatie = {"score": rnd.choice((3, 4, 4, 5)), "datum": str(na)}
                    doe(na, Handeling(wie, f"{pad}/evaluaties", evaluatie))
        for document_soort, titel, thema in rnd.sample(DOCUMENTEN, 2):
            dag = date(jaar, rnd.randint(1, 12), rnd.randint(1, 28))
            if BEGIN <= dag <= EINDE:
                tekst = f"{titel}: lessen uit de praktijk van het bodemconvenant ({jaar})."
                body = {"soort": str(document_soort), "titel": titel, "tekst": tekst}
                body |= {"themas": [str(thema)], "datum": str(dag)}
                doe(dag, Handeling(PROGRAMMA, "/v1/documenten", body))
        for titel, verhaal, thema in rnd.sample(SUCCESSEN, 2 if jaar < 2013 else 3):
            dag = date(jaar, rnd.randint(1, 12), rnd.randint(1, 28))
            if BEGIN <= dag <= EINDE:
                body = {"titel": titel, "verhaal": verhaal}
                body |= {"themas": [str(thema)], "datum": str(dag)}
                doe(dag, Handeling(rnd.choice(GEZAGEN), "/v1/successen", body))
    return [h for _, _, h in sorted(uit, key=lambda t: (t[0], t[1]))]
