"""/v1/publicaties: reports as they were published, readable by anyone; and what changed
between two publications, or between two versions of a report."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from services.rapportage.bootstrap import Container
from services.rapportage.domain.publicaties import Publicatie, Publiceer
from services.rapportage.domain.queries import VraagRapport
from services.rapportage.domain.rapporten import START
from services.rapportage.entrypoints.formaat import INHOUD, Vorm, antwoord, vorm
from services.rapportage.entrypoints.routes import (
    TIJD_REGEL,
    VROEGST,
    Logboek,
    Services,
    _tijdassen,
)
from services.rapportage.service_layer.publiceren import Publicaties
from shared import beleid
from shared.auth import CurrentPrincipal
from shared.http.idempotency import IdempotenteRoute
from shared.http.problems import InvalidParam, ProblemError
from shared.http.queryparameters import datumparameter
from shared.http.schematypen import Datum, domeinregel
from shared.tekst import Naam
from shared.tijd import controleer_tijdreis

router = APIRouter(tags=["Publicaties"], route_class=IdempotenteRoute)
Rapportnaam = Literal[
    "voortgang",
    "bevoegde-gezagen",
    "provincies",
    "deadlines",
    "midterm-review",
    "kamerbrief-bijlage",
    "transitie",
]
Nummer = Annotated[int, Path(ge=1, le=2_147_483_647, description="Het nummer van de publicatie.")]
Vormen = Annotated[Vorm, Depends(vorm)]


class PublicatieIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rapport: Rapportnaam = Field(description="Welk rapport gepubliceerd wordt.")
    titel: Naam = Field(
        min_length=1,
        max_length=200,
        description="Bijvoorbeeld: Kamerbrief voortgang bodemsanering 2013.",
    )
    peildatum: Datum | None = Field(
        None,
        description="De peildatum van het rapport (bij kamerbrief-bijlage het eind van de "
        "periode); standaard vandaag.",
        json_schema_extra=domeinregel(TIJD_REGEL),
    )
    kennisdatum: Datum | None = Field(
        None,
        description="Zoals bekend aan het eind van deze dag; standaard de dag van publiceren, "
        "zodat de publicatie zegt tot wanneer registraties meetellen.",
        json_schema_extra=domeinregel(TIJD_REGEL),
    )
    van: Datum | None = Field(
        None,
        description=f"Alleen bij kamerbrief-bijlage: de eerste dag van de periode; standaard "
        f"{START}.",
        json_schema_extra=domeinregel("alleen bij kamerbrief-bijlage; niet na de peildatum"),
    )
    vervangt: int | None = Field(
        None,
        ge=1,
        le=2_147_483_647,
        description="Het nummer van de publicatie die deze verbetert. Een publicatie wordt "
        "één keer vervangen.",
        json_schema_extra=domeinregel("een bestaande publicatie die nog niet vervangen is"),
    )


class PublicatieKop(BaseModel):
    nummer: int
    titel: str
    gepubliceerdOp: datetime
    rapport: str
    parameters: dict[str, Any]
    positie: int
    digest: str
    logboeken: dict[str, Logboek]
    vervangt: int | None = Field(description="De publicatie die deze verbetert.")
    vervangenDoor: int | None = Field(description="De publicatie die deze verbetert.")
    links: dict[str, dict[str, str]] = Field(alias="_links")


class PublicatieOut(PublicatieKop):
    rapportTitel: str
    inhoud: dict[str, Any]


class Publicatielijst(BaseModel):
    publicaties: list[PublicatieKop]


class Verschil(BaseModel):
    oud: dict[str, Any] = Field(description="De oude versie: rapport, parameters, positie.")
    nieuw: dict[str, Any] = Field(description="De nieuwe versie.")
    cijfers: list[dict[str, Any]] = Field(
        description="Per cijfer dat verschilt (pad in de inhoud) de oude en de nieuwe waarde."
    )
    samenvatting: dict[str, int] = Field(
        description="Hoeveel locaties verschoven, en per soort reden bij hoeveel locaties."
    )
    locaties: list[dict[str, Any]] = Field(
        description="Per locatie die verschoof: de oude en nieuwe stand en de redenen "
        "(nieuw-besluit, late-registratie, correctie met haar reden, overdracht)."
    )


def _ongeldig(naam: str, reden: str) -> ProblemError:
    return ProblemError(
        400, f"{naam}: {reden}.", invalid_params=[InvalidParam(name=naam, reason=reden)]
    )


def _register(services: Container) -> Publicaties:
    assert services.publicaties is not None, "bootstrap wires the publications"
    return services.publicaties


def _met_links(kop: dict[str, Any]) -> dict[str, Any]:
    links = {"self": {"href": f"/v1/publicaties/{kop['nummer']}"}}
    for naam in ("vervangt", "vervangenDoor"):
        if kop.get(naam):
            links[naam] = {"href": f"/v1/publicaties/{kop[naam]}"}
    return {**kop, "_links": links}


def _kop(p: Publicatie) -> dict[str, Any]:
    return _met_links({**p.kop(), "vervangenDoor": p.vervangen_door})


def _publiceer(body: PublicatieIn) -> Publiceer:
    vandaag = datetime.now(UTC).date()
    peildatum = body.peildatum or vandaag
    kennisdatum = body.kennisdatum or vandaag
    for naam, waarde in (("peildatum", peildatum), ("kennisdatum", kennisdatum)):
        if waarde < VROEGST:
            raise _ongeldig(f"body.{naam}", f"{waarde} ligt voor {VROEGST}")
    try:
        controleer_tijdreis(peildatum, kennisdatum)
    except ValueError as exc:
        naam, reden = str(exc).split(": ", 1)
        raise _ongeldig(f"body.{naam}", reden) from exc
    if body.van is not None:
        if body.rapport != "kamerbrief-bijlage":
            raise _ongeldig("body.van", "alleen de kamerbrief-bijlage heeft een periode")
        if not VROEGST <= body.van <= peildatum:
            raise _ongeldig("body.van", f"{body.van} ligt niet tussen {VROEGST} en {peildatum}")
    van = (body.van or START) if body.rapport == "kamerbrief-bijlage" else None
    return Publiceer(body.rapport, body.titel, peildatum, kennisdatum, van, body.vervangt)


@router.post(
    "/publicaties",
    status_code=201,
    response_model=PublicatieKop,
    summary="Publiceer een rapport",
    openapi_extra=beleid.openapi_extra("rapportage.publiceer"),
    responses={409: {"description": "De publicatie is al vervangen, of tegelijk genummerd"}},
)
def publiceer(
    body: PublicatieIn, response: Response, services: Services, principal: CurrentPrincipal
) -> dict[str, Any]:
    """Legt een rapport vast zoals het nu is, met zijn parameters, kennisdatum, positie, digest
    en de binding aan het logboek; genummerd en met een titel, en als gebeurtenis op het topic
    bodem.publicaties.v1. Een publicatie verandert nooit: een verbetering is een nieuwe
    publicatie die noemt welke ze vervangt."""
    publicatie = _register(services).publiceer(_publiceer(body), principal)
    response.headers["Location"] = f"/v1/publicaties/{publicatie.nummer}"
    response.headers["ETag"] = f'"{publicatie.rapport.digest}"'
    return _kop(publicatie)


@router.get("/publicaties", response_model=Publicatielijst, summary="Alle publicaties")
def lijst(services: Services) -> dict[str, Any]:
    """Wat gepubliceerd is, oudste eerst; openbaar, zonder token."""
    return {"publicaties": [_met_links(k) for k in _register(services).lijst()]}


@router.get(
    "/publicaties/{nummer}",
    response_model=PublicatieOut,
    summary="Eén publicatie",
    responses={
        200: {"content": INHOUD, "description": "JSON, CSV (één tabel), HTML, XLSX of PDF"},
        406: {"description": "Gevraagd formaat niet beschikbaar"},
    },
)
def een(nummer: Nummer, request: Request, services: Services, soort: Vormen) -> Response:
    """De publicatie zoals ze gepubliceerd is; openbaar, zonder token. De PDF is opgemaakt
    als bijlage (titel, parameters, positie, digest, tabellen en grafieken); de XLSX heeft
    elke tabel op een eigen blad."""
    p = _register(services).een(nummer)
    kop: list[tuple[str, Any]] = [
        ("Publicatie", f"{p.nummer}: {p.titel}"),
        ("Gepubliceerd op", p.gepubliceerd_op.isoformat(timespec="seconds")),
    ]
    if p.vervangt:
        kop.append(("Vervangt publicatie", p.vervangt))
    if p.vervangen_door:
        kop.append(("Vervangen door publicatie", p.vervangen_door))
    body = {**_kop(p), "rapportTitel": p.rapport.titel, "inhoud": p.rapport.inhoud}
    return antwoord(
        p.rapport, soort, request, kop, json_body=body, bestandsnaam=f"publicatie-{p.nummer}"
    )


@router.get(
    "/publicaties/{nummer}/verschillen/{ander}",
    response_model=Verschil,
    summary="Wat veranderde tussen twee publicaties",
)
def verschillen(
    nummer: Nummer,
    ander: Annotated[
        int,
        Path(ge=1, le=2_147_483_647, description="De nieuwere publicatie om mee te vergelijken."),
    ],
    services: Services,
) -> dict[str, Any]:
    """Per cijfer de oude en de nieuwe waarde, en per locatie waarom ze verschoof: nieuwe
    besluiten in de periode, late registraties, correcties van het verleden (met hun reden) en
    overdrachten. Openbaar, zonder token."""
    return _register(services).verschillen(nummer, ander)


@router.get(
    "/rapportages/{rapport}/verschillen",
    response_model=Verschil,
    summary="Wat veranderde tussen twee versies van een rapport",
)
def rapport_verschillen(
    rapport: Annotated[
        Literal[
            "voortgang",
            "bevoegde-gezagen",
            "provincies",
            "deadlines",
            "midterm-review",
            "kamerbrief-bijlage",
        ],
        Path(description="Het rapport."),
    ],
    services: Services,
    principal: CurrentPrincipal,
    vorige_peildatum: Annotated[
        Datum,
        datumparameter("De peildatum van de oude versie.", TIJD_REGEL, alias="vorigePeildatum"),
    ],
    vorige_kennisdatum: Annotated[
        Datum | None,
        datumparameter(
            "De kennisdatum van de oude versie; standaard alles wat nu bekend is.",
            TIJD_REGEL,
            alias="vorigeKennisdatum",
        ),
    ] = None,
    peildatum: Annotated[
        Datum | None,
        datumparameter("De peildatum van de nieuwe versie; standaard vandaag.", TIJD_REGEL),
    ] = None,
    kennisdatum: Annotated[
        Datum | None,
        datumparameter(
            "De kennisdatum van de nieuwe versie; standaard alles wat nu bekend is.", TIJD_REGEL
        ),
    ] = None,
    van: Annotated[
        Datum | None,
        datumparameter(
            f"Alleen bij kamerbrief-bijlage: de eerste dag; standaard {START}.",
            "alleen bij kamerbrief-bijlage; niet na een peildatum",
        ),
    ] = None,
) -> dict[str, Any]:
    """Twee versies van hetzelfde rapport (andere peildatum en/of kennisdatum) naast elkaar,
    op dezelfde positie: per cijfer de oude en nieuwe waarde en per locatie waarom ze
    verschoof."""
    try:
        oud = _tijdassen(vorige_peildatum, vorige_kennisdatum, als="vorigePeildatum")
    except ProblemError as exc:
        # The same rules as for the new version, named after the old version's parameters.
        namen = {"query.vorigePeildatum", "query.kennisdatum"}
        for p in exc.invalid_params or []:
            if p.name in namen:
                p.name = "query.vorigeKennisdatum" if p.name.endswith("kennisdatum") else p.name
        raise
    nieuw = _tijdassen(peildatum, kennisdatum)
    periode: date | None = None
    if rapport == "kamerbrief-bijlage":
        periode = van or START
        if not VROEGST <= periode <= min(oud[0], nieuw[0]):
            raise _ongeldig("query.van", f"{periode} ligt na een van de peildata")
    elif van is not None:
        raise _ongeldig("query.van", "alleen de kamerbrief-bijlage heeft een periode")
    return _register(services).rapport_verschillen(
        VraagRapport(rapport, *oud, van=periode), VraagRapport(rapport, *nieuw, van=periode)
    )
