"""The real kennis handlers for documents, successes and experts against the in-memory unit
of work, each with its refusals."""

from __future__ import annotations

import pytest

from services.kennis.domain import commands
from services.kennis.domain.bijdragen import DocumentSoort
from services.kennis.domain.model import OngeldigeInvoer
from services.kennis.domain.vocabulaire import Thema
from services.kennis.service_layer import messagebus
from shared.beleid import GeenToegang
from tests.unit.kennis.actoren import AUDITOR, RIJK, UP, ZL, fake

DOCUMENT = commands.PubliceerDocument(
    DocumentSoort.HANDREIKING, "WKO en bodem", "Zo combineer je ze.", (Thema.BODEMENERGIE,)
)
SUCCES = commands.MeldSucces("Eerste WKO in een pluim", "Het werkte.", (Thema.BODEMENERGIE,))
EXPERT = commands.RegistreerExpert(" Jan Jansen ", "UT", (Thema.ONDERGROND,), "jan@ut.nl")


def test_a_document_is_published_by_anyone_but_the_auditor() -> None:
    uow = fake()
    document = messagebus.handle(DOCUMENT, uow.als(RIJK))
    assert document.gepubliceerd.organisatie == "IenM"
    assert document.gepubliceerd.door == RIJK.meta.actor
    with pytest.raises(GeenToegang):
        messagebus.handle(DOCUMENT, uow.als(AUDITOR))
    assert [e.event_type for e in uow.store.log] == ["kennisdocument-gepubliceerd"]


def test_a_document_without_text_is_refused() -> None:
    uow = fake()
    leeg = commands.PubliceerDocument(DocumentSoort.TIPS, "Tips", "  ", (Thema.ONDERGROND,))
    with pytest.raises(OngeldigeInvoer, match="tekst"):
        messagebus.handle(leeg, uow)
    assert uow.store.log == []


def test_only_a_bevoegd_gezag_reports_a_success_under_its_own_name() -> None:
    uow = fake()
    with pytest.raises(GeenToegang):
        messagebus.handle(SUCCES, uow.als(UP))
    succes = messagebus.handle(SUCCES, uow.als(ZL))
    assert succes.gemeld.bevoegd_gezag == "ZL"
    zonder_thema = commands.MeldSucces("Titel", "Verhaal", ())
    with pytest.raises(OngeldigeInvoer, match="themas"):
        messagebus.handle(zonder_thema, uow.als(ZL))
    assert len(uow.store.log) == 1


def test_an_expert_is_the_person_behind_the_contact_address_with_details_kept_apart() -> None:
    uow = fake(UP)
    expert = messagebus.handle(EXPERT, uow)
    persoon = uow.personen["jan@ut.nl"]
    assert expert.geregistreerd.persoon == persoon
    assert uow.gegevens == {(persoon, expert.id): {"naam": "Jan Jansen", "contact": "jan@ut.nl"}}
    (event,) = uow.store.log
    assert "jan@ut.nl" not in str(event.data) and "Jansen" not in str(event.data)


def test_only_the_programme_registers_an_expert_and_a_refusal_stores_no_personal_data() -> None:
    uow = fake(ZL)
    with pytest.raises(GeenToegang):
        messagebus.handle(EXPERT, uow)
    assert "jan@ut.nl" not in uow.personen and uow.gegevens == {}
    zonder_thema = commands.RegistreerExpert("Jan", None, (), "jan@ut.nl")
    with pytest.raises(OngeldigeInvoer, match="themas"):
        messagebus.handle(zonder_thema, uow.als(UP))
    assert uow.store.log == []
