"""The real handlers against the in-memory unit of work: authorisation and concurrency."""

from __future__ import annotations

from datetime import date

import pytest

from services.locaties.domain import commands
from services.locaties.domain.model import OngeldigeTransitie
from services.locaties.service_layer import handlers
from services.locaties.service_layer.unit_of_work import FakeLocatiesUnitOfWork
from shared.aggregate import NotFound
from shared.auth import Principal, Rol
from shared.vocabulaire import Status


def _actor(rol: Rol, organisatie: str | None) -> handlers.Actor:
    return handlers.Actor(Principal("u", rol, organisatie))


ZH = _actor(Rol.BEVOEGD_GEZAG, "ZH")
UT = _actor(Rol.BEVOEGD_GEZAG, "UT")
UP = _actor(Rol.UITVOERINGSPROGRAMMA, None)
AUDITOR = _actor(Rol.AUDITOR, None)


def _registreer(uow: FakeLocatiesUnitOfWork, actor: handlers.Actor = ZH) -> str:
    cmd = commands.RegistreerSpoedlocatie(
        "ZH", "0513", "Gasfabriek", "landbodem", ("pak",), None, date(2010, 1, 4)
    )
    return handlers.handle(cmd, uow.namens(actor)).id


def test_registration_numbers_sites_per_bevoegd_gezag_and_municipality() -> None:
    uow = FakeLocatiesUnitOfWork()
    assert _registreer(uow) == "ZH051300001"
    assert _registreer(uow) == "ZH051300002"
    assert uow.committed


def test_only_the_own_bevoegd_gezag_may_register_or_change_a_site() -> None:
    uow = FakeLocatiesUnitOfWork()
    for actor in (UT, UP, AUDITOR):
        with pytest.raises(handlers.GeenToegang):
            _registreer(uow, actor)
    locatie_id = _registreer(uow)
    for actor in (UT, UP, AUDITOR):
        with pytest.raises(handlers.GeenToegang):
            handlers.handle(
                commands.WijzigStatus(locatie_id, 1, Status.ONDERZOCHT, date(2010, 5, 1), ""),
                uow.namens(actor),
            )
    assert len(uow.store.log) == 1


def test_a_stale_version_is_refused_and_stores_nothing() -> None:
    uow = FakeLocatiesUnitOfWork()
    locatie_id = _registreer(uow)
    handlers.handle(
        commands.WijzigStatus(locatie_id, 1, Status.ONDERZOCHT, date(2010, 5, 1), ""),
        uow.namens(ZH),
    )
    with pytest.raises(handlers.VersieVerouderd) as err:
        handlers.handle(
            commands.WijzigStatus(locatie_id, 1, Status.ERNSTIG_SPOED, date(2010, 6, 1), ""),
            uow.namens(ZH),
        )
    assert err.value.huidige == 2
    assert len(uow.store.log) == 2


def test_an_invalid_transition_stores_nothing() -> None:
    uow = FakeLocatiesUnitOfWork()
    locatie_id = _registreer(uow)
    with pytest.raises(OngeldigeTransitie):
        handlers.handle(
            commands.WijzigStatus(locatie_id, 1, Status.GESANEERD, date(2010, 5, 1), ""),
            uow.namens(ZH),
        )
    assert len(uow.store.log) == 1
    assert not uow.committed


def test_a_client_supplied_id_must_be_new_and_match_its_authority() -> None:
    uow = FakeLocatiesUnitOfWork()
    cmd = commands.RegistreerSpoedlocatie(
        "ZH", "0513", "n", "landbodem", (), None, date(2010, 1, 4), locatie_id="ZH051300077"
    )
    handlers.handle(cmd, uow.namens(ZH))
    with pytest.raises(handlers.BestaatAl):
        handlers.handle(cmd, uow.namens(ZH))
    wrong = commands.RegistreerSpoedlocatie(
        "ZH", "0513", "n", "landbodem", (), None, date(2010, 1, 4), locatie_id="ZH048400001"
    )
    with pytest.raises(Exception, match="begint met ZH0513"):
        handlers.handle(wrong, uow.namens(ZH))


def test_an_unknown_site_is_not_found() -> None:
    with pytest.raises(NotFound):
        handlers.handle(
            commands.WijzigStatus("ZH051399999", 1, Status.ONDERZOCHT, date(2010, 5, 1), ""),
            FakeLocatiesUnitOfWork().namens(ZH),
        )


def test_the_unit_of_work_stamps_who_asked_on_every_event() -> None:
    uow = FakeLocatiesUnitOfWork()
    locatie_id = _registreer(uow, handlers.Actor(ZH.principal, "corr-1"))
    handlers.handle(
        commands.WijzigStatus(locatie_id, 1, Status.ONDERZOCHT, date(2010, 5, 1), ""),
        uow.namens(handlers.Actor(ZH.principal, "corr-2")),
    )
    metadata = [e.metadata for e in uow.store.log]
    assert [m.correlation_id for m in metadata] == ["corr-1", "corr-2"]
    assert {(m.actor, m.role, m.organisation) for m in metadata} == {
        ("prs-u", "bevoegd-gezag", "ZH")
    }


def test_an_unknown_command_has_no_handler() -> None:
    with pytest.raises(TypeError):
        handlers.handle(object(), FakeLocatiesUnitOfWork())  # type: ignore[arg-type]
