"""Commands to the kennis service: what a user asks for, already validated for shape.

Each command names the aggregate its handler answers with (``Commando[Kennisvraag]``), so
``messagebus.handle`` is typed per command. Who asks is not in the command: the unit of work
is made for the acting ``Actor`` and stamps it on the events. When it happened is in the
command: ``datum`` is the business date (domain/datums.py), the day of the command when not
given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

from services.kennis.domain.bijdragen import Document, DocumentSoort, Succes
from services.kennis.domain.bijeenkomsten import Bijeenkomst, Expert, Soort
from services.kennis.domain.model import Kennisvraag, Vraaggroep
from services.kennis.domain.vocabulaire import Thema

R = TypeVar("R", covariant=True)


class Commando(Generic[R]):
    """A command whose handler answers with an ``R``."""


@dataclass(frozen=True)
class StelVraag(Commando[Kennisvraag]):
    titel: str
    tekst: str
    themas: tuple[Thema, ...]
    datum: date | None = None


@dataclass(frozen=True)
class BeantwoordVraag(Commando[Kennisvraag]):
    vraag_id: str
    tekst: str
    datum: date | None = None


@dataclass(frozen=True)
class AccepteerAntwoord(Commando[Kennisvraag]):
    vraag_id: str
    antwoord_id: str
    datum: date | None = None


@dataclass(frozen=True)
class SluitVraag(Commando[Kennisvraag]):
    vraag_id: str
    reden: str
    datum: date | None = None


@dataclass(frozen=True)
class CombineerVragen(Commando[Vraaggroep]):
    titel: str
    vraag_ids: tuple[str, ...]
    aanpak: str
    datum: date | None = None


@dataclass(frozen=True)
class PubliceerDocument(Commando[Document]):
    soort: DocumentSoort
    titel: str
    tekst: str
    themas: tuple[Thema, ...]
    datum: date | None = None


@dataclass(frozen=True)
class MeldSucces(Commando[Succes]):
    titel: str
    verhaal: str
    themas: tuple[Thema, ...]
    datum: date | None = None


@dataclass(frozen=True)
class PlanBijeenkomst(Commando[Bijeenkomst]):
    soort: Soort
    titel: str
    datum: date
    themas: tuple[Thema, ...]
    vraag_ids: tuple[str, ...]


@dataclass(frozen=True)
class MeldAan(Commando[Bijeenkomst]):
    bijeenkomst_id: str
    datum: date | None = None


@dataclass(frozen=True)
class RegistreerAanwezigheid(Commando[Bijeenkomst]):
    """``aanwezig``: logins (or pseudonyms) of who was there."""

    bijeenkomst_id: str
    aanwezig: tuple[str, ...]


@dataclass(frozen=True)
class EvalueerBijeenkomst(Commando[Bijeenkomst]):
    bijeenkomst_id: str
    score: int
    opmerking: str
    datum: date | None = None


@dataclass(frozen=True)
class RegistreerExpert(Commando[Expert]):
    """``naam`` and ``contact`` are personal data: they go to the person store, not the log."""

    naam: str
    organisatie: str | None
    themas: tuple[Thema, ...]
    contact: str
    datum: date | None = None
