"""Kennis activities carry the day they happened: given by the command (an imported history),
checked (not before 2009, not in the future), or the day of the command; the events' business
time follows it."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from services.kennis.domain import commands
from services.kennis.domain.bijdragen import DocumentSoort
from services.kennis.domain.bijeenkomsten import Soort
from services.kennis.domain.model import Conflict, OngeldigeInvoer
from services.kennis.domain.vocabulaire import Thema
from services.kennis.service_layer import messagebus
from tests.unit.kennis.actoren import UP, ZL, fake, op

VANDAAG = date(2016, 3, 1)
THEMAS = (Thema.ONDERGROND,)


def test_a_question_answer_and_acceptance_of_2012_carry_their_own_dates() -> None:
    uow = fake()
    nu = lambda: op(VANDAAG)  # noqa: E731
    vraag = commands.StelVraag("Pluim", "Mag WKO in een pluim?", THEMAS, date(2012, 4, 2))
    vraag_id = messagebus.handle(vraag, uow.als(ZL, nu)).id
    antwoord = commands.BeantwoordVraag(vraag_id, "Ja, met monitoring.", date(2012, 4, 20))
    antwoord_id = messagebus.handle(antwoord, uow.als(UP, nu)).toestand.antwoorden[0].antwoord_id
    accepteer = commands.AccepteerAntwoord(vraag_id, antwoord_id, date(2012, 5, 1))
    messagebus.handle(accepteer, uow.als(ZL, nu))
    assert [(e.data["datum"], e.occurred_at) for e in uow.store.log] == [
        ("2012-04-02", datetime(2012, 4, 2, tzinfo=UTC)),
        ("2012-04-20", datetime(2012, 4, 20, tzinfo=UTC)),
        ("2012-05-01", datetime(2012, 5, 1, tzinfo=UTC)),
    ]


def test_without_a_date_it_happened_on_the_day_of_the_command() -> None:
    uow = fake()
    messagebus.handle(
        commands.MeldSucces("Pluim", "Gelukt", THEMAS), uow.als(ZL, lambda: op(VANDAAG))
    )
    (gemeld,) = uow.store.log
    assert gemeld.data["datum"] == "2016-03-01" and gemeld.data["bevoegd_gezag"] == "ZL"


@pytest.mark.parametrize(
    ("datum", "reden"),
    [(date(2008, 12, 31), "voor 2009-01-01"), (date(2016, 3, 2), "in de toekomst")],
)
def test_a_date_before_the_covenant_or_in_the_future_is_refused(datum: date, reden: str) -> None:
    uow = fake()
    document = commands.PubliceerDocument(
        DocumentSoort.HANDREIKING, "Handreiking", "Tekst", THEMAS, datum
    )
    with pytest.raises(OngeldigeInvoer, match=reden) as fout:
        messagebus.handle(document, uow.als(UP, lambda: op(VANDAAG)))
    assert fout.value.veld == "datum"
    assert uow.store.log == []


def test_a_meeting_of_2011_is_planned_registered_for_held_and_evaluated_in_its_own_time() -> None:
    uow = fake()
    nu = lambda: op(VANDAAG)  # noqa: E731
    dag = date(2011, 10, 4)
    plan = commands.PlanBijeenkomst(Soort.WORKSHOP, "Gebiedsgericht", dag, THEMAS, ())
    bijeenkomst_id = messagebus.handle(plan, uow.als(UP, nu)).id
    # Registering after the day is refused, unless the registration says it was before it.
    with pytest.raises(Conflict, match="al geweest"):
        messagebus.handle(commands.MeldAan(bijeenkomst_id), uow.als(ZL, nu))
    messagebus.handle(commands.MeldAan(bijeenkomst_id, date(2011, 9, 20)), uow.als(ZL, nu))
    aanwezig = commands.RegistreerAanwezigheid(bijeenkomst_id, ("piet@zl.nl",))
    messagebus.handle(aanwezig, uow.als(UP, nu))
    with pytest.raises(OngeldigeInvoer, match="volgt op de bijeenkomst"):
        evaluatie = commands.EvalueerBijeenkomst(bijeenkomst_id, 4, "", date(2011, 10, 3))
        messagebus.handle(evaluatie, uow.als(ZL, nu))
    evaluatie = commands.EvalueerBijeenkomst(bijeenkomst_id, 4, "", date(2011, 10, 5))
    messagebus.handle(evaluatie, uow.als(ZL, nu))
    assert [(e.event_type, e.occurred_at.date()) for e in uow.store.log] == [
        ("bijeenkomst-gepland", dag),  # a day already past is the day it was planned
        ("bijeenkomst-deelnemer-aangemeld", date(2011, 9, 20)),
        ("bijeenkomst-aanwezigheid-geregistreerd", dag),
        ("bijeenkomst-geevalueerd", date(2011, 10, 5)),
    ]
    assert uow.store.log[0].data["gepland_op"] == "2011-10-04"


def test_a_meeting_ahead_is_planned_today_and_one_before_2009_is_refused() -> None:
    uow = fake()
    nu = lambda: op(VANDAAG)  # noqa: E731
    vooruit = commands.PlanBijeenkomst(Soort.WORKSHOP, "WKO", date(2016, 5, 1), THEMAS, ())
    messagebus.handle(vooruit, uow.als(UP, nu))
    (gepland,) = uow.store.log
    assert (gepland.data["datum"], gepland.data["gepland_op"]) == ("2016-05-01", "2016-03-01")
    te_vroeg = commands.PlanBijeenkomst(Soort.WORKSHOP, "WKO", date(2008, 5, 1), THEMAS, ())
    with pytest.raises(OngeldigeInvoer, match="voor 2009-01-01"):
        messagebus.handle(te_vroeg, uow.als(UP, nu))
