"""What rapportage adds to its landing page (shared/http/landingspagina.py): the latest
publications, read from ``GET /v1/publicaties`` when the service has that route, and the
national progress chart from the voortgang report (inline SVG, as in its HTML form)."""

from __future__ import annotations

import html
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import Request
from starlette.concurrency import run_in_threadpool

from services.rapportage.domain.queries import VraagRapport
from services.rapportage.domain.rapporten import Rapport
from services.rapportage.entrypoints.weergave import _staafdiagram as staafdiagram

log = logging.getLogger(__name__)
PUBLICATIES = "/v1/publicaties"
LAATSTE = 5


async def secties(request: Request) -> str:
    return await _publicaties(request) + await _voortgang(request)


async def _publicaties(request: Request) -> str:
    kop = '<section id="publicaties"><h2>Laatste publicaties</h2>'
    # Read through the API itself (published is public): the page shows what a client gets.
    transport = httpx.ASGITransport(app=request.app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://intern") as client:
            antwoord = await client.get(PUBLICATIES)
        if antwoord.status_code == 404:  # a service without publications
            return kop + '<p class="leeg">Nog geen publicaties.</p></section>'
        antwoord.raise_for_status()
        lijst = _lijst(antwoord.json())
    except (httpx.HTTPError, ValueError) as exc:
        log.warning("landingspagina: publicaties niet te lezen: %s", exc)
        return kop + '<p class="leeg">De publicaties zijn nu niet te lezen.</p></section>'
    if not lijst:
        return kop + '<p class="leeg">Nog geen publicaties.</p></section>'
    nieuwste = sorted(lijst, key=lambda p: str(p.get("gepubliceerdOp", "")), reverse=True)
    regels = "".join(_regel(p) for p in nieuwste[:LAATSTE])
    return f'{kop}<ul>{regels}</ul><p><a href="{PUBLICATIES}">Alle publicaties</a></p></section>'


def _lijst(body: Any) -> list[dict[str, Any]]:
    if isinstance(body, dict):
        body = body.get("publicaties", body.get("_embedded", {}).get("publicaties", []))
    return [p for p in body if isinstance(p, dict)] if isinstance(body, list) else []


def _regel(publicatie: dict[str, Any]) -> str:
    nummer = publicatie.get("nummer")
    href = publicatie.get("_links", {}).get("self", {}).get("href") or f"{PUBLICATIES}/{nummer}"
    titel = html.escape(str(publicatie.get("titel", f"Publicatie {nummer}")))
    datum = html.escape(str(publicatie.get("gepubliceerdOp", ""))[:10])
    return f'<li><a href="{html.escape(str(href))}">{titel}</a> ({datum})</li>'


async def _voortgang(request: Request) -> str:
    kop = '<section id="voortgang"><h2>Landelijke voortgang</h2>'
    vandaag = datetime.now(UTC).date()
    try:
        rapportage = request.app.state.container.rapportage
        rapport: Rapport = await run_in_threadpool(
            rapportage.handle, VraagRapport("voortgang", vandaag)
        )
    except Exception as exc:  # the page stays up when the report cannot be made now
        log.warning("landingspagina: voortgang niet te maken: %s", exc)
        return kop + '<p class="leeg">De voortgang is nu niet beschikbaar.</p></section>'
    grafieken = "".join(
        f"<h3>{html.escape(t.titel)}</h3>{staafdiagram(t)}"
        for t in rapport.tabellen
        if t.grafiek is not None and t.rijen
    )
    if not grafieken:
        grafieken = '<p class="leeg">Nog geen spoedlocaties verwerkt.</p>'
    return (
        f"{kop}<p>Stand op {vandaag}, tot en met positie {rapport.positie} in de stroom; "
        f'<a href="/v1/rapportages/voortgang">het volledige rapport</a>.</p>{grafieken}</section>'
    )
