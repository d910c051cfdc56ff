"""Command handlers of the kennis service: ``(cmd, uow) -> aggregate``, dispatched on the
command's type by ``messagebus.handle``.

Each handler asks the one authorisation policy (shared/beleid.py) whether the unit's actor may
perform its operation, with what the operation acts on (the asker of a question, who was
present at a meeting), and only then lets the aggregate apply its own rules. A caller acting
for the first time becomes a person (``word_persoon``) right after that check, in the same
transaction as the events; the unit of work stamps who acted and when on every event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Protocol
from uuid import uuid4

from services.kennis.domain import commands
from services.kennis.domain.bijdragen import Document, Succes
from services.kennis.domain.bijeenkomsten import Bijeenkomst, Expert
from services.kennis.domain.datums import bedrijfsdatum
from services.kennis.domain.model import Kennisvraag, OngeldigeInvoer, Vraaggroep
from services.kennis.service_layer.unit_of_work import KennisUnitOfWork
from shared import beleid
from shared.privacy import is_pseudoniem


def nieuw_id(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex[:12]}"


def _mag(operatie: str, uow: KennisUnitOfWork, betreft: beleid.Betreft = beleid.Betreft()) -> None:
    """The policy's verdict for the unit's actor; allowed, a first-time caller becomes a
    person in this transaction."""
    beleid.controleer(operatie, uow.actor.principal, betreft)
    uow.word_persoon(uow.actor.new_person)


@contextmanager
def _toegestaan(uow: KennisUnitOfWork, operatie: str) -> Iterator[None]:
    """A command whose rule in the policy does not depend on what it acts on; its events
    commit at the end of the block, an exception rolls everything back."""
    with uow:
        _mag(operatie, uow)
        yield
        uow.commit()


@contextmanager
def _vraag(uow: KennisUnitOfWork, vraag_id: str, operatie: str) -> Iterator[Kennisvraag]:
    """A command on a question: the policy may depend on who asked it."""
    with uow:
        vraag = uow.vragen.get(vraag_id)
        toestand = vraag.toestand
        vrager = beleid.Betreft(
            vrager=toestand.gesteld_door, vrager_organisatie=toestand.organisatie
        )
        _mag(operatie, uow, vrager)
        yield vraag
        uow.commit()


@contextmanager
def _bijeenkomst(
    uow: KennisUnitOfWork, bijeenkomst_id: str, operatie: str
) -> Iterator[Bijeenkomst]:
    """A command on a meeting: the policy may depend on who was present."""
    with uow:
        bijeenkomst = uow.bijeenkomsten.get(bijeenkomst_id)
        _mag(operatie, uow, beleid.Betreft(aanwezigen=bijeenkomst.aanwezigen))
        yield bijeenkomst
        uow.commit()


class _Gedateerd(Protocol):
    @property
    def datum(self) -> date | None: ...


def _datum(cmd: _Gedateerd, uow: KennisUnitOfWork) -> date:
    """The command's business date, checked; the day of the unit's clock when it gives none."""
    return bedrijfsdatum(cmd.datum, uow.now().date())


def _bestaan(uow: KennisUnitOfWork, vraag_ids: Iterable[str]) -> None:
    for vraag_id in vraag_ids:
        if not uow.vragen.exists(vraag_id):
            raise OngeldigeInvoer("vraagIds", f"er is geen kennisvraag {vraag_id}")


def stel_vraag(cmd: commands.StelVraag, uow: KennisUnitOfWork) -> Kennisvraag:
    with _toegestaan(uow, "kennis.stel_vraag"):
        vraag = Kennisvraag.stel(
            nieuw_id("kv"), cmd.titel, cmd.tekst, cmd.themas, uow.actor.principal, _datum(cmd, uow)
        )
        uow.vragen.add(vraag)
    return vraag


def beantwoord(cmd: commands.BeantwoordVraag, uow: KennisUnitOfWork) -> Kennisvraag:
    """Anyone allowed may answer (the asker is no condition), so the policy comes first and a
    refused caller learns nothing about the question."""
    with _toegestaan(uow, "kennis.beantwoord"):
        vraag = uow.vragen.get(cmd.vraag_id)
        vraag.beantwoord(nieuw_id("an"), cmd.tekst, uow.actor.principal, _datum(cmd, uow))
    return vraag


def accepteer(cmd: commands.AccepteerAntwoord, uow: KennisUnitOfWork) -> Kennisvraag:
    with _vraag(uow, cmd.vraag_id, "kennis.accepteer") as vraag:
        vraag.accepteer(cmd.antwoord_id, uow.actor.principal, _datum(cmd, uow))
    return vraag


def sluit(cmd: commands.SluitVraag, uow: KennisUnitOfWork) -> Kennisvraag:
    with _vraag(uow, cmd.vraag_id, "kennis.sluit") as vraag:
        vraag.sluit(cmd.reden, uow.actor.principal, _datum(cmd, uow))
    return vraag


def combineer(cmd: commands.CombineerVragen, uow: KennisUnitOfWork) -> Vraaggroep:
    with _toegestaan(uow, "kennis.combineer"):
        _bestaan(uow, cmd.vraag_ids)
        groep = Vraaggroep.vorm(
            nieuw_id("vg"),
            cmd.titel,
            cmd.vraag_ids,
            cmd.aanpak,
            uow.actor.principal,
            _datum(cmd, uow),
        )
        uow.groepen.add(groep)
    return groep


def publiceer_document(cmd: commands.PubliceerDocument, uow: KennisUnitOfWork) -> Document:
    with _toegestaan(uow, "kennis.publiceer_document"):
        document = Document.publiceer(
            nieuw_id("kd"),
            cmd.soort,
            cmd.titel,
            cmd.tekst,
            cmd.themas,
            uow.actor.principal,
            _datum(cmd, uow),
        )
        uow.documenten.add(document)
    return document


def meld_succes(cmd: commands.MeldSucces, uow: KennisUnitOfWork) -> Succes:
    with _toegestaan(uow, "kennis.meld_succes"):
        succes = Succes.meld(
            nieuw_id("su"),
            cmd.titel,
            cmd.verhaal,
            cmd.themas,
            uow.actor.principal,
            _datum(cmd, uow),
        )
        uow.successen.add(succes)
    return succes


def plan_bijeenkomst(cmd: commands.PlanBijeenkomst, uow: KennisUnitOfWork) -> Bijeenkomst:
    """The meeting day may lie ahead, but not before 2009 (domain/datums.py)."""
    with _toegestaan(uow, "kennis.plan_bijeenkomst"):
        bedrijfsdatum(min(cmd.datum, uow.now().date()), uow.now().date())
        _bestaan(uow, cmd.vraag_ids)
        bijeenkomst = Bijeenkomst.plan(
            nieuw_id("bk"),
            cmd.soort,
            cmd.titel,
            cmd.datum,
            cmd.themas,
            cmd.vraag_ids,
            uow.actor.principal,
            uow.now().date(),
        )
        uow.bijeenkomsten.add(bijeenkomst)
    return bijeenkomst


def meld_aan(cmd: commands.MeldAan, uow: KennisUnitOfWork) -> Bijeenkomst:
    """Registration is open up to and including the day itself (the unit's clock, or the
    registration's own date in an imported history)."""
    with _bijeenkomst(uow, cmd.bijeenkomst_id, "kennis.meld_aan") as bijeenkomst:
        bijeenkomst.meld_aan(uow.actor.principal, _datum(cmd, uow))
    return bijeenkomst


def registreer_aanwezigheid(
    cmd: commands.RegistreerAanwezigheid, uow: KennisUnitOfWork
) -> Bijeenkomst:
    with _bijeenkomst(uow, cmd.bijeenkomst_id, "kennis.registreer_aanwezigheid") as bijeenkomst:
        # The meeting knows its participants by pseudonym; a login nobody acted with stays as
        # given, so the domain names it as not registered.
        aanwezig = tuple(
            wie if is_pseudoniem(wie) else uow.zoek_pseudoniem(wie) or wie for wie in cmd.aanwezig
        )
        bijeenkomst.registreer_aanwezigheid(aanwezig, uow.now().date())
    return bijeenkomst


def evalueer(cmd: commands.EvalueerBijeenkomst, uow: KennisUnitOfWork) -> Bijeenkomst:
    with _bijeenkomst(uow, cmd.bijeenkomst_id, "kennis.evalueer") as bijeenkomst:
        bijeenkomst.evalueer(cmd.score, cmd.opmerking, uow.actor.principal, _datum(cmd, uow))
    return bijeenkomst


def registreer_expert(cmd: commands.RegistreerExpert, uow: KennisUnitOfWork) -> Expert:
    """The expert is the person whose login is the contact address (so their answers can be
    recognised); name and address are stored encrypted under that person, in the same
    transaction as the event, so a refused registration stores neither."""
    with _toegestaan(uow, "kennis.registreer_expert"):
        persoon = uow.pseudoniem(cmd.contact)
        expert = Expert.registreer(
            nieuw_id("ex"), persoon, cmd.organisatie, cmd.themas, _datum(cmd, uow)
        )
        uow.leg_vast(persoon, expert.id, {"naam": cmd.naam.strip(), "contact": cmd.contact.strip()})
        uow.experts.add(expert)
    return expert
