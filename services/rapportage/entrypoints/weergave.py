"""Report representations: JSON (default), CSV (one table: the first, or the one ``?tabel=``
names) and a self-contained HTML page with tables and simple bar charts (no external assets);
XLSX and PDF are in ``weergave_xlsx`` and ``weergave_pdf``."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import Sequence
from typing import Any

from services.rapportage.domain.rapporten import Rapport, Tabel

JSON = "application/json"
CSV = "text/csv"
HTML = "text/html"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
FORMATEN = {"json": JSON, "csv": CSV, "html": HTML, "xlsx": XLSX, "pdf": PDF}


def als_json(rapport: Rapport, self_href: str) -> dict[str, Any]:
    return {
        "rapport": rapport.naam,
        "titel": rapport.titel,
        "parameters": rapport.parameters,
        "positie": rapport.positie,
        "digest": rapport.digest,
        "inhoud": rapport.inhoud,
        "logboeken": rapport.logboeken,
        "_links": {"self": {"href": self_href}},
    }


# A spreadsheet reads a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULETEKENS = ("=", "+", "-", "@", "\t", "\r")


def csv_cel(waarde: Any) -> Any:
    """A cell that a spreadsheet shows as text: a string starting with a formula character gets
    a leading single quote. Numbers are not strings, so -3 stays a readable number."""
    if waarde is None:
        return ""
    if isinstance(waarde, str) and waarde.startswith(FORMULETEKENS):
        return "'" + waarde
    return waarde


def tabelnaam(titel: str) -> str:
    """How ``?tabel=`` names a table: its title in lower case, words joined by hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", titel.lower()).strip("-")


def kies_tabel(rapport: Rapport, naam: str | None) -> Tabel | None:
    """The table ``naam`` picks (its ``tabelnaam`` or its number, 1 for the first); without a
    name the first. None when the report has no such table."""
    if naam is None:
        return rapport.tabellen[0] if rapport.tabellen else None
    for i, tabel in enumerate(rapport.tabellen, start=1):
        if naam in (tabelnaam(tabel.titel), str(i)):
            return tabel
    return None


def als_csv(rapport: Rapport, tabel: Tabel | None = None) -> str:
    uit = io.StringIO()
    # RFC 4180 line ends; a field holding a CR or LF is then quoted instead of splitting the row.
    writer = csv.writer(uit, lineterminator="\r\n")
    tabel = tabel or rapport.tabellen[0]
    writer.writerow([csv_cel(k) for k in tabel.kolommen])
    for rij in tabel.rijen:
        writer.writerow([csv_cel(v) for v in rij])
    return uit.getvalue()


def _staafdiagram(tabel: Tabel) -> str:
    """A horizontal bar chart of the table's chosen column, as inline SVG."""
    if tabel.grafiek is None or not tabel.rijen:
        return ""
    label = tabel.kolommen.index(tabel.grafiek[0])
    waarde = tabel.kolommen.index(tabel.grafiek[1])
    waarden = [float(r[waarde] or 0) for r in tabel.rijen]
    hoogste = max(waarden) or 1.0
    regels = []
    for i, (rij, w) in enumerate(zip(tabel.rijen, waarden, strict=True)):
        breedte = 300 * w / hoogste
        y = i * 18
        regels.append(
            f'<text x="0" y="{y + 13}" font-size="12">{html.escape(str(rij[label]))}</text>'
            f'<rect x="230" y="{y + 2}" width="{breedte:.1f}" height="13" fill="#154273"/>'
            f'<text x="{235 + breedte:.1f}" y="{y + 13}" font-size="12">'
            f"{html.escape(str(rij[waarde]))}</text>"
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="620" height="{18 * len(regels)}" '
        f'role="img" aria-label="{html.escape(tabel.titel)}: {html.escape(tabel.grafiek[1])}">'
        f"{''.join(regels)}</svg>"
    )


def _tabel(tabel: Tabel) -> str:
    kop = "".join(f"<th>{html.escape(k)}</th>" for k in tabel.kolommen)
    rijen = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if v is None else str(v))}</td>" for v in rij)
        + "</tr>"
        for rij in tabel.rijen
    )
    return (
        f"<h2>{html.escape(tabel.titel)}</h2>{_staafdiagram(tabel)}"
        f"<table><thead><tr>{kop}</tr></thead><tbody>{rijen}</tbody></table>"
    )


def _binding(rapport: Rapport) -> str:
    regels = []
    for naam, b in rapport.logboeken.items():
        anker = b.get("anker")
        tekst = f"logboek {naam}: hash op positie {b['positie']} {b.get('hash') or '(geen)'}"
        if anker:
            tekst += (
                f"; anker op positie {anker['positie']} (tot en met {anker['totEnMetPositie']}, "
                f"sleutel {anker.get('sleutelId') or 'geen'})"
            )
        regels.append(f'<p class="bewijs">{html.escape(tekst)}</p>')
    return "".join(regels)


def als_html(rapport: Rapport, kop: Sequence[tuple[str, Any]] = (), extra_stijl: str = "") -> str:
    """``kop``: lines above the report (a publication's number, title and date); its first
    value, when given, is the page's title."""
    parameters = ", ".join(f"{k} {v}" for k, v in rapport.parameters.items())
    titel = str(kop[0][1]) if kop else rapport.titel
    regels = "".join(
        f"<p><strong>{html.escape(str(k))}</strong>: {html.escape(str(v))}</p>" for k, v in kop
    )
    onder = f"<h2>{html.escape(rapport.titel)}</h2>" if kop else ""
    return f"""<!doctype html>
<html lang="nl"><head><meta charset="utf-8"><title>{html.escape(titel)}</title>
<style>body{{font-family:sans-serif;margin:2em;color:#222}}table{{border-collapse:collapse;
margin-bottom:2em}}th,td{{border:1px solid #ccc;padding:3px 8px;text-align:left}}
th{{background:#e8eef5}}.bewijs{{color:#555;font-size:90%}}{extra_stijl}</style></head>
<body><h1>{html.escape(titel)}</h1>{regels}{onder}
<p>{html.escape(parameters)}</p>
<p class="bewijs">Gebouwd uit de gebeurtenissen tot en met positie {rapport.positie};
digest <code>{rapport.digest}</code></p>
{_binding(rapport)}
{"".join(_tabel(t) for t in rapport.tabellen)}
</body></html>"""
