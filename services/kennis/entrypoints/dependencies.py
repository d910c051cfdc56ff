"""Dependencies shared by the kennis routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request

from services.kennis.bootstrap import Container

VraagId = Annotated[str, Path(alias="vraagId", pattern=r"^kv-[0-9a-f]{12}$")]
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Geen of een ongeldig token"},
    403: {"description": "Alleen de vrager (of het programma) mag dit"},
    404: {"description": "Kennisvraag niet gevonden"},
    409: {"description": "Niet mogelijk in de huidige toestand van de vraag"},
}


def container(request: Request) -> Container:
    c: Container = request.app.state.container
    return c


Services = Annotated[Container, Depends(container)]
