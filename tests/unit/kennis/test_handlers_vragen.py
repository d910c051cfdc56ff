"""The real kennis handlers for questions against the in-memory unit of work: each command's
success and its refusals (policy, domain rule, not found, a concurrent change)."""

from __future__ import annotations

import inspect
from datetime import UTC, date, datetime

import pytest

from services.kennis.domain import commands
from services.kennis.domain.model import (
    Conflict,
    GelijktijdigGewijzigd,
    Kennisvraag,
    OngeldigeInvoer,
)
from services.kennis.domain.vocabulaire import Thema, VraagStatus
from services.kennis.service_layer import messagebus
from services.kennis.service_layer.unit_of_work import FakeKennisUnitOfWork
from shared.aggregate import NotFound
from shared.auth import Rol
from shared.beleid import GeenToegang
from tests.unit.kennis.actoren import AUDITOR, RIJK, UP, UT, ZL, actor, fake, nieuwkomer

VRAAG = commands.StelVraag(
    "WKO in een pluim",
    "Mag een warmte-koudeopslag in verontreinigd grondwater?",
    (Thema.BODEMENERGIE,),
)


def _stel(uow: FakeKennisUnitOfWork) -> Kennisvraag:
    return messagebus.handle(VRAAG, uow.als(ZL))


def _beantwoord(uow: FakeKennisUnitOfWork, vraag_id: str) -> str:
    vraag = messagebus.handle(commands.BeantwoordVraag(vraag_id, "Ja, met een plan."), uow.als(UT))
    return vraag.toestand.antwoorden[-1].antwoord_id


def test_every_command_has_exactly_one_handler() -> None:
    soorten = {
        cls
        for _, cls in inspect.getmembers(commands, inspect.isclass)
        if issubclass(cls, commands.Commando) and cls is not commands.Commando
    }
    assert soorten == set(messagebus.HANDLERS)


def test_the_unit_of_work_stamps_actor_correlation_id_and_time_on_the_event() -> None:
    zl = actor("piet@zl.nl", Rol.BEVOEGD_GEZAG, "ZL", correlatie="verzoek-42")
    uow = fake(zl, date(2017, 3, 1))
    vraag = messagebus.handle(VRAAG, uow)
    (event,) = uow.store.log
    assert event.stream_id == vraag.id and event.event_type == "kennisvraag-gesteld"
    assert event.metadata.actor == zl.meta.actor
    assert event.metadata.actor.startswith("prs-")  # never the login
    assert event.metadata.correlation_id == "verzoek-42"
    assert (event.metadata.organisation, event.metadata.role) == ("ZL", "bevoegd-gezag")
    # Business time: the command's day (it gives no date of its own), from the unit's clock.
    assert event.occurred_at == datetime(2017, 3, 1, tzinfo=UTC)
    assert event.data["gesteld_door"] == zl.meta.actor
    assert uow.committed


def test_each_request_without_a_correlation_id_gets_its_own() -> None:
    uow = fake()
    for _ in range(2):  # two requests: an actor each
        messagebus.handle(VRAAG, uow.als(actor("piet@zl.nl", Rol.BEVOEGD_GEZAG, "ZL")))
    eerste, tweede = (e.metadata.correlation_id for e in uow.store.log)
    assert eerste and tweede and eerste != tweede


def test_a_command_in_a_unit_of_work_without_actor_stores_nothing() -> None:
    uow = FakeKennisUnitOfWork()
    with pytest.raises(RuntimeError, match="actor"):
        messagebus.handle(VRAAG, uow)
    assert uow.store.log == []


def test_asking_is_for_everyone_but_the_auditor() -> None:
    uow = fake()
    for wie in (ZL, UP, RIJK):
        messagebus.handle(VRAAG, uow.als(wie))
    with pytest.raises(GeenToegang):
        messagebus.handle(VRAAG, uow.als(AUDITOR))
    assert len(uow.store.log) == 3


def test_a_first_time_caller_becomes_a_person_only_when_the_policy_allows_the_command() -> None:
    uow = fake()
    geweigerd = uow.als(nieuwkomer("nieuw@adr.nl", Rol.AUDITOR, None))
    with pytest.raises(GeenToegang):
        messagebus.handle(VRAAG, geweigerd)
    assert geweigerd.nieuwe_personen == [] and "nieuw@adr.nl" not in uow.personen
    toegestaan = uow.als(nieuwkomer("nieuw@zl.nl", Rol.BEVOEGD_GEZAG, "ZL"))
    messagebus.handle(VRAAG, toegestaan)
    (persoon,) = toegestaan.nieuwe_personen
    assert persoon.login == "nieuw@zl.nl"
    assert uow.store.log[-1].metadata.actor == persoon.pseudoniem


@pytest.mark.parametrize(
    ("cmd", "veld"),
    [
        (commands.StelVraag("Titel", "   ", (Thema.ONDERGROND,)), "tekst"),
        (commands.StelVraag("Titel", "Tekst", ()), "themas"),
    ],
)
def test_a_question_without_text_or_theme_is_refused_and_stores_nothing(
    cmd: commands.StelVraag, veld: str
) -> None:
    uow = fake()
    with pytest.raises(OngeldigeInvoer) as fout:
        messagebus.handle(cmd, uow)
    assert fout.value.veld == veld
    assert uow.store.log == [] and not uow.committed


