"""The real kennis handlers for meetings against the in-memory unit of work: planning,
registration, attendance and evaluation, each with its refusals."""

from __future__ import annotations

from datetime import date

import pytest

from services.kennis.domain import commands
from services.kennis.domain.bijeenkomsten import Bijeenkomst, Soort
from services.kennis.domain.model import Conflict, OngeldigeInvoer
from services.kennis.domain.vocabulaire import Thema
from services.kennis.service_layer import messagebus
from services.kennis.service_layer.unit_of_work import FakeKennisUnitOfWork
from shared.aggregate import NotFound
from shared.beleid import GeenToegang
from tests.unit.kennis.actoren import RIJK, UP, UT, ZL, fake, op, pseudoniem

DAG = date(2017, 6, 1)
ERVOOR, ERNA = date(2017, 5, 31), date(2017, 6, 2)
PLAN = commands.PlanBijeenkomst(Soort.WORKSHOP, "WKO en sanering", DAG, (Thema.BODEMENERGIE,), ())


def _plan(uow: FakeKennisUnitOfWork) -> Bijeenkomst:
    return messagebus.handle(PLAN, uow.als(UP, lambda: op(ERVOOR)))


def _aangemeld_en_aanwezig(uow: FakeKennisUnitOfWork) -> str:
    """A meeting ZL and UT registered for, where only ZL was present."""
    bijeenkomst_id = _plan(uow).id
    for wie in (ZL, UT):
        messagebus.handle(commands.MeldAan(bijeenkomst_id), uow.als(wie, lambda: op(ERVOOR)))
    aanwezig = commands.RegistreerAanwezigheid(bijeenkomst_id, ("piet@zl.nl",))
    messagebus.handle(aanwezig, uow.als(UP, lambda: op(DAG)))
    return bijeenkomst_id


def test_only_the_programme_plans_a_meeting() -> None:
    uow = fake()
    with pytest.raises(GeenToegang):
        messagebus.handle(PLAN, uow.als(ZL))
    bijeenkomst = _plan(uow)
    (gepland,) = uow.store.log
    assert gepland.event_type == "bijeenkomst-gepland"
    assert gepland.data["datum"] == "2017-06-01" and gepland.data["door"] == UP.meta.actor
    assert bijeenkomst.samenvatting()["aangemeld"] == 0


def test_a_meeting_for_a_question_that_does_not_exist_or_without_title_is_refused() -> None:
    uow = fake(UP)
    onbekend = commands.PlanBijeenkomst(
        Soort.WORKSHOP, "WKO", DAG, (Thema.BODEMENERGIE,), ("kv-000000000000",)
    )
    with pytest.raises(OngeldigeInvoer, match="vraagIds"):
        messagebus.handle(onbekend, uow)
    zonder_titel = commands.PlanBijeenkomst(Soort.WORKSHOP, " ", DAG, (Thema.BODEMENERGIE,), ())
    with pytest.raises(OngeldigeInvoer, match="titel"):
        messagebus.handle(zonder_titel, uow)
    assert uow.store.log == []


def test_registration_is_open_up_to_the_day_itself_once_per_person() -> None:
    uow = fake()
    bijeenkomst_id = _plan(uow).id
    aanmelding = commands.MeldAan(bijeenkomst_id)
    bijeenkomst = messagebus.handle(aanmelding, uow.als(ZL, lambda: op(DAG)))
    assert bijeenkomst.toestand.aangemeld == {ZL.meta.actor: "ZL"}
    with pytest.raises(Conflict, match="al aangemeld"):
        messagebus.handle(aanmelding, uow.als(ZL, lambda: op(DAG)))
    with pytest.raises(Conflict, match="al geweest"):
        messagebus.handle(aanmelding, uow.als(RIJK, lambda: op(ERNA)))
    with pytest.raises(GeenToegang):  # the programme organises, it does not attend
        messagebus.handle(aanmelding, uow.als(UP, lambda: op(DAG)))
    with pytest.raises(NotFound):
        messagebus.handle(commands.MeldAan("bk-000000000000"), uow.als(ZL))


def test_the_programme_records_attendance_by_login_on_or_after_the_day() -> None:
    uow = fake()
    bijeenkomst_id = _plan(uow).id
    messagebus.handle(commands.MeldAan(bijeenkomst_id), uow.als(ZL, lambda: op(ERVOOR)))
    aanwezig = commands.RegistreerAanwezigheid(bijeenkomst_id, ("piet@zl.nl",))
    with pytest.raises(Conflict, match="nog plaatsvinden"):
        messagebus.handle(aanwezig, uow.als(UP, lambda: op(ERVOOR)))
    with pytest.raises(GeenToegang):
        messagebus.handle(aanwezig, uow.als(ZL, lambda: op(DAG)))
    bijeenkomst = messagebus.handle(aanwezig, uow.als(UP, lambda: op(DAG)))
    assert bijeenkomst.aanwezigen == {pseudoniem("piet@zl.nl")}  # the login became the person


def test_attendance_of_someone_who_did_not_register_is_refused() -> None:
    uow = fake()
    bijeenkomst_id = _plan(uow).id
    for wie in ("anne@ut.nl", "niemand@nergens.nl"):  # known but not registered; never acted
        with pytest.raises(OngeldigeInvoer, match="niet aangemeld"):
            messagebus.handle(
                commands.RegistreerAanwezigheid(bijeenkomst_id, (wie,)),
                uow.als(UP, lambda: op(DAG)),
            )
    assert len(uow.store.log) == 1


def test_who_was_present_evaluates_once_with_a_score_from_one_to_five() -> None:
    uow = fake(dag=ERNA)  # evaluations follow the meeting
    bijeenkomst_id = _aangemeld_en_aanwezig(uow)
    with pytest.raises(GeenToegang):  # registered, not present
        messagebus.handle(commands.EvalueerBijeenkomst(bijeenkomst_id, 4, ""), uow.als(UT))
    with pytest.raises(OngeldigeInvoer, match="score"):
        messagebus.handle(commands.EvalueerBijeenkomst(bijeenkomst_id, 6, ""), uow.als(ZL))
    bijeenkomst = messagebus.handle(
        commands.EvalueerBijeenkomst(bijeenkomst_id, 4, "nuttig"), uow.als(ZL)
    )
    assert bijeenkomst.samenvatting()["gemiddeldeScore"] == 4
    with pytest.raises(Conflict, match="al geëvalueerd"):
        messagebus.handle(commands.EvalueerBijeenkomst(bijeenkomst_id, 5, ""), uow.als(ZL))
    with pytest.raises(NotFound):
        messagebus.handle(commands.EvalueerBijeenkomst("bk-000000000000", 5, ""), uow.als(ZL))
