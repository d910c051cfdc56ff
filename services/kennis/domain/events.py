"""Events of the kennis service (published on bodem.kennis.v1)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from shared.aggregate import EventRegistry

registry = EventRegistry()


@registry.register
@dataclass(frozen=True)
class KennisvraagGesteld:
    TYPE: ClassVar[str] = "kennisvraag-gesteld"
    vraag_id: str
    titel: str
    tekst: str
    themas: tuple[str, ...]
    gesteld_door: str
    organisatie: str | None


@registry.register
@dataclass(frozen=True)
class AntwoordGegeven:
    TYPE: ClassVar[str] = "kennisvraag-antwoord-gegeven"
    antwoord_id: str
    tekst: str
    door: str
    organisatie: str | None


@registry.register
@dataclass(frozen=True)
class AntwoordGeaccepteerd:
    TYPE: ClassVar[str] = "kennisvraag-antwoord-geaccepteerd"
    antwoord_id: str
    door: str


@registry.register
@dataclass(frozen=True)
class KennisvraagGesloten:
    TYPE: ClassVar[str] = "kennisvraag-gesloten"
    reden: str
    door: str


@registry.register
@dataclass(frozen=True)
class VragenGecombineerd:
    """Similar questions from the field, grouped so the programme answers them once."""

    TYPE: ClassVar[str] = "kennisvragen-gecombineerd"
    groep_id: str
    titel: str
    vraag_ids: tuple[str, ...]
    aanpak: str
    door: str
