"""/v1/spoedlocaties: the registry and its commands."""

from __future__ import annotations

import math
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import Boolean, ColumnElement, Table, and_, func, or_, select
from sqlalchemy.orm import Session

from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from services.locaties.domain import commands, standen
from services.locaties.domain.events import registry
from services.locaties.domain.geometrie import (
    CRS_URI,
    Omgerekend,
    Omhullende,
    OngeldigeGeometrie,
    naar_rd,
)
from services.locaties.domain.model import Spoedlocatie
from services.locaties.entrypoints import geojson, schemas
from services.locaties.entrypoints.dependencies import (
    AcceptCrs,
    ContentCrs,
    CurrentActor,
    Services,
    Tijdreis,
)
from services.locaties.entrypoints.geojson import GEO_JSON
from services.locaties.entrypoints.kader import KaderFilter
from services.locaties.entrypoints.representation import BASE, van_aggregaat, van_rij, van_stand
from services.locaties.entrypoints.uitvoering import REGISTRATIE, voer_uit
from shared import beleid
from shared.aggregate import NotFound
from shared.auth import CurrentPrincipal
from shared.eventstore.sql import SqlEventStore
from shared.eventstore.tables import events
from shared.http.idempotency import IdempotenteRoute
from shared.http.onderhandeling import onderhandel
from shared.http.problems import InvalidParam, ProblemError
from shared.tijd import kennismoment
from shared.vocabulaire import RisicoType, Status

JSON = "application/json"
router = APIRouter(prefix="/spoedlocaties", tags=["Spoedlocaties"], route_class=IdempotenteRoute)

LocatieId = Annotated[
    str,
    Path(
        alias="locatieId",
        pattern=r"^[A-Z]{2}[0-9]{9}$",
        description="Landelijk id: bevoegd gezag, CBS-gemeentecode, "
        "volgnummer (bijvoorbeeld ZH051300001).",
    ),
]

ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Geen of een ongeldig token"},
    403: {"description": "Deze locatie valt onder een ander bevoegd gezag"},
    404: {"description": "Locatie niet gevonden"},
}
COMMAND_ERRORS: dict[int | str, dict[str, Any]] = {
    **ERRORS,
    409: {"description": "Niet toegestaan vanuit de huidige status"},
    412: {"description": "If-Match hoort bij een oudere versie"},
    413: {"description": "Body te groot"},
    428: {"description": "If-Match ontbreekt"},
}


def _respond(response: Response, locatie: Spoedlocatie, crs: str) -> schemas.SpoedlocatieOut:
    response.headers["ETag"] = f'"{locatie.version}"'
    response.headers["Content-Crs"] = crs
    return van_aggregaat(locatie, crs)


def _geometrie_rd(
    geometrie: schemas.Geometrie | None, crs: str, omgerekend: Omgerekend | None
) -> dict[str, Any] | None:
    if geometrie is None:
        return None
    try:
        # The checked conversion is the stored geometry (one transformation, not a check and
        # then another).
        return naar_rd(geometrie.model_dump(), crs, omgerekend)
    except OngeldigeGeometrie as exc:
        raise ProblemError(
            400,
            f"De geometrie is ongeldig: {exc}.",
            invalid_params=[InvalidParam(name="body.geometrie", reason=str(exc))],
        ) from exc


@router.post(
    "",
    status_code=201,
    response_model=schemas.SpoedlocatieOut,
    summary="Registreer een spoedlocatie",
    openapi_extra=beleid.openapi_extra("locaties.registreer"),
    responses={
        **ERRORS,
        409: {"description": "Het locatieId bestaat al"},
        413: {"description": "Body te groot"},
    },
)
async def registreer(
    body: schemas.NieuweSpoedlocatie,
    services: Services,
    actor: CurrentActor,
    crs: ContentCrs,
    accept: AcceptCrs,
) -> Response:
    """Registreert een (potentiële) spoedlocatie. De geometrie mag in RD (EPSG:28992) of
    CRS84 binnenkomen; geef het CRS aan met de header Content-Crs. Het antwoord is in CRS84,
    of in het CRS uit de header Accept-Crs."""
    return await voer_uit(services, registratie(body, crs), actor, accept, location=REGISTRATIE)


def registratie(
    body: schemas.NieuweSpoedlocatie, crs: str, omgerekend: Omgerekend | None = None
) -> commands.RegistreerSpoedlocatie:
    """The registration a body asks for (also a line of the bulk import), its geometry taken to
    RD from ``crs`` (Content-Crs); a geometry outside the Netherlands is a ProblemError.
    ``omgerekend``: its positions converted beforehand (the import, a batch's at once)."""
    return commands.RegistreerSpoedlocatie(
        bevoegd_gezag=body.bevoegd_gezag,
        gemeentecode=body.gemeentecode,
        naam=body.naam,
        bodemtype=body.bodemtype,
        verontreinigingsgroepen=tuple(body.verontreinigingsgroepen),
        geometrie_rd=_geometrie_rd(body.geometrie, crs, omgerekend),
        registratiedatum=body.registratiedatum,
        locatie_id=body.locatie_id,
    )


