"""Plans per site: the real handler on the in-memory unit of work, the rules in the domain
(the same ``regels.controleer`` a correction and an import run) and the state they leave."""

from __future__ import annotations

from datetime import date

import pytest

from services.locaties.domain import commands
from services.locaties.domain.events import PlanningVastgesteld, registry
from services.locaties.domain.model import OngeldigeWaarde
from services.locaties.service_layer import handlers
from services.locaties.service_layer.unit_of_work import FakeLocatiesUnitOfWork
from shared.auth import Principal, Rol
from shared.vocabulaire import Status

ZH = handlers.Actor(Principal("u", Rol.BEVOEGD_GEZAG, "ZH"))
UT = handlers.Actor(Principal("u", Rol.BEVOEGD_GEZAG, "UT"))
UP = handlers.Actor(Principal("u", Rol.UITVOERINGSPROGRAMMA, None))


def _site(uow: FakeLocatiesUnitOfWork) -> str:
    cmd = commands.RegistreerSpoedlocatie(
        "ZH", "0513", "Gasfabriek", "landbodem", ("pak",), None, date(2010, 1, 4)
    )
    return handlers.handle(cmd, uow.namens(ZH)).id


def _plan(
    locatie_id: str,
    versie: int,
    afgehandeld: date | None = date(2015, 6, 1),
    datum: date = date(2011, 3, 1),
    reden: str = "",
    onderzoek: date | None = date(2011, 12, 1),
    start: date | None = date(2013, 1, 1),
) -> commands.StelPlanningVast:
    return commands.StelPlanningVast(
        locatie_id, versie, onderzoek, start, afgehandeld, datum, reden
    )


def test_a_plan_is_recorded_and_a_revision_keeps_the_earlier_plan() -> None:
    uow = FakeLocatiesUnitOfWork()
    locatie_id = _site(uow)
    locatie = handlers.handle(_plan(locatie_id, 1), uow.namens(ZH))
    assert locatie.stand.planning is not None
    assert locatie.stand.planning.afgehandeld == date(2015, 6, 1)
    assert locatie.stand.planning.revisie == 0
    herzien = _plan(
        locatie_id, 2, date(2017, 1, 1), date(2013, 5, 1), "dieper vervuild", None, date(2014, 1, 1)
    )
    locatie = handlers.handle(herzien, uow.namens(ZH))
    assert locatie.stand.planning is not None
    assert (locatie.stand.planning.afgehandeld, locatie.stand.planning.revisie) == (
        date(2017, 1, 1),
        1,
    )
    plannen = [e for e in locatie.history if isinstance(e, PlanningVastgesteld)]
    assert [p.afgehandeld for p in plannen] == [date(2015, 6, 1), date(2017, 1, 1)]


def test_a_revision_without_reason_is_refused_and_stores_nothing() -> None:
    uow = FakeLocatiesUnitOfWork()
    locatie_id = _site(uow)
    handlers.handle(_plan(locatie_id, 1), uow.namens(ZH))
    with pytest.raises(OngeldigeWaarde) as err:
        handlers.handle(_plan(locatie_id, 2, date(2017, 1, 1), date(2011, 4, 1)), uow.namens(ZH))
    assert err.value.veld == "reden"
    assert len(uow.store.log) == 2


@pytest.mark.parametrize(
    ("cmd", "veld"),
    [
        # milestones out of order
        (dict(onderzoek=date(2014, 1, 1), start=date(2013, 1, 1)), "startSanering"),
        (dict(start=date(2016, 1, 1), afgehandeld=date(2015, 1, 1)), "afgehandeld"),
        # a plan plans ahead of its own date
        (dict(onderzoek=date(2011, 1, 1)), "onderzoekGereed"),
        # nothing planned
        (dict(onderzoek=None, start=None, afgehandeld=None), "afgehandeld"),
        # a typed 2105 for 2015
        (dict(afgehandeld=date(2105, 1, 1)), "afgehandeld"),
        # set before the site was registered
        (dict(datum=date(2009, 1, 1)), "datum"),
    ],
)
def test_a_wrong_plan_is_refused_naming_the_field(cmd: dict[str, object], veld: str) -> None:
    uow = FakeLocatiesUnitOfWork()
    locatie_id = _site(uow)
    with pytest.raises(OngeldigeWaarde) as err:
        handlers.handle(_plan(locatie_id, 1, **cmd), uow.namens(ZH))  # type: ignore[arg-type]
    assert err.value.veld == veld
    assert len(uow.store.log) == 1


def test_only_the_sites_own_bevoegd_gezag_may_plan_it() -> None:
    uow = FakeLocatiesUnitOfWork()
    locatie_id = _site(uow)
    for actor in (UT, UP):
        with pytest.raises(handlers.GeenToegang):
            handlers.handle(_plan(locatie_id, 1), uow.namens(actor))
    assert len(uow.store.log) == 1


def test_a_site_dealt_with_gets_no_plan() -> None:
    uow = FakeLocatiesUnitOfWork()
    locatie_id = _site(uow)
    for versie, naar in enumerate(
        [Status.ONDERZOCHT, Status.ERNSTIG_SPOED, Status.TIJDELIJKE_BEVEILIGING, Status.BEHEERST],
        start=1,
    ):
        handlers.handle(
            commands.WijzigStatus(locatie_id, versie, naar, date(2010, 5, versie), ""),
            uow.namens(ZH),
        )
    with pytest.raises(OngeldigeWaarde):
        handlers.handle(_plan(locatie_id, 5), uow.namens(ZH))


def test_a_plan_reads_back_as_recorded_with_dates_left_open() -> None:
    event = PlanningVastgesteld(None, None, date(2020, 12, 31), date(2012, 1, 1), "")
    name, versie, data = registry.encode(event)
    assert data["onderzoek_gereed"] is None
    assert registry.decode(name, versie, data) == event
