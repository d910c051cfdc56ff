"""/v1/onverwerkbare-gebeurtenissen: what the kennis consumer refused, and why."""

from __future__ import annotations

from fastapi import APIRouter, Response

from services.kennis.entrypoints.dependencies import ERRORS, Services
from shared.auth import CurrentPrincipal
from shared.http.onverwerkbaar import (
    HEADERS,
    Onverwerkbaar,
    Page,
    PageSize,
    onverwerkbare_pagina,
)

router = APIRouter(tags=["Onverwerkbare gebeurtenissen"])


@router.get(
    "/onverwerkbare-gebeurtenissen",
    response_model=list[Onverwerkbaar],
    summary="Gebeurtenissen die niet verwerkt konden worden",
    responses={200: {"headers": HEADERS}, 401: ERRORS[401]},
)
def onverwerkbaar(
    services: Services,
    principal: CurrentPrincipal,
    response: Response,
    page: Page = 1,
    page_size: PageSize = 20,
) -> list[Onverwerkbaar]:
    """De dead letters van deze service: gebeurtenissen van het register die de consument
    weigerde (een gebroken of ontbrekend zegel, een onbekende bron) of niet kon verwerken, en
    waarom. Ze staan ook op het topic bodem.deadletter.v1. Oudste eerst, per pagina
    (`page`, `pageSize`); het totaal en de links staan in X-Total-Count en Link."""
    return onverwerkbare_pagina(services.sessions, response, page, page_size)
