"""The page a person gets at ``/`` of a service: what it is and where its documentation is,
plus what the service adds (rapportage: its latest publications and the national progress).

Plain HTML without scripts or external assets (the security headers allow inline styles and
images only); not part of the API, so not in the OpenAPI document."""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

# What a service adds to its page: HTML sections, built per request.
Secties = Callable[[Request], Awaitable[str]]

STIJL = """body{font-family:sans-serif;margin:0;color:#222;background:#fff}
header{background:#154273;color:#fff;padding:1.2em 2em}header h1{margin:0;font-size:1.6em}
main{padding:1em 2em;max-width:60em}section{margin-bottom:1.5em}
a{color:#154273}ul{padding-left:1.2em}.leeg{color:#666}"""


def pagina(titel: str, omschrijving: str, base_path: str, secties: str = "") -> str:
    alineas = "".join(
        f"<p>{html.escape(' '.join(a.split()))}</p>" for a in omschrijving.split("\n\n") if a
    )
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(titel)}</title><style>{STIJL}</style></head>
<body><header><h1>{html.escape(titel)}</h1></header><main>
<section><h2>Wat is dit?</h2>{alineas}</section>
<section><h2>Documentatie</h2><ul>
<li><a href="{base_path}/docs">Interactieve API-documentatie</a></li>
<li><a href="{base_path}/openapi.json">OpenAPI-document (JSON)</a></li>
<li><a href="{base_path}/health">Status van de service</a></li>
</ul></section>
{secties}
</main></body></html>"""


def router(titel: str, omschrijving: str, base_path: str, secties: Secties | None) -> APIRouter:
    landing = APIRouter()

    @landing.get("/", include_in_schema=False, response_class=HTMLResponse)
    async def landingspagina(request: Request) -> HTMLResponse:
        extra = await secties(request) if secties is not None else ""
        return HTMLResponse(pagina(titel, omschrijving, base_path, extra))

    return landing
