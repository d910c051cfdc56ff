"""The lifecycle of a spoedlocatie: every allowed and every refused transition."""

from __future__ import annotations

from datetime import date

import pytest

from services.locaties.domain.model import OngeldigeTransitie, OngeldigeWaarde, Spoedlocatie
from shared.vocabulaire import AFGEHANDELD, TRANSITIES, Status
from tests.support.spoedlocatie import nieuwe_locatie

# A shortest path from registration to each status, to put a site in that status.
PAD: dict[Status, list[Status]] = {Status.POTENTIEEL_SPOED: []}
while len(PAD) < len(Status):
    for van, naar_set in TRANSITIES.items():
        if van in PAD:
            for naar in naar_set:
                PAD.setdefault(naar, [*PAD[van], naar])


def _locatie_in(status: Status) -> Spoedlocatie:
    locatie = nieuwe_locatie()
    for i, stap in enumerate(PAD[status]):
        locatie.wijzig_status(stap, date(2010 + i, 6, 1), "")
    return locatie


ALLE_PAREN = [(van, naar) for van in Status for naar in Status]


@pytest.mark.parametrize(("van", "naar"), [p for p in ALLE_PAREN if p[1] in TRANSITIES[p[0]]])
def test_an_allowed_transition_is_recorded_as_an_event(van: Status, naar: Status) -> None:
    locatie = _locatie_in(van)
    before = len(locatie.pending)
    locatie.wijzig_status(naar, date(2021, 1, 1), "besluit")
    assert locatie.status is naar
    assert len(locatie.pending) == before + 1
    assert locatie.pending[-1].event_type == "spoedlocatie-status-gewijzigd"
    assert locatie.pending[-1].data == {
        "van": str(van),
        "naar": str(naar),
        "besluitdatum": "2021-01-01",
        "toelichting": "besluit",
    }


@pytest.mark.parametrize(("van", "naar"), [p for p in ALLE_PAREN if p[1] not in TRANSITIES[p[0]]])
def test_a_refused_transition_says_which_ones_are_allowed(van: Status, naar: Status) -> None:
    locatie = _locatie_in(van)
    before = len(locatie.pending)
    with pytest.raises(OngeldigeTransitie) as err:
        locatie.wijzig_status(naar, date(2021, 1, 1), "")
    assert locatie.status is van
    assert len(locatie.pending) == before
    for allowed in TRANSITIES[van]:
        assert str(allowed) in str(err.value)
    if not TRANSITIES[van]:
        assert "eindstatus" in str(err.value)


def test_every_status_is_reachable_from_registration() -> None:
    assert set(PAD) == set(Status)


def test_a_humane_site_counts_as_dealt_with_once_its_risks_are_controlled() -> None:
    locatie = _locatie_in(Status.TIJDELIJKE_BEVEILIGING)
    assert locatie.afgehandeld_op is None
    locatie.wijzig_status(Status.BEHEERST, date(2015, 11, 30), "")
    assert locatie.status in AFGEHANDELD
    assert locatie.afgehandeld_op == date(2015, 11, 30)
    locatie.wijzig_status(Status.NAZORG, date(2016, 3, 1), "")
    assert locatie.afgehandeld_op == date(2015, 11, 30)


def test_a_decision_cannot_predate_the_previous_one() -> None:
    locatie = _locatie_in(Status.ONDERZOCHT)
    with pytest.raises(OngeldigeWaarde, match="voor het vorige besluit"):
        locatie.wijzig_status(Status.ERNSTIG_SPOED, date(2010, 1, 1), "")


def test_a_decision_cannot_lie_in_the_future() -> None:
    locatie = _locatie_in(Status.ONDERZOCHT)
    with pytest.raises(OngeldigeWaarde, match="toekomst"):
        locatie.wijzig_status(Status.ERNSTIG_SPOED, date(2999, 1, 1), "")


def test_state_is_rebuilt_from_the_events_alone() -> None:
    from shared.eventstore.memory import InMemoryEventStore

    locatie = _locatie_in(Status.SANERING_GESTART)
    locatie.ken_budget_toe(250_000, date(2013, 1, 1), "convenant")
    store = InMemoryEventStore()
    store.append(locatie.id, "spoedlocatie", 0, locatie.pending)
    rebuilt = Spoedlocatie(locatie.id)
    rebuilt.replay(store.load(locatie.id))
    assert rebuilt.toestand() == locatie.toestand()
    assert rebuilt.version == locatie.version
