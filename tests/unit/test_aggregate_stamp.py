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


def test_stamping_keeps_every_field_of_the_event_but_its_metadata() -> None:
    """``stamp`` builds the stamped NewEvent field by field; a field added to NewEvent must be
    added there too, or it would be lost on the way to the store."""
    import dataclasses
    from datetime import UTC, datetime
    from uuid import uuid4

    from shared.aggregate import UNSTAMPED, stamp
    from shared.eventstore import NewEvent

    event = NewEvent("x-gebeurd", {"a": 1}, datetime(2010, 1, 4, tzinfo=UTC), UNSTAMPED, 3, uuid4())
    wie = EventMetadata(actor="prs-1")
    assert stamp([event], wie) == [dataclasses.replace(event, metadata=wie)]
    assert [f.name for f in dataclasses.fields(NewEvent)] == [
        "event_type",
        "data",
        "occurred_at",
        "metadata",
        "schema_version",
        "event_id",
    ]