@router.get(
    "",
    response_model=schemas.SpoedlocatiePagina,
    summary="Zoek spoedlocaties",
    responses={
        200: {
            "description": "De locaties: JSON (HAL), of met Accept: application/geo+json een "
            "GeoJSON FeatureCollection voor een kaart",
            "content": {GEO_JSON: {"schema": geojson.openapi_schema(geojson.kenmerken_schema())}},
        },
        401: ERRORS[401],
        406: {"description": "Gevraagd formaat niet beschikbaar"},
    },
)
def lijst(
    request: Request,
    services: Services,
    principal: CurrentPrincipal,
    response: Response,
    crs: AcceptCrs,
    tijd: Tijdreis,
    kader: KaderFilter,
    bevoegd_gezag: Annotated[str | None, Query(alias="bevoegdGezag", pattern=r"^[A-Z]{2}$")] = None,
    provincie: Annotated[str | None, Query(pattern=r"^[A-Z]{2}$")] = None,
    status: Status | None = None,
    risicotype: RisicoType | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(alias="pageSize", ge=1, le=200)] = 20,
) -> Any:
    """Lijst van spoedlocaties, te filteren op bevoegd gezag, provincie, status, risicotype en
    een kader (`bbox`), gepagineerd volgens de paginering-module (HAL-links, X-Total-Count). Met
    `peildatum` de locaties zoals ze op die (besluit)datum stonden (gefilterd op de toenmalige
    status en het toenmalige bevoegd gezag), met `kennisdatum` zoals dat aan het eind van die
    dag bekend was; elke locatie is dan gelijk aan `GET /spoedlocaties/{locatieId}` met dezelfde
    parameters.

    Met `Accept: application/geo+json` een GeoJSON FeatureCollection (RFC 7946) voor kaarten:
    per locatie een Feature met de locatieId als id, met dezelfde filters en paginering (links
    zoals OGC API Features ze geeft). De geometrie is in CRS84, of in het CRS uit Accept-Crs;
    de header Content-Crs noemt het."""
    soort = onderhandel(request.headers.get("accept"), [JSON, GEO_JSON])
    peildatum, kennisdatum = tijd
    historisch = peildatum is not None or kennisdatum is not None
    tabel = spoedlocatie_standen if historisch else spoedlocaties
    filters = tijdfilters(peildatum, kennisdatum) if historisch else []
    if bevoegd_gezag:
        filters.append(tabel.c.bevoegd_gezag == bevoegd_gezag)
    if provincie:
        filters.append(tabel.c.provincie == provincie)
    if status:
        filters.append(tabel.c.status == str(status))
    if risicotype:
        filters.append(tabel.c[f"risico_{risicotype}"].is_(True))
    with services.sessions() as session:
        if kader is not None:
            filters.append(bbox_filter(tabel, kader.rd, session.get_bind().dialect.name))
        total, rows = pagina(session, tabel, filters, page, page_size, kader is not None)
        if historisch:
            versies = _versies(session, [r["locatie_id"] for r in rows], kennisdatum)
            for r in rows:
                r["versie"] = versies[r["locatie_id"]]
    last = max(1, math.ceil(total / page_size))
    params = {
        k: v
        for k, v in {
            "bevoegdGezag": bevoegd_gezag,
            "provincie": provincie,
            "status": status and str(status),
            "risicotype": risicotype and str(risicotype),
            "peildatum": peildatum and peildatum.isoformat(),
            "kennisdatum": kennisdatum and kennisdatum.isoformat(),
            **(kader.parameters if kader is not None else {}),
            "pageSize": page_size,
        }.items()
        if v
    }

    def href(p: int) -> schemas.Link:
        return schemas.Link(href=f"{BASE}?{urlencode({**params, 'page': p})}")

    links = {"self": href(page), "first": href(1), "last": href(last)}
    if page > 1:
        links["prev"] = href(min(page - 1, last))
    if page < last:
        links["next"] = href(page + 1)
    headers = {
        "X-Total-Count": str(total),
        "X-Pagination-Page": str(page),
        "X-Pagination-Limit": str(page_size),
        "Vary": "Accept, Accept-Crs",
    }
    sites = [van_rij(r, crs) for r in rows]
    if soort == GEO_JSON:
        # OGC API Features - Part 2 names the CRS as a URI in angle brackets.
        headers["Content-Crs"] = f"<{CRS_URI[crs]}>"
        return JSONResponse(
            geojson.feature_collection(sites, links, total), media_type=GEO_JSON, headers=headers
        )
    response.headers.update({**headers, "Content-Crs": crs})
    return schemas.SpoedlocatiePagina(links=links, embedded={"spoedlocaties": sites})


def bbox_filter(tabel: Table, kader: Omhullende, dialect: str) -> ColumnElement[bool]:
    """Sites whose bounding box (RD) meets ``kader`` (RD), edges included; a site without a
    geometry never does. PostgreSQL asks it as box overlap (``&&``), which its SP-GiST index on the
    same expression answers (locaties_0005); elsewhere as four comparisons on the columns."""
    c = tabel.c
    x0, y0, x1, y1 = kader
    if dialect == "postgresql":
        box = func.box(
            func.point(c.bbox_min_x, c.bbox_min_y), func.point(c.bbox_max_x, c.bbox_max_y)
        )
        gevraagd = func.box(func.point(x0, y0), func.point(x1, y1))
        return box.op("&&", return_type=Boolean)(gevraagd)
    return and_(c.bbox_min_x <= x1, c.bbox_max_x >= x0, c.bbox_min_y <= y1, c.bbox_max_y >= y0)


