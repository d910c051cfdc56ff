"""``GET /v1/onverwerkbare-gebeurtenissen``: one route for every service with consumers (kennis
and rapportage), so the dead letters read the same everywhere (shared/http/onverwerkbaar.py)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.orm import Session, sessionmaker

from shared.auth import CurrentPrincipal
from shared.http.onverwerkbaar import (
    HEADERS,
    Onverwerkbaar,
    Page,
    PageSize,
    onverwerkbare_pagina,
)


def _sessions(request: Request) -> sessionmaker[Session]:
    """Every service's container (its ``bootstrap``) keeps its database sessions as
    ``sessions``, and the dead letters are in that database."""
    sessions: sessionmaker[Session] = request.app.state.container.sessions
    return sessions


Sessions = Annotated[sessionmaker[Session], Depends(_sessions)]


def router(tags: list[str]) -> APIRouter:
    """The route, under the service's own ``tags`` in its OpenAPI document."""
    uit = APIRouter(tags=list(tags))

    @uit.get(
        "/onverwerkbare-gebeurtenissen",
        response_model=list[Onverwerkbaar],
        summary="Gebeurtenissen die niet verwerkt konden worden",
        responses={200: {"headers": HEADERS}, 401: {"description": "Geen of een ongeldig token"}},
    )
    def onverwerkbaar(
        sessions: Sessions,
        principal: CurrentPrincipal,
        response: Response,
        page: Page = 1,
        page_size: PageSize = 20,
    ) -> list[Onverwerkbaar]:
        """De dead letters van deze service: gebeurtenissen die de consument weigerde (een
        gebroken of ontbrekend zegel, een onbekende bron) of niet kon verwerken, en waarom. Ze
        staan ook op het topic bodem.deadletter.v1. Oudste eerst, per pagina
        (`page`, `pageSize`); het totaal en de links staan in X-Total-Count en Link."""
        return onverwerkbare_pagina(sessions, response, page, page_size)

    return uit
