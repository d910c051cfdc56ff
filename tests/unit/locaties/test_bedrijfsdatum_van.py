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


@dataclasses.dataclass(frozen=True)
class _Tweedatums:
    datum: date
    besluitdatum: date


@dataclasses.dataclass(frozen=True)
class _Zonderdatum:
    naam: str


def test_of_several_date_fields_the_first_looked_for_wins_every_time() -> None:
    """The order of the search, not of the class's fields, as before the memory."""
    for jaar in (2001, 2002):
        event = _Tweedatums(date(1990, 1, 1), date(jaar, 1, 1))
        assert standen.bedrijfsdatum_van(event) == date(jaar, 1, 1)


def test_a_class_without_a_date_field_is_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(TypeError, match="_Zonderdatum heeft geen bedrijfsdatum"):
            standen.bedrijfsdatum_van(_Zonderdatum("x"))


def test_an_object_that_is_no_dataclass_is_asked_each_time() -> None:
    """Only a dataclass's fields are remembered: another object's attributes may differ per
    instance."""

    class Los:
        pass

    een, ander = Los(), Los()
    een.datum = date(2001, 1, 1)  # type: ignore[attr-defined]
    ander.besluitdatum = date(2002, 1, 1)  # type: ignore[attr-defined]
    assert standen.bedrijfsdatum_van(een) == date(2001, 1, 1)
    assert standen.bedrijfsdatum_van(ander) == date(2002, 1, 1)


@dataclasses.dataclass(frozen=True)
class _SomsBesloten:
    """A date field not every instance has (init=False, no default): ``datum`` is the business
    date only of the instances without ``besluitdatum``."""

    datum: date
    besluitdatum: date = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        if self.datum.year >= 2005:
            object.__setattr__(self, "besluitdatum", date(self.datum.year, 6, 1))


def test_a_date_field_that_not_every_instance_has_is_asked_per_instance() -> None:
    zonder, met = _SomsBesloten(date(2001, 1, 1)), _SomsBesloten(date(2010, 1, 1))
    assert standen.bedrijfsdatum_van(zonder) == date(2001, 1, 1)
    assert standen.bedrijfsdatum_van(met) == date(2010, 6, 1)
    assert standen.bedrijfsdatum_van(zonder) == date(2001, 1, 1)


@pytest.mark.parametrize(
    "cls", [c for c in registry._classes.values() if c is not RegistratieGecorrigeerd]
)
def test_every_event_class_s_date_field_is_remembered(cls: type[Any]) -> None:
    """What the memory is for: no event class is searched again."""
    standen.bedrijfsdatum_van(_event(cls))
    assert cls in standen._DATUMVELD
