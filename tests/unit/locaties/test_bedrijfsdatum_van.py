"""``standen.bedrijfsdatum_van`` remembers per event class which field holds the business date:
for every event class, asked once and again, it gives the first of the fields it always
looked for, as before."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import pytest

from services.locaties.domain import standen
from services.locaties.domain.events import RegistratieGecorrigeerd, registry

VELDEN = ("besluitdatum", "registratiedatum", "beoordelingsdatum", "datum")


def _event(cls: type[Any]) -> Any:
    """An instance whose every date field holds a date of its own (so the one chosen shows)."""
    waarden = {}
    for n, veld in enumerate(dataclasses.fields(cls)):
        waarden[veld.name] = date(2000 + n, 1, 1) if "datum" in veld.name else None
    return cls(**waarden)


@pytest.mark.parametrize(
    "cls", [c for c in registry._classes.values() if c is not RegistratieGecorrigeerd]
)
def test_the_business_date_is_the_first_date_field_every_time(cls: type[Any]) -> None:
    event = _event(cls)
    verwacht = next(getattr(event, v) for v in VELDEN if hasattr(event, v))
    assert standen.bedrijfsdatum_van(event) == verwacht
    assert standen.bedrijfsdatum_van(_event(cls)) == verwacht


def test_an_event_without_a_business_date_is_refused() -> None:
    with pytest.raises(TypeError):
        standen.bedrijfsdatum_van(RegistratieGecorrigeerd(1, {}, "x"))
