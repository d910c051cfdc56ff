"""/v1/onverwerkbare-gebeurtenissen: what the kennis consumer refused, and why."""

from __future__ import annotations

from fastapi import APIRouter

from services.kennis.entrypoints.dependencies import ERRORS, Services
from shared.auth import CurrentPrincipal
from shared.http.onverwerkbaar import Onverwerkbaar, onverwerkbare

router = APIRouter(tags=["Onverwerkbare gebeurtenissen"])


@router.get(
    "/onverwerkbare-gebeurtenissen",
    response_model=list[Onverwerkbaar],
    summary="Gebeurtenissen die niet verwerkt konden worden",
    responses={401: ERRORS[401]},
)
def onverwerkbaar(services: Services, principal: CurrentPrincipal) -> list[Onverwerkbaar]:
    """De dead letters van deze service: gebeurtenissen van het register die de consument
    weigerde (een gebroken of ontbrekend zegel, een onbekende bron) of niet kon verwerken, en
    waarom. Ze staan ook op het topic bodem.deadletter.v1."""
    return onverwerkbare(services.sessions)