def test_anyone_with_an_account_answers_an_open_question() -> None:
    uow = fake()
    vraag = _stel(uow)
    antwoord_id = _beantwoord(uow, vraag.id)
    beantwoord = uow.store.log[-1]
    assert beantwoord.event_type == "kennisvraag-antwoord-gegeven"
    assert beantwoord.data == {
        "antwoord_id": antwoord_id,
        "tekst": "Ja, met een plan.",
        "door": UT.meta.actor,
        "organisatie": "UT",
        "datum": "2017-03-01",
    }
    with pytest.raises(GeenToegang):
        messagebus.handle(commands.BeantwoordVraag(vraag.id, "Nee."), uow.als(AUDITOR))


def test_answering_a_question_that_does_not_exist_is_not_found() -> None:
    uow = fake()
    with pytest.raises(NotFound):
        messagebus.handle(commands.BeantwoordVraag("kv-000000000000", "Ja."), uow)
    assert uow.store.log == []


def test_an_empty_answer_is_refused() -> None:
    uow = fake()
    vraag = _stel(uow)
    with pytest.raises(OngeldigeInvoer):
        messagebus.handle(commands.BeantwoordVraag(vraag.id, " "), uow.als(UT))
    assert len(uow.store.log) == 1


def test_the_asker_or_the_programme_accepts_one_answer_and_the_question_is_answered() -> None:
    uow = fake()
    vraag = _stel(uow)
    antwoord_id = _beantwoord(uow, vraag.id)
    with pytest.raises(GeenToegang):  # another bevoegd gezag
        messagebus.handle(commands.AccepteerAntwoord(vraag.id, antwoord_id), uow.als(UT))
    geaccepteerd = messagebus.handle(commands.AccepteerAntwoord(vraag.id, antwoord_id), uow.als(ZL))
    assert geaccepteerd.toestand.status is VraagStatus.BEANTWOORD
    assert geaccepteerd.toestand.geaccepteerd == antwoord_id
    with pytest.raises(Conflict, match="al geaccepteerd"):
        messagebus.handle(commands.AccepteerAntwoord(vraag.id, antwoord_id), uow.als(UP))


def test_accepting_an_answer_the_question_does_not_have_is_refused() -> None:
    uow = fake()
    vraag = _stel(uow)
    with pytest.raises(OngeldigeInvoer) as fout:
        messagebus.handle(commands.AccepteerAntwoord(vraag.id, "an-000000000000"), uow.als(ZL))
    assert fout.value.veld == "antwoordId"
    with pytest.raises(NotFound):
        messagebus.handle(commands.AccepteerAntwoord("kv-000000000000", "an-1"), uow.als(ZL))


def test_a_closed_question_takes_no_more_answers() -> None:
    uow = fake()
    vraag = _stel(uow)
    with pytest.raises(GeenToegang):
        messagebus.handle(commands.SluitVraag(vraag.id, "dubbel"), uow.als(UT))
    gesloten = messagebus.handle(commands.SluitVraag(vraag.id, "dubbel"), uow.als(ZL))
    assert gesloten.toestand.status is VraagStatus.GESLOTEN
    with pytest.raises(Conflict, match="gesloten"):
        _beantwoord(uow, vraag.id)
    with pytest.raises(Conflict, match="al gesloten"):
        messagebus.handle(commands.SluitVraag(vraag.id, "nogmaals"), uow.als(UP))
    with pytest.raises(NotFound):
        messagebus.handle(commands.SluitVraag("kv-000000000000", "weg"), uow.als(UP))


def test_only_the_programme_combines_existing_similar_questions() -> None:
    uow = fake()
    ids = (_stel(uow).id, _stel(uow).id)
    cmd = commands.CombineerVragen("WKO", ids, "één handreiking")
    with pytest.raises(GeenToegang):
        messagebus.handle(cmd, uow.als(ZL))
    groep = messagebus.handle(cmd, uow.als(UP))
    assert groep.vraag_ids == tuple(sorted(ids))
    assert uow.store.log[-1].event_type == "kennisvragen-gecombineerd"
    with pytest.raises(OngeldigeInvoer, match="geen kennisvraag kv-000000000000"):
        messagebus.handle(
            commands.CombineerVragen("WKO", (ids[0], "kv-000000000000"), ""), uow.als(UP)
        )
    with pytest.raises(OngeldigeInvoer, match="minstens twee"):
        messagebus.handle(commands.CombineerVragen("WKO", (ids[0], ids[0]), ""), uow.als(UP))


class _EenAnderGingVoor(FakeKennisUnitOfWork):
    """Another person answers the same question between this unit's load and its commit."""

    vraag_id = ""

    def commit(self) -> None:
        _beantwoord(self, self.vraag_id)
        super().commit()


def test_a_change_by_another_between_load_and_commit_is_a_conflict_to_retry() -> None:
    uow = fake()
    vraag = _stel(uow)
    tegelijk = _EenAnderGingVoor(ZL)
    tegelijk.store, tegelijk.personen, tegelijk.vraag_id = uow.store, uow.personen, vraag.id
    with pytest.raises(GelijktijdigGewijzigd, match=vraag.id):
        messagebus.handle(commands.BeantwoordVraag(vraag.id, "Mijn antwoord"), tegelijk)
    assert not tegelijk.committed
    assert "Mijn antwoord" not in [e.data.get("tekst") for e in uow.store.log]
