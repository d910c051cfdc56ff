"""Handlers: each takes its message and the unit of work, reads, and answers.

Reading is open to every authenticated role (shared/beleid.py: only writes and personal data
have rules) and rapportage writes nothing, so no handler here asks the policy for a rule.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date

from services.rapportage.domain import afspraken, rapporten, selectie
from services.rapportage.domain.feiten import Locatie
from services.rapportage.domain.queries import HoudBij, VraagPositie, VraagRapport
from services.rapportage.domain.transitie import transitie
from services.rapportage.service_layer.unit_of_work import Logboek, RapportageUnitOfWork


def houd_bij(cmd: HoudBij, uow: RapportageUnitOfWork) -> int:
    """Read new facts into the timelines up to the watermark; returns the position they hold.
    The service is ready once this has been done the first time (``bijgehouden``)."""
    geheugen = uow.geheugen
    start = not geheugen.bijgehouden.is_set()
    eerst: AbstractContextManager[None] = nullcontext()
    if geheugen.bevries and start:
        eerst = opbouw()
    with uow, eerst:
        opname = geheugen.momentopname if start else None
        geladen = opname.laad() if opname else None
        if geladen:
            geheugen.spoedlocaties.begin(geladen.tijdlijnen, geladen.positie)
        logboek = uow.spoedlocaties
        with geheugen.spoedlocaties.vast(logboek, logboek.watermark()) as positie:
            if opname and opname.verouderd(geladen, positie):
                # Written apart: the service is ready now, not after the file (18 CPU s at
                # national scale).
                opname.schrijf_apart(geheugen.spoedlocaties.tijdlijnen, positie)
            geheugen.bijgehouden.set()
            return positie


def positie(vraag: VraagPositie, uow: RapportageUnitOfWork) -> int:
    with uow:
        return _logboek(uow, vraag.logboek).watermark()


def rapport(vraag: VraagRapport, uow: RapportageUnitOfWork) -> rapporten.Rapport:
    """The report up to the watermark, bound to its log; built once per position and question
    and then served from the cache (reports are read-only, so sharing is safe)."""
    geheugen = uow.geheugen
    with uow:
        logboek = uow.kennis if vraag.naam == "transitie" else uow.spoedlocaties
        tot = logboek.watermark()
        sleutel = (vraag.naam, tot, vraag.peildatum, vraag.kennisdatum, vraag.van)
        uit = geheugen.rapporten.get(sleutel)
        if uit is None:
            gebouwd = _bouw(vraag, uow, tot)
            uit = rapporten.gebonden(gebouwd, logboek.naam, logboek.binding(gebouwd.positie))
            geheugen.rapporten.put(sleutel, uit)
    return selectie.alleen(uit, vraag.bevoegd_gezag)


def _bouw(vraag: VraagRapport, uow: RapportageUnitOfWork, tot: int) -> rapporten.Rapport:
    geheugen = uow.geheugen
    if vraag.naam == "transitie":
        with geheugen.kennis.vast(uow.kennis, tot):
            feiten = geheugen.kennis.tot(tot)
        return transitie(feiten, tot, vraag.peildatum, vraag.kennisdatum)
    with geheugen.spoedlocaties.vast(uow.spoedlocaties, tot) as gelezen:
        # Facts read further by another request hold still too: report up to there.
        programma = geheugen.spoedlocaties.tijdlijnen.feiten_van(afspraken.PROGRAMMA)
        return rapporten.bouw(
            vraag.naam,
            _toestand(uow, gelezen, vraag.kennisdatum),
            gelezen,
            vraag.peildatum,
            vraag.kennisdatum,
            vraag.van,
            afspraken.afspraken_op(programma, vraag.peildatum, vraag.kennisdatum, gelezen),
        )


def _toestand(
    uow: RapportageUnitOfWork, positie: int, kennisdatum: date | None
) -> rapporten.Toestand:
    """The sites on a peildatum from the timelines, shared by all reports on the same
    position, kennisdatum and peildatum (only inside ``vast``)."""
    geheugen = uow.geheugen

    def op(peildatum: date) -> dict[str, Locatie]:
        sleutel = (positie, kennisdatum, peildatum)
        nu = geheugen.toestanden.get(sleutel)
        if nu is None:
            nu = geheugen.spoedlocaties.stand_op(peildatum, kennisdatum)
            geheugen.toestanden.put(sleutel, nu)
        return nu

    return op


def _logboek(uow: RapportageUnitOfWork, naam: str) -> Logboek:
    return uow.kennis if naam == uow.kennis.naam else uow.spoedlocaties


@contextmanager
def opbouw() -> Iterator[None]:
    """Around the first load of the timelines: millions of objects that live as long as the
    service. The cyclic collector would walk them again and again while they are made (a
    quarter of the build) and afterwards in every full collection (pauses near a second at
    national scale); so it is off while they are built, and then they are frozen out of its
    sight. Later additions are collected as usual. Frozen without a collection first: that
    would walk every one of them once more (seconds at national scale) to find the few
    reference cycles left from reading the log, which are then kept instead."""
    aan = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if aan:
            gc.enable()
