"""A report as a PDF laid out as an annex (bijlage): the HTML page of ``weergave`` with a print
stylesheet (A4, page numbers, table headers repeated on every page, charts kept whole),
rendered by WeasyPrint (pango does the text)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from services.rapportage.domain.rapporten import Rapport
from services.rapportage.entrypoints import weergave

AFDRUK = """@page{size:A4;margin:18mm 15mm 20mm 15mm;
@bottom-right{content:"pagina " counter(page) " van " counter(pages);font-size:8pt;color:#555}
@bottom-left{content:string(titel);font-size:8pt;color:#555}}
body{margin:0;font-size:9pt}h1{string-set:titel content();font-size:16pt}
h2{font-size:12pt;break-after:avoid}thead{display:table-header-group}
tr,svg{break-inside:avoid}table{width:100%}th,td{padding:2px 4px}code{font-size:7.5pt}"""


def als_pdf(rapport: Rapport, kop: Sequence[tuple[str, Any]] = ()) -> bytes:
    from weasyprint import HTML  # heavy: loaded on the first PDF, not at the service's start

    pagina = weergave.als_html(rapport, kop, extra_stijl=AFDRUK)
    pdf: bytes = HTML(string=pagina).write_pdf()
    return pdf
