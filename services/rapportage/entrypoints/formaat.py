"""Which representation a request asks for, and the answer in it: shared by the report routes
and the publication routes, so every report comes in the same five formats."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from services.rapportage.domain.rapporten import Rapport
from services.rapportage.entrypoints import weergave
from shared.http.problems import ProblemError
from shared.http.queryparameters import ongeldig
from shared.http.schematypen import domeinregel

AANGEBODEN = (weergave.JSON, weergave.CSV, weergave.HTML, weergave.XLSX, weergave.PDF)
TABEL_REGEL = "een tabel van het rapport; alleen bij csv"
# For the OpenAPI document: the 200 of every report in every format.
INHOUD: dict[str, Any] = {
    weergave.CSV: {"schema": {"type": "string"}},
    weergave.HTML: {"schema": {"type": "string"}},
    weergave.XLSX: {"schema": {"type": "string", "format": "binary"}},
    weergave.PDF: {"schema": {"type": "string", "format": "binary"}},
}


class Bestanden:
    """The last workbooks and PDFs made, by digest: a PDF of a long list takes seconds (about
    7 ms CPU per table row), and a publication, or a report at one position, never changes."""

    def __init__(self, bewaar: int = 32) -> None:
        self._bewaar = bewaar
        self._gemaakt: OrderedDict[tuple[str, str, tuple[tuple[str, str], ...]], bytes] = (
            OrderedDict()
        )
        self._slot = threading.Lock()

    def maak(self, rapport: Rapport, soort: str, kop: Sequence[tuple[str, Any]]) -> bytes:
        sleutel = (rapport.digest, soort, tuple((str(k), str(v)) for k, v in kop))
        with self._slot:
            if (klaar := self._gemaakt.get(sleutel)) is not None:
                self._gemaakt.move_to_end(sleutel)
                return klaar
        if soort == weergave.XLSX:
            from services.rapportage.entrypoints.weergave_xlsx import als_xlsx

            inhoud = als_xlsx(rapport, kop)
        else:
            from services.rapportage.entrypoints.weergave_pdf import als_pdf

            inhoud = als_pdf(rapport, kop)
        with self._slot:
            self._gemaakt[sleutel] = inhoud
            while len(self._gemaakt) > self._bewaar:
                self._gemaakt.popitem(last=False)
        return inhoud


bestanden = Bestanden()


@dataclass(frozen=True)
class Vorm:
    """The media type asked for and, for CSV, the table (``?tabel=``)."""

    soort: str
    tabel: str | None = None


def vorm(
    request: Request,
    formaat: Annotated[
        str | None,
        Query(
            description="json, csv, html, xlsx of pdf; anders bepaalt de Accept-header het "
            "formaat.",
            json_schema_extra={"enum": sorted(weergave.FORMATEN)},
        ),
    ] = None,
    tabel: Annotated[
        str | None,
        Query(
            description="Bij csv: welke tabel, met haar nummer (1 is de eerste) of haar titel in "
            "kleine letters met streepjes (bijvoorbeeld per-jaar); standaard de eerste. Het "
            "xlsx-formaat geeft elke tabel op een eigen blad.",
            json_schema_extra=domeinregel(TABEL_REGEL),
        ),
    ] = None,
) -> Vorm:
    soort = _soort(request, formaat)
    if tabel is not None and soort != weergave.CSV:
        raise ongeldig("tabel", "kies een tabel alleen bij csv; xlsx bevat ze alle")
    return Vorm(soort, tabel)


def _soort(request: Request, formaat: str | None) -> str:
    if formaat is not None:
        if formaat not in weergave.FORMATEN:
            raise ongeldig("formaat", f"kies uit {', '.join(weergave.FORMATEN)}")
        return weergave.FORMATEN[formaat]
    accept = request.headers.get("accept", "*/*")
    for soort in [a.split(";")[0].strip() for a in accept.split(",")]:
        if soort in (weergave.JSON, "application/*", "*/*", "application/problem+json"):
            return weergave.JSON
        if soort in AANGEBODEN:
            return soort
    raise ProblemError(
        406,
        f"Geen van de gevraagde formaten ({accept}) is beschikbaar; kies {', '.join(AANGEBODEN)}.",
    )


def antwoord(
    rapport: Rapport,
    vorm: Vorm,
    request: Request,
    kop: Sequence[tuple[str, Any]] = (),
    json_body: dict[str, Any] | None = None,
    bestandsnaam: str | None = None,
) -> Response:
    """``rapport`` in the representation asked for. ``kop``: lines above it (a publication's);
    ``json_body``: the JSON answer when it is more than the report itself."""
    headers = {"ETag": f'"{rapport.digest}"'}
    naam = bestandsnaam or rapport.naam
    if vorm.soort == weergave.CSV:
        tabel = weergave.kies_tabel(rapport, vorm.tabel)
        if tabel is None:
            namen = [weergave.tabelnaam(t.titel) for t in rapport.tabellen]
            raise ongeldig(
                "tabel",
                f"dit rapport heeft geen tabel {vorm.tabel!r}; kies uit "
                + (", ".join(namen) or "(geen)"),
            )
        return PlainTextResponse(
            weergave.als_csv(rapport, tabel), media_type="text/csv; charset=utf-8", headers=headers
        )
    if vorm.soort == weergave.HTML:
        return HTMLResponse(weergave.als_html(rapport, kop), headers=headers)
    if vorm.soort in (weergave.XLSX, weergave.PDF):
        extensie = "xlsx" if vorm.soort == weergave.XLSX else "pdf"
        headers["Content-Disposition"] = f'inline; filename="{naam}.{extensie}"'
        return Response(
            bestanden.maak(rapport, vorm.soort, kop), media_type=vorm.soort, headers=headers
        )
    href = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    body = json_body if json_body is not None else weergave.als_json(rapport, href)
    return JSONResponse(body, headers=headers)
