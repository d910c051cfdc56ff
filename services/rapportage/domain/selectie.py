"""A report restricted to one bevoegd gezag (``?bevoegdGezag=ZH``), as served and as the auditor
recomputes it from a published report: ranks stay national, the parameters name the gezag, so
the digest covers the restriction."""

from __future__ import annotations

from dataclasses import replace

from services.rapportage.domain.rapporten import Rapport

# Per report that can be restricted: the list in its content and the field naming the gezag.
LIJSTEN = {
    "bevoegde-gezagen": ("ranglijst", "code"),
    "kamerbrief-bijlage": ("perBevoegdGezag", "bevoegdGezag"),
    "budget": ("perBevoegdGezag", "bevoegdGezag"),
}
# Sections ({"aantal", "locaties": [...]}) restricted by the same field too.
GENESTE = {"kamerbrief-bijlage": ("humaanOpen",)}


def alleen(rapport: Rapport, code: str | None) -> Rapport:
    """A copy restricted to ``code``; reports are cached and shared, so never changed in place."""
    if code is None:
        return rapport
    if rapport.naam not in LIJSTEN:
        raise ValueError(f"rapport {rapport.naam} kent geen selectie op bevoegd gezag")
    lijst, veld = LIJSTEN[rapport.naam]
    inhoud = {**rapport.inhoud, lijst: [r for r in rapport.inhoud[lijst] if r[veld] == code]}
    for deel in GENESTE.get(rapport.naam, ()):
        regels = [r for r in rapport.inhoud[deel]["locaties"] if r[veld] == code]
        inhoud[deel] = {**rapport.inhoud[deel], "aantal": len(regels), "locaties": regels}
    tabellen = []
    for tabel in rapport.tabellen:
        kolom = veld if veld in tabel.kolommen else "code"
        if kolom in tabel.kolommen:
            i = tabel.kolommen.index(kolom)
            tabel = replace(tabel, rijen=[r for r in tabel.rijen if r[i] == code])
        tabellen.append(tabel)
    return replace(
        rapport,
        parameters={**rapport.parameters, "bevoegdGezag": code},
        inhoud=inhoud,
        tabellen=tabellen,
    )
