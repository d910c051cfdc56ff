"""An event's stored payload: every field as JSON takes it, dates as ISO text at any depth,
whatever the shortcut the encoder takes for plain values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import IntEnum, StrEnum
from typing import Any, ClassVar

from shared.aggregate import EventRegistry


class Kleur(StrEnum):
    ROOD = "rood"


class Stap(IntEnum):
    EEN = 1


@dataclass(frozen=True)
class Alles:
    TYPE: ClassVar[str] = "alles-gebeurd"
    tekst: str
    getal: int
    waar: bool
    komma: float
    niets: None
    kleur: Kleur
    stap: Stap
    datum: date
    moment: datetime
    lijst: tuple[Any, ...]
    map_: dict[str, Any] = field(default_factory=dict)


def _zoals_gedefinieerd(value: Any) -> Any:
    """The encoding as written before the shortcut for plain values."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_zoals_gedefinieerd(v) for v in value]
    if isinstance(value, dict):
        return {k: _zoals_gedefinieerd(v) for k, v in value.items()}
    return value


def test_every_field_is_encoded_as_the_definition_encodes_it() -> None:
    registry = EventRegistry()
    registry.register(Alles)
    event = Alles(
        tekst="x",
        getal=3,
        waar=True,
        komma=1.5,
        niets=None,
        kleur=Kleur.ROOD,
        stap=Stap.EEN,
        datum=date(2010, 3, 15),
        moment=datetime(2026, 12, 1, 1, 2, 3, tzinfo=UTC),
        lijst=(date(2011, 1, 1), "y", (Kleur.ROOD, [datetime(2012, 1, 1, tzinfo=UTC)])),
        map_={"d": date(2013, 1, 1), "n": {"e": [date(2014, 1, 1)]}},
    )
    naam, versie, data = registry.encode(event)
    verwacht = {k: _zoals_gedefinieerd(v) for k, v in vars(event).items()}
    assert (naam, versie) == ("alles-gebeurd", 1)
    assert data == verwacht
    assert {k: type(v) for k, v in data.items()} == {k: type(v) for k, v in verwacht.items()}
    assert data["lijst"] == ["2011-01-01", "y", [Kleur.ROOD, ["2012-01-01T00:00:00+00:00"]]]