# Up to this many sites in a box, PostgreSQL pages them from the box's matches (SP-GiST index, then
# sorted); beyond it, walking the locatieId order finds a page's matches quickly enough.
KLEIN_KADER = 50_000


def pagina(
    session: Session,
    tabel: Table,
    filters: list[ColumnElement[bool]],
    page: int,
    page_size: int,
    kader: bool = False,
) -> tuple[int, list[dict[str, Any]]]:
    """The number of matching rows and one page of them, by locatieId. With a bbox among the
    ``filters`` (``kader``) and few matches, PostgreSQL is made to take them from the SP-GiST
    index and sort them: its planner would otherwise walk the primary key in order and test
    every row until a page is full, which for a box whose sites all have late ids (a province
    late in the alphabet) reads nearly the whole table."""
    total = session.execute(select(func.count()).select_from(tabel).where(*filters)).scalar_one()
    query = select(tabel).where(*filters)
    if kader and total <= KLEIN_KADER and session.get_bind().dialect.name == "postgresql":
        gevonden = query.cte("gevonden").prefix_with("MATERIALIZED")
        paginaquery = select(gevonden).order_by(gevonden.c.locatie_id)
    else:
        paginaquery = query.order_by(tabel.c.locatie_id)
    rows = session.execute(paginaquery.limit(page_size).offset((page - 1) * page_size)).mappings()
    return total, [dict(r) for r in rows]


def tijdfilters(peildatum: date | None, kennisdatum: date | None) -> list[ColumnElement[bool]]:
    """The rows of ``spoedlocatie_standen`` valid on ``peildatum`` (default: the last known
    state) as known at the end of ``kennisdatum`` (default: now)."""
    t = spoedlocatie_standen.c
    filters: list[ColumnElement[bool]] = []
    if kennisdatum is None:
        filters.append(t.bekend_tot.is_(None))
    else:
        grens = kennismoment(kennisdatum)
        filters += [t.bekend_vanaf < grens, or_(t.bekend_tot.is_(None), t.bekend_tot >= grens)]
    if peildatum is None:
        filters.append(t.geldig_tot.is_(None))
    else:
        geldig = or_(t.geldig_tot.is_(None), t.geldig_tot > peildatum)
        filters += [t.geldig_vanaf <= peildatum, geldig]
    return filters


def _versies(session: Session, ids: list[str], kennisdatum: date | None) -> dict[str, int]:
    """Per site the version known at the end of ``kennisdatum`` (default: now), as the single
    read reports it."""
    filters: list[ColumnElement[bool]] = [events.c.stream_id.in_(ids)]
    if kennisdatum is not None:
        filters.append(events.c.recorded_at < kennismoment(kennisdatum))
    per_stream = select(events.c.stream_id, func.max(events.c.version))
    rows = session.execute(per_stream.where(*filters).group_by(events.c.stream_id))
    return {stream_id: int(versie) for stream_id, versie in rows}


@router.get(
    "/{locatieId}",
    response_model=schemas.SpoedlocatieOut,
    summary="Haal een spoedlocatie op",
    responses=ERRORS,
)
def haal_op(
    locatie_id: LocatieId,
    services: Services,
    principal: CurrentPrincipal,
    response: Response,
    crs: AcceptCrs,
    tijd: Tijdreis,
) -> schemas.SpoedlocatieOut:
    """De toestand, herbouwd uit de gebeurtenissen; de ETag is de versie. Met `peildatum` de
    toestand op die (besluit)datum, met `kennisdatum` zoals die aan het eind van die dag bekend
    was (latere registraties en correcties tellen dan niet mee). Samen beantwoorden ze "wat
    wisten we op 1 februari 2013 van 31 december 2012?"."""
    peildatum, kennisdatum = tijd
    with services.sessions() as session:
        events = SqlEventStore(session).load(locatie_id)
    if kennisdatum is not None:
        grens = kennismoment(kennisdatum)
        events = [e for e in events if e.recorded_at < grens]
    if not events:
        raise NotFound(locatie_id)
    # Folded from the recorded events (standen.py), as the projection folds its rows.
    history = [registry.decode(e.event_type, e.schema_version, e.data) for e in events]
    if peildatum is None:
        stand = standen.huidig(history)
    elif (stand_toen := standen.op_peildatum(history, peildatum)) is not None:
        stand = stand_toen
    else:
        raise ProblemError(
            404, f"Spoedlocatie {locatie_id} was op {peildatum} nog niet geregistreerd."
        )
    versie = events[-1].version
    response.headers["ETag"] = f'"{versie}"'
    response.headers["Content-Crs"] = crs
    return van_stand(locatie_id, versie, stand, crs)
