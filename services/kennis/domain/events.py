"""Events of the kennis service (published on bodem.kennis.v1).

Every event carries its business date (``datum``; ``gepland_op`` for a planned meeting, whose
``datum`` is the meeting day): the day it happened, given by the command or the day of the
command (domain/datums.py), also the event's ``occurred_at``. Events recorded before there was
one have none: their record time is their business time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

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
    datum: date | None = None


@registry.register
@dataclass(frozen=True)
class AntwoordGegeven:
    TYPE: ClassVar[str] = "kennisvraag-antwoord-gegeven"
    antwoord_id: str
    tekst: str
    door: str
    organisatie: str | None
    datum: date | None = None


@registry.register
@dataclass(frozen=True)
class AntwoordGeaccepteerd:
    TYPE: ClassVar[str] = "kennisvraag-antwoord-geaccepteerd"
    antwoord_id: str
    door: str
    datum: date | None = None


@registry.register
@dataclass(frozen=True)
class KennisvraagGesloten:
    TYPE: ClassVar[str] = "kennisvraag-gesloten"
    reden: str
    door: str
    datum: date | None = None


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
    datum: date | None = None


@registry.register
@dataclass(frozen=True)
class DocumentGepubliceerd:
    """A guide, best practice or tips and tricks, kept available for everyone."""

    TYPE: ClassVar[str] = "kennisdocument-gepubliceerd"
    document_id: str
    soort: str
    titel: str
    tekst: str
    themas: tuple[str, ...]
    door: str
    organisatie: str | None
    datum: date | None = None


@registry.register
@dataclass(frozen=True)
class SuccesGemeld:
    """A policy innovation or small success of a bevoegd gezag: the podium for koplopers."""

    TYPE: ClassVar[str] = "succes-gemeld"
    succes_id: str
    titel: str
    verhaal: str
    themas: tuple[str, ...]
    bevoegd_gezag: str | None
    door: str
    datum: date | None = None


@registry.register
@dataclass(frozen=True)
class BijeenkomstGepland:
    TYPE: ClassVar[str] = "bijeenkomst-gepland"
    bijeenkomst_id: str
    soort: str
    titel: str
    datum: date
    themas: tuple[str, ...]
    vraag_ids: tuple[str, ...]
    door: str
    # The business date of the planning: today, or the meeting day when that is past.
    gepland_op: date | None = None


@registry.register
@dataclass(frozen=True)
class DeelnemerAangemeld:
    TYPE: ClassVar[str] = "bijeenkomst-deelnemer-aangemeld"
    deelnemer: str
    organisatie: str | None
    datum: date | None = None


@registry.register
@dataclass(frozen=True)
class AanwezigheidGeregistreerd:
    TYPE: ClassVar[str] = "bijeenkomst-aanwezigheid-geregistreerd"
    aanwezig: tuple[str, ...]
    datum: date | None = None


@registry.register
@dataclass(frozen=True)
class BijeenkomstGeevalueerd:
    TYPE: ClassVar[str] = "bijeenkomst-geevalueerd"
    deelnemer: str
    score: int
    opmerking: str
    datum: date | None = None


@registry.register
@dataclass(frozen=True)
class ExpertGeregistreerd:
    """An expert, named by the pseudonym of the person their contact address belongs to. Name
    and contact address are personal data: they live in the person store (record = the
    expert's id), erasable, never in the sealed log."""

    TYPE: ClassVar[str] = "expert-geregistreerd"
    expert_id: str
    persoon: str
    organisatie: str | None
    themas: tuple[str, ...]
    datum: date | None = None


@registry.upcaster(ExpertGeregistreerd.TYPE, 1)
def _expert_zonder_persoonsgegevens(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 carried the name and contact address in the event; they are not read any
    more (development logs from before the person store are made anew) and the expert has no
    known person."""
    rest = {k: v for k, v in data.items() if k not in ("naam", "contact")}
    return {**rest, "persoon": ""}
