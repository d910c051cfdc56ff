"""Command handlers of the kennis service.

Each handler first asks the one authorisation policy (shared/beleid.py) whether the principal
may perform its operation, with what the operation acts on (the asker of a question, who was
present at a meeting), and only then lets the aggregate apply its own rules. A caller acting
for the first time becomes a person (``word_persoon``) right after that check, in the same
transaction as the events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import uuid4

from services.kennis.domain.bijdragen import Document, DocumentSoort, Succes
from services.kennis.domain.bijeenkomsten import Bijeenkomst, Expert, Soort
from services.kennis.domain.model import Kennisvraag, OngeldigeInvoer, Vraaggroep
from services.kennis.domain.vocabulaire import Thema
from services.kennis.service_layer.unit_of_work import SqlKennisUnitOfWork
from shared import beleid
from shared.auth import Principal
from shared.eventstore import EventMetadata
from shared.privacy import Personen
from shared.privacy.transactie import nieuw


def nieuw_id(prefix: str) -> str:
    return f"{prefix}-{uuid4().hex[:12]}"


def _vrager(vraag: Kennisvraag) -> beleid.Betreft:
    return beleid.Betreft(vrager=vraag.v.gesteld_door, vrager_organisatie=vraag.v.organisatie)


def stel_vraag(
    uow: SqlKennisUnitOfWork,
    titel: str,
    tekst: str,
    themas: tuple[Thema, ...],
    principal: Principal,
    meta: EventMetadata,
) -> Kennisvraag:
    beleid.controleer("kennis.stel_vraag", principal)
    with uow:
        uow.word_persoon(nieuw(principal))
        vraag = Kennisvraag.stel(nieuw_id("kv"), titel, tekst, themas, principal, meta)
        uow.vragen.add(vraag)
        uow.commit()
        return vraag


def beantwoord(
    uow: SqlKennisUnitOfWork, vraag_id: str, tekst: str, principal: Principal, meta: EventMetadata
) -> tuple[Kennisvraag, str]:
    beleid.controleer("kennis.beantwoord", principal)
    with uow:
        uow.word_persoon(nieuw(principal))
        vraag = uow.vragen.get(vraag_id)
        antwoord_id = nieuw_id("an")
        vraag.beantwoord(antwoord_id, tekst, principal, meta)
        uow.commit()
        return vraag, antwoord_id


def accepteer(
    uow: SqlKennisUnitOfWork,
    vraag_id: str,
    antwoord_id: str,
    principal: Principal,
    meta: EventMetadata,
) -> Kennisvraag:
    with uow:
        vraag = uow.vragen.get(vraag_id)
        beleid.controleer("kennis.accepteer", principal, _vrager(vraag))
        uow.word_persoon(nieuw(principal))
        vraag.accepteer(antwoord_id, principal, meta)
        uow.commit()
        return vraag


def sluit(
    uow: SqlKennisUnitOfWork, vraag_id: str, reden: str, principal: Principal, meta: EventMetadata
) -> Kennisvraag:
    with uow:
        vraag = uow.vragen.get(vraag_id)
        beleid.controleer("kennis.sluit", principal, _vrager(vraag))
        uow.word_persoon(nieuw(principal))
        vraag.sluit(reden, principal, meta)
        uow.commit()
        return vraag


def combineer(
    uow: SqlKennisUnitOfWork,
    titel: str,
    vraag_ids: tuple[str, ...],
    aanpak: str,
    principal: Principal,
    meta: EventMetadata,
) -> Vraaggroep:
    beleid.controleer("kennis.combineer", principal)
    with uow:
        uow.word_persoon(nieuw(principal))
        for vraag_id in vraag_ids:
            if not uow.vragen.exists(vraag_id):
                raise OngeldigeInvoer("vraagIds", f"er is geen kennisvraag {vraag_id}")
        groep = Vraaggroep.vorm(nieuw_id("vg"), titel, vraag_ids, aanpak, principal, meta)
        uow.groepen.add(groep)
        uow.commit()
        return groep


def publiceer_document(
    uow: SqlKennisUnitOfWork,
    soort: DocumentSoort,
    titel: str,
    tekst: str,
    themas: tuple[Thema, ...],
    principal: Principal,
    meta: EventMetadata,
) -> Document:
    beleid.controleer("kennis.publiceer_document", principal)
    with uow:
        uow.word_persoon(nieuw(principal))
        document = Document.publiceer(nieuw_id("kd"), soort, titel, tekst, themas, principal, meta)
        uow.documenten.add(document)
        uow.commit()
        return document


def meld_succes(
    uow: SqlKennisUnitOfWork,
    titel: str,
    verhaal: str,
    themas: tuple[Thema, ...],
    principal: Principal,
    meta: EventMetadata,
) -> Succes:
    beleid.controleer("kennis.meld_succes", principal)
    with uow:
        uow.word_persoon(nieuw(principal))
        succes = Succes.meld(nieuw_id("su"), titel, verhaal, themas, principal, meta)
        uow.successen.add(succes)
        uow.commit()
        return succes


def plan_bijeenkomst(
    uow: SqlKennisUnitOfWork,
    soort: Soort,
    titel: str,
    datum: date,
    themas: tuple[Thema, ...],
    vraag_ids: tuple[str, ...],
    principal: Principal,
    meta: EventMetadata,
) -> Bijeenkomst:
    beleid.controleer("kennis.plan_bijeenkomst", principal)
    with uow:
        uow.word_persoon(nieuw(principal))
        for vraag_id in vraag_ids:
            if not uow.vragen.exists(vraag_id):
                raise OngeldigeInvoer("vraagIds", f"er is geen kennisvraag {vraag_id}")
        b = Bijeenkomst.plan(
            nieuw_id("bk"), soort, titel, datum, themas, vraag_ids, principal, meta
        )
        uow.bijeenkomsten.add(b)
        uow.commit()
        return b


def _bij_bijeenkomst(
    uow: SqlKennisUnitOfWork,
    bijeenkomst_id: str,
    operatie: str,
    principal: Principal,
    actie: Callable[[Bijeenkomst], None],
) -> Bijeenkomst:
    with uow:
        b = uow.bijeenkomsten.get(bijeenkomst_id)
        beleid.controleer(operatie, principal, beleid.Betreft(aanwezigen=b.aanwezigen))
        uow.word_persoon(nieuw(principal))
        actie(b)
        uow.commit()
        return b


def meld_aan(
    uow: SqlKennisUnitOfWork,
    bijeenkomst_id: str,
    vandaag: date,
    principal: Principal,
    meta: EventMetadata,
) -> Bijeenkomst:
    return _bij_bijeenkomst(
        uow,
        bijeenkomst_id,
        "kennis.meld_aan",
        principal,
        lambda b: b.meld_aan(principal, meta, vandaag),
    )


def registreer_aanwezigheid(
    uow: SqlKennisUnitOfWork,
    bijeenkomst_id: str,
    aanwezig: tuple[str, ...],
    vandaag: date,
    principal: Principal,
    meta: EventMetadata,
) -> Bijeenkomst:
    return _bij_bijeenkomst(
        uow,
        bijeenkomst_id,
        "kennis.registreer_aanwezigheid",
        principal,
        lambda b: b.registreer_aanwezigheid(aanwezig, principal, meta, vandaag),
    )


def evalueer(
    uow: SqlKennisUnitOfWork,
    bijeenkomst_id: str,
    score: int,
    opmerking: str,
    principal: Principal,
    meta: EventMetadata,
) -> Bijeenkomst:
    return _bij_bijeenkomst(
        uow,
        bijeenkomst_id,
        "kennis.evalueer",
        principal,
        lambda b: b.evalueer(score, opmerking, principal, meta),
    )


def registreer_expert(
    uow: SqlKennisUnitOfWork,
    naam: str,
    organisatie: str | None,
    themas: tuple[Thema, ...],
    contact: str,
    principal: Principal,
    meta: EventMetadata,
    personen: Personen,
) -> Expert:
    beleid.controleer("kennis.registreer_expert", principal)
    # The expert is the person whose login is the contact address (so their answers can be
    # recognised); name and address are stored encrypted under that person, in the same
    # transaction as the event, so a refused registration stores neither.
    with uow:
        uow.word_persoon(nieuw(principal))
        persoon = personen.pseudoniem(uow.session, contact)
        expert = Expert.registreer(nieuw_id("ex"), persoon, organisatie, themas, principal, meta)
        personen.leg_vast(
            uow.session, persoon, expert.id, {"naam": naam.strip(), "contact": contact.strip()}
        )
        uow.experts.add(expert)
        uow.commit()
        return expert
