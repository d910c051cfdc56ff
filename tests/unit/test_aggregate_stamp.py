"""Events recorded without metadata are stamped by their unit of work, never stored without."""

from __future__ import annotations

from datetime import date

import pytest

from services.locaties.domain.model import Spoedlocatie
from shared.aggregate import Repository
from shared.eventstore import EventMetadata
from shared.eventstore.memory import InMemoryEventStore
from tests.support.spoedlocatie import nieuwe_locatie


def test_an_unstamped_event_is_refused_and_a_stamped_one_stored() -> None:
    store = InMemoryEventStore()
    repository = Repository(store, Spoedlocatie, None)
    repository.add(nieuwe_locatie())
    with pytest.raises(ValueError):
        repository.save()
    assert store.log == []
    wie = EventMetadata(actor="prs-1", organisation="ZH", role="bevoegd-gezag")
    [event] = repository.save(wie)
    assert event.metadata == wie
    assert date.fromisoformat(event.data["registratiedatum"]) == date(2010, 1, 4)
