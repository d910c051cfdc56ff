"""/v1/rapportages: progress and accountability reports, and the dead letters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from services.rapportage.bootstrap import Container
from services.rapportage.domain.queries import VraagPositie, VraagRapport
from services.rapportage.domain.rapporten import NAMEN, Rapport
from services.rapportage.entrypoints.formaat import INHOUD, Vorm, antwoord, vorm
from shared.auth import CurrentPrincipal
from shared.bevoegde_gezagen import BY_CODE
from shared.bevoegde_gezagen import get as bevoegd_gezag_info
from shared.http import dead_letters
from shared.http.queryparameters import (
    TIJDREIS_REGEL,
    controleer_tijdassen,
    datumparameter,
    ongeldig,
)
from shared.http.schematypen import Datum

router = APIRouter(tags=["Rapportages"])
# The dead letters, in the same group of the document: the route every consuming service shares.
router.include_router(dead_letters.router(tags=[]))
VROEGST = date(2000, 1, 1)
TIJD_REGEL = f"niet voor {VROEGST}, {TIJDREIS_REGEL}"


class Anker(BaseModel):
    positie: int = Field(description="De positie van het anker zelf in het logboek.")
    totEnMetPositie: int = Field(description="Het anker legt het logboek tot hier vast.")
    merkleRoot: str
    sleutelId: str | None = Field(
        description="kid van de sleutel in /v1/ankersleutels van de bron (RFC 7638)."
    )
    handtekening: str | None = Field(description="Ed25519, base64; leeg als niet ondertekend.")


class Logboek(BaseModel):
    bron: str | None = Field(description="De store id van het logboek (storeid in elk event).")
    positie: int
    hash: str | None = Field(description="De ketenhash van de gebeurtenis op deze positie.")
    anker: Anker | None = Field(description="Het laatste anker op of voor de positie.")


class RapportOut(BaseModel):
    rapport: str
    titel: str
    parameters: dict[str, Any]
    positie: int = Field(
        description="De laatste positie in de gebeurtenissenstroom die dit "
        "rapport meeneemt; alle posities tot en met deze zijn "
        "verwerkt."
    )
    digest: str = Field(
        description="sha256 over rapport, parameters, positie, inhoud en logboeken in "
        "canonieke JSON: gelijk voor gelijke vraag en gebeurtenissen."
    )
    inhoud: dict[str, Any]
    logboeken: dict[str, Logboek] = Field(
        description="Per logboek waaruit het rapport gebouwd is (spoedlocaties of kennis) "
        "de binding aan dat logboek: controleer met bodemregie audit replay --publicatie."
    )
    links: dict[str, dict[str, str]] = Field(alias="_links")


class Overzicht(BaseModel):
    positie: int
    rapportages: dict[str, dict[str, str]]


def container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


Services = Annotated[Container, Depends(container)]
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "content": INHOUD,
        "description": "Het rapport; JSON, CSV (één tabel), HTML, XLSX of PDF",
    },
    401: {"description": "Geen of een ongeldig token"},
    406: {"description": "Gevraagd formaat niet beschikbaar"},
}


def _datum(naam: str, waarde: date) -> date:
    if waarde < VROEGST:
        raise ongeldig(naam, f"{waarde} ligt voor {VROEGST}")
    controleer_tijdassen(waarde, None, peildatum_heet=naam)
    return waarde


def tijd(
    peildatum: Annotated[
        Datum | None,
        datumparameter(
            "De toestand zoals die op deze datum (besluitdatum) was; standaard "
            f"vandaag. Niet voor {VROEGST}, niet in de toekomst.",
            TIJD_REGEL,
        ),
    ] = None,
    kennisdatum: Annotated[
        Datum | None,
        datumparameter(
            "Zoals het bekend was aan het eind van deze dag (registratietijd): "
            "latere registraties en correcties tellen niet mee. Standaard: alles "
            "wat nu bekend is. Niet in de toekomst, niet voor de peildatum.",
            TIJD_REGEL,
        ),
    ] = None,
) -> tuple[date, date | None]:
    """Both time axes, checked together (shared.tijd)."""
    return _tijdassen(peildatum, kennisdatum)


def _tijdassen(
    peildatum: date | None, kennisdatum: date | None, als: str = "peildatum"
) -> tuple[date, date | None]:
    """``als``: the name the operation gives the peildatum, so a refusal names its parameter."""
    peildatum = _datum(als, peildatum or datetime.now(UTC).date())
    controleer_tijdassen(peildatum, kennisdatum, peildatum_heet=als)
    return peildatum, kennisdatum


def gezag(
    bevoegd_gezag: Annotated[
        str | None,
        Query(
            alias="bevoegdGezag",
            description="Alleen dit bevoegd gezag (tweeletterige code).",
            json_schema_extra={"enum": sorted(BY_CODE)},
        ),
    ] = None,
) -> str | None:
    if bevoegd_gezag is not None and bevoegd_gezag_info(bevoegd_gezag) is None:
        raise ongeldig("bevoegdGezag", f"onbekend bevoegd gezag {bevoegd_gezag!r}")
    return bevoegd_gezag


VorigePeildatum = Annotated[
    Datum | None,
    datumparameter(
        "De peildatum van de vorige review; standaard de start van het "
        "convenant (2010-01-01). Niet na de peildatum.",
        f"{TIJD_REGEL}; niet na de peildatum",
        alias="vorigePeildatum",
    ),
]


def _vorige(vorige: date | None, peildatum: date) -> date | None:
    if vorige is None:
        return None
    vorige = _datum("vorigePeildatum", vorige)
    if vorige > peildatum:
        raise ongeldig("vorigePeildatum", f"{vorige} ligt na de peildatum ({peildatum})")
    return vorige


Tijd = Annotated[tuple[date, date | None], Depends(tijd)]
Gezag = Annotated[str | None, Depends(gezag)]
Formaat = Annotated[Vorm, Depends(vorm)]


def _antwoord(rapport: Rapport, soort: Vorm, request: Request) -> Response:
    return antwoord(rapport, soort, request)


@router.get("/rapportages", response_model=Overzicht, summary="Beschikbare rapportages")
def overzicht(services: Services, principal: CurrentPrincipal) -> Overzicht:
    """De rapportages en de positie tot waar de gebeurtenissen verwerkt zijn."""
    namen = [*NAMEN, "transitie"]
    return Overzicht(
        positie=services.rapportage.handle(VraagPositie()),
        rapportages={n: {"href": f"/v1/rapportages/{n}"} for n in namen},
    )


@router.get(
    "/rapportages/voortgang",
    response_model=RapportOut,
    responses=RESPONSES,
    summary="Landelijke voortgang",
)
def voortgang(
    request: Request,
    services: Services,
    principal: CurrentPrincipal,
    tijd: Tijd,
    soort: Formaat,
) -> Response:
    """Spoedlocaties per status en risicotype, de humane tegen het doel van 2015 en alle tegen
    het doel van 2020, en het verloop per jaar 2010-2020; zoals het was op de peildatum."""
    return _antwoord(services.rapportage.handle(VraagRapport("voortgang", *tijd)), soort, request)


@router.get(
    "/rapportages/bevoegde-gezagen",
    response_model=RapportOut,
    responses=RESPONSES,
    summary="Voortgang per bevoegd gezag (de lijst)",
)
def per_bevoegd_gezag(
    request: Request,
    services: Services,
    principal: CurrentPrincipal,
    tijd: Tijd,
    code: Gezag,
    soort: Formaat,
) -> Response:
    """Ranglijst van de 42 bevoegde gezagen naar voortgang, met wie achterloopt, de knelpunten
    en het toegekende en bestede budget."""
    vraag = VraagRapport("bevoegde-gezagen", *tijd, bevoegd_gezag=code)
    return _antwoord(services.rapportage.handle(vraag), soort, request)


@router.get(
    "/rapportages/provincies",
    response_model=RapportOut,
    responses=RESPONSES,
    summary="Voortgang per provincie",
)
def per_provincie(
    request: Request,
    services: Services,
    principal: CurrentPrincipal,
    tijd: Tijd,
    soort: Formaat,
) -> Response:
    """Als per bevoegd gezag, opgeteld per provincie (provincie en gemeenten erbinnen)."""
    return _antwoord(services.rapportage.handle(VraagRapport("provincies", *tijd)), soort, request)


@router.get(
    "/rapportages/deadlines",
    response_model=RapportOut,
    responses=RESPONSES,
    summary="Deadlinebewaking",
)
def deadlines(
    request: Request,
    services: Services,
    principal: CurrentPrincipal,
    tijd: Tijd,
    soort: Formaat,
) -> Response:
    """Humane spoedlocaties die eind 2015 niet gesaneerd of beheerst waren, locaties die op de
    peildatum over hun deadline zijn, en welke lijsten op hun deadline onvolledig waren."""
    return _antwoord(services.rapportage.handle(VraagRapport("deadlines", *tijd)), soort, request)


@router.get(
    "/rapportages/midterm-review",
    response_model=RapportOut,
    responses=RESPONSES,
    summary="Midterm review",
)
def midterm_review(
    request: Request,
    services: Services,
    principal: CurrentPrincipal,
    tijd: Tijd,
    soort: Formaat,
    vorige_peildatum: VorigePeildatum = None,
) -> Response:
    """De stand op de peildatum naast die op de vorige peildatum (standaard de start van het
    convenant) en de doelen, per bevoegd gezag met de voortgang sindsdien. Of de doelen nog
    haalbaar zijn: /v1/rapportages/haalbaarheid."""
    peildatum, kennisdatum = tijd
    vorige = _vorige(vorige_peildatum, peildatum)
    vraag = VraagRapport("midterm-review", peildatum, kennisdatum, vorige)
    return _antwoord(services.rapportage.handle(vraag), soort, request)


@router.get(
    "/rapportages/haalbaarheid",
    response_model=RapportOut,
    responses=RESPONSES,
    summary="Midterm review: zijn de doelen nog haalbaar?",
)
def haalbaarheid(
    request: Request,
    services: Services,
    principal: CurrentPrincipal,
    tijd: Tijd,
    soort: Formaat,
    vorige_peildatum: VorigePeildatum = None,
) -> Response:
    """Per doel en per bevoegd gezag: de stand en de planningen op de vorige peildatum, wat
    er van die planningen terechtkwam tot de peildatum, de prognose volgens planning en
    volgens tempo en of het doel nog haalbaar is (methode in de README)."""
    peildatum, kennisdatum = tijd
    vorige = _vorige(vorige_peildatum, peildatum)
    vraag = VraagRapport("haalbaarheid", peildatum, kennisdatum, vorige)
    return _antwoord(services.rapportage.handle(vraag), soort, request)


@router.get(
    "/rapportages/planning",
    response_model=RapportOut,
    responses=RESPONSES,
    summary="Planning per spoedlocatie",
)
def planning(
    request: Request, services: Services, principal: CurrentPrincipal, tijd: Tijd, soort: Formaat
) -> Response:
    """Per bevestigde spoedlocatie: op schema, achter op de eigen planning (en op welke
    mijlpaal), zonder planning, of afgehandeld; geteld per bevoegd gezag en landelijk. De
    planning die op de peildatum gold, zoals bekend op de kennisdatum."""
    return _antwoord(services.rapportage.handle(VraagRapport("planning", *tijd)), soort, request)


@router.get(
    "/rapportages/prognose",
    response_model=RapportOut,
    responses=RESPONSES,
    summary="Prognose en haalbaarheid van de doelen",
)
def prognose(
    request: Request, services: Services, principal: CurrentPrincipal, tijd: Tijd, soort: Formaat
) -> Response:
    """Per doel (humaan eind 2015, alle eind 2020), landelijk en per bevoegd gezag: hoeveel
    locaties naar verwachting op de deadline afgehandeld zijn volgens de planningen en volgens
    het gemeten tempo, tegen het doel, en of het haalbaar is (methode in de README)."""
    return _antwoord(services.rapportage.handle(VraagRapport("prognose", *tijd)), soort, request)


@router.get(
    "/rapportages/kamerbrief-bijlage",
    response_model=RapportOut,
    responses=RESPONSES,
    summary="Bijlage bij de Kamerbrief",
)
def kamerbrief_bijlage(
    request: Request,
    services: Services,
    principal: CurrentPrincipal,
    code: Gezag,
    soort: Formaat,
    van: Annotated[Datum, datumparameter("Eerste dag van de periode.", TIJD_REGEL)],
    tot: Annotated[
        Datum | None, datumparameter("Laatste dag; standaard vandaag.", TIJD_REGEL)
    ] = None,
    kennisdatum: Annotated[
        Datum | None, datumparameter("Zoals bekend aan het eind van deze dag.", TIJD_REGEL)
    ] = None,
) -> Response:
    """De spoedlocaties die in de periode gesaneerd of beheerst werden, per bevoegd gezag,
    zoals bekend op de kennisdatum (standaard: nu)."""
    van = _datum("van", van)
    tot, kennis = _tijdassen(tot, kennisdatum, als="tot")
    if van > tot:
        raise ongeldig("van", f"{van} ligt na tot ({tot})")
    vraag = VraagRapport("kamerbrief-bijlage", tot, kennis, van, bevoegd_gezag=code)
    return _antwoord(services.rapportage.handle(vraag), soort, request)


@router.get(
    "/rapportages/transitie",
    response_model=RapportOut,
    responses=RESPONSES,
    summary="Beleidstransitie: kennisvragen en deelname",
)
def transitie(
    request: Request, services: Services, principal: CurrentPrincipal, tijd: Tijd, soort: Formaat
) -> Response:
    """De indicatoren van het tweede spoor, uit de gebeurtenissen van het kennisplatform:
    vragen gesteld en beantwoord en hoe snel, per thema, deelname per bevoegd gezag, vragen
    die samen beantwoord worden. De positie is die in de stroom bodem.kennis.v1."""
    return _antwoord(services.rapportage.handle(VraagRapport("transitie", *tijd)), soort, request)
