"""Command handlers of the kennis service: ``(cmd, uow) -> aggregate``.

Each handler asks the one authorisation policy (shared/beleid.py) whether the unit's actor may
perform its operation, with what the operation acts on (the asker of a question, who was
present at a meeting), and only then lets the aggregate apply its own rules. A caller acting
for the first time becomes a person (``word_persoon``) right after that check, in the same
transaction as the events; the unit of work stamps who acted and when on every event.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import uuid4

from services.kennis.domain import commands
from services.kennis.domain.bijdragen import Document, Succes
from services.kennis.domain.bijeenkomsten import Bijeenkomst, Expert
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
    uow.word_persoon(uow.actor.nieuw)


def _vrager(vraag: Kennisvraag) -> beleid.Betreft:
    toestand = vraag.toestand
    return beleid.Betreft(vrager=toestand.gesteld_door, vrager_organisatie=toestand.organisatie)


def _aanwezigen(bijeenkomst: Bijeenkomst) -> beleid.Betreft:
    return beleid.Betreft(aanwezigen=bijeenkomst.aanwezigen)


def _bestaan(uow: KennisUnitOfWork, vraag_ids: Iterable[str]) -> None:
    for vraag_id in vraag_ids:
        if not uow.vragen.exists(vraag_id):
            raise OngeldigeInvoer("vraagIds", f"er is geen kennisvraag {vraag_id}")


def stel_vraag(cmd: commands.StelVraag, uow: KennisUnitOfWork) -> Kennisvraag:
    with uow:
        _mag("kennis.stel_vraag", uow)
        vraag = Kennisvraag.stel(
            nieuw_id("kv"), cmd.titel, cmd.tekst, cmd.themas, uow.actor.principal
        )
        uow.vragen.add(vraag)
        uow.commit()
        return vraag


def beantwoord(cmd: commands.BeantwoordVraag, uow: KennisUnitOfWork) -> Kennisvraag:
    with uow:
        _mag("kennis.beantwoord", uow)
        vraag = uow.vragen.get(cmd.vraag_id)
        vraag.beantwoord(nieuw_id("an"), cmd.tekst, uow.actor.principal)
        uow.commit()
        return vraag


def accepteer(cmd: commands.AccepteerAntwoord, uow: KennisUnitOfWork) -> Kennisvraag:
    with uow:
        vraag = uow.vragen.get(cmd.vraag_id)
        _mag("kennis.accepteer", uow, _vrager(vraag))
        vraag.accepteer(cmd.antwoord_id, uow.actor.principal)
        uow.commit()
        return vraag


def sluit(cmd: commands.SluitVraag, uow: KennisUnitOfWork) -> Kennisvraag:
    with uow:
        vraag = uow.vragen.get(cmd.vraag_id)
        _mag("kennis.sluit", uow, _vrager(vraag))
        vraag.sluit(cmd.reden, uow.actor.principal)
        uow.commit()
        return vraag


def combineer(cmd: commands.CombineerVragen, uow: KennisUnitOfWork) -> Vraaggroep:
    with uow:
        _mag("kennis.combineer", uow)
        _bestaan(uow, cmd.vraag_ids)
        groep = Vraaggroep.vorm(
            nieuw_id("vg"), cmd.titel, cmd.vraag_ids, cmd.aanpak, uow.actor.principal
        )
        uow.groepen.add(groep)
        uow.commit()
        return groep


def publiceer_document(cmd: commands.PubliceerDocument, uow: KennisUnitOfWork) -> Document:
    with uow:
        _mag("kennis.publiceer_document", uow)
        document = Document.publiceer(
            nieuw_id("kd"), cmd.soort, cmd.titel, cmd.tekst, cmd.themas, uow.actor.principal
        )
        uow.documenten.add(document)
        uow.commit()
        return document


def meld_succes(cmd: commands.MeldSucces, uow: KennisUnitOfWork) -> Succes:
    with uow:
        _mag("kennis.meld_succes", uow)
        succes = Succes.meld(
            nieuw_id("su"), cmd.titel, cmd.verhaal, cmd.themas, uow.actor.principal
        )
        uow.successen.add(succes)
        uow.commit()
        return succes


def plan_bijeenkomst(cmd: commands.PlanBijeenkomst, uow: KennisUnitOfWork) -> Bijeenkomst:
    with uow:
        _mag("kennis.plan_bijeenkomst", uow)
        _bestaan(uow, cmd.vraag_ids)
        bijeenkomst = Bijeenkomst.plan(
            nieuw_id("bk"),
            cmd.soort,
            cmd.titel,
            cmd.datum,
            cmd.themas,
            cmd.vraag_ids,
            uow.actor.principal,
        )
        uow.bijeenkomsten.add(bijeenkomst)
        uow.commit()
        return bijeenkomst


def meld_aan(cmd: commands.MeldAan, uow: KennisUnitOfWork) -> Bijeenkomst:
    """Registration is open up to and including the day itself."""
    with uow:
        bijeenkomst = uow.bijeenkomsten.get(cmd.bijeenkomst_id)
        _mag("kennis.meld_aan", uow, _aanwezigen(bijeenkomst))
        bijeenkomst.meld_aan(uow.actor.principal, uow.now().date())
        uow.commit()
        return bijeenkomst


def registreer_aanwezigheid(
    cmd: commands.RegistreerAanwezigheid, uow: KennisUnitOfWork
) -> Bijeenkomst:
    with uow:
        bijeenkomst = uow.bijeenkomsten.get(cmd.bijeenkomst_id)
        _mag("kennis.registreer_aanwezigheid", uow, _aanwezigen(bijeenkomst))
        # The meeting knows its participants by pseudonym; a login nobody acted with stays as
        # given, so the domain names it as not registered.
        aanwezig = tuple(
            wie if is_pseudoniem(wie) else uow.zoek_pseudoniem(wie) or wie for wie in cmd.aanwezig
        )
        bijeenkomst.registreer_aanwezigheid(aanwezig, uow.now().date())
        uow.commit()
        return bijeenkomst


def evalueer(cmd: commands.EvalueerBijeenkomst, uow: KennisUnitOfWork) -> Bijeenkomst:
    with uow:
        bijeenkomst = uow.bijeenkomsten.get(cmd.bijeenkomst_id)
        _mag("kennis.evalueer", uow, _aanwezigen(bijeenkomst))
        bijeenkomst.evalueer(cmd.score, cmd.opmerking, uow.actor.principal)
        uow.commit()
        return bijeenkomst


def registreer_expert(cmd: commands.RegistreerExpert, uow: KennisUnitOfWork) -> Expert:
    """The expert is the person whose login is the contact address (so their answers can be
    recognised); name and address are stored encrypted under that person, in the same
    transaction as the event, so a refused registration stores neither."""
    with uow:
        _mag("kennis.registreer_expert", uow)
        persoon = uow.pseudoniem(cmd.contact)
        expert = Expert.registreer(nieuw_id("ex"), persoon, cmd.organisatie, cmd.themas)
        uow.leg_vast(persoon, expert.id, {"naam": cmd.naam.strip(), "contact": cmd.contact.strip()})
        uow.experts.add(expert)
        uow.commit()
        return expert
