"""The Kennisvraag and Vraaggroep aggregates.

Who may do what is not decided here but in the one policy (shared/beleid.py), asked by the
handlers; the aggregates keep the rules of the things themselves (states, required fields).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from services.kennis.domain.events import (
    AntwoordGeaccepteerd,
    AntwoordGegeven,
    KennisvraagGesloten,
    KennisvraagGesteld,
    VragenGecombineerd,
    registry,
)
from services.kennis.domain.vocabulaire import Thema, VraagStatus
from shared.aggregate import Aggregate
from shared.auth import Principal
from shared.eventstore import EventMetadata


class KennisFout(Exception):
    """A command the rules of the knowledge platform refuse."""


class Conflict(KennisFout):
    """Not possible in the question's current state (409)."""


class OngeldigeInvoer(KennisFout):
    def __init__(self, veld: str, reden: str) -> None:
        super().__init__(f"{veld}: {reden}")
        self.veld = veld
        self.reden = reden


@dataclass
class Antwoord:
    antwoord_id: str
    tekst: str
    door: str
    organisatie: str | None


@dataclass
class _Vraag:
    titel: str = ""
    tekst: str = ""
    themas: tuple[str, ...] = ()
    gesteld_door: str = ""
    organisatie: str | None = None
    status: VraagStatus = VraagStatus.OPEN
    antwoorden: list[Antwoord] = field(default_factory=list)
    geaccepteerd: str | None = None


def _nu() -> datetime:
    return datetime.now(UTC)


class Kennisvraag(Aggregate):
    stream_type: ClassVar[str] = "kennisvraag"
    registry = registry

    def __init__(self, vraag_id: str) -> None:
        super().__init__(vraag_id)
        self.v = _Vraag()

    @classmethod
    def stel(
        cls,
        vraag_id: str,
        titel: str,
        tekst: str,
        themas: tuple[Thema, ...],
        principal: Principal,
        meta: EventMetadata,
    ) -> Kennisvraag:
        if not titel.strip() or not tekst.strip():
            raise OngeldigeInvoer("tekst", "een vraag heeft een titel en een tekst")
        if not themas:
            raise OngeldigeInvoer("themas", "kies minstens één thema")
        vraag = cls(vraag_id)
        vraag._record(
            KennisvraagGesteld(
                vraag_id,
                titel.strip(),
                tekst.strip(),
                tuple(sorted(set(map(str, themas)))),
                principal.sub,
                principal.organisatie,
            ),
            _nu(),
            meta,
        )
        return vraag

    def beantwoord(
        self, antwoord_id: str, tekst: str, principal: Principal, meta: EventMetadata
    ) -> None:
        if self.v.status is VraagStatus.GESLOTEN:
            raise Conflict("de vraag is gesloten; antwoorden kan niet meer")
        if not tekst.strip():
            raise OngeldigeInvoer("tekst", "een antwoord heeft tekst")
        self._record(
            AntwoordGegeven(antwoord_id, tekst.strip(), principal.sub, principal.organisatie),
            _nu(),
            meta,
        )

    def accepteer(self, antwoord_id: str, principal: Principal, meta: EventMetadata) -> None:
        if self.v.status is VraagStatus.GESLOTEN:
            raise Conflict("de vraag is gesloten")
        if self.v.geaccepteerd is not None:
            raise Conflict(f"antwoord {self.v.geaccepteerd} is al geaccepteerd")
        if antwoord_id not in {a.antwoord_id for a in self.v.antwoorden}:
            raise OngeldigeInvoer("antwoordId", f"deze vraag heeft geen antwoord {antwoord_id}")
        self._record(AntwoordGeaccepteerd(antwoord_id, principal.sub), _nu(), meta)

    def sluit(self, reden: str, principal: Principal, meta: EventMetadata) -> None:
        if self.v.status is VraagStatus.GESLOTEN:
            raise Conflict("de vraag is al gesloten")
        self._record(KennisvraagGesloten(reden, principal.sub), _nu(), meta)

    def when(self, event: Any) -> None:
        v = self.v
        match event:
            case KennisvraagGesteld():
                v.titel, v.tekst, v.themas = event.titel, event.tekst, tuple(event.themas)
                v.gesteld_door, v.organisatie = event.gesteld_door, event.organisatie
            case AntwoordGegeven():
                v.antwoorden.append(
                    Antwoord(event.antwoord_id, event.tekst, event.door, event.organisatie)
                )
            case AntwoordGeaccepteerd():
                v.geaccepteerd = event.antwoord_id
                v.status = VraagStatus.BEANTWOORD
            case KennisvraagGesloten():
                v.status = VraagStatus.GESLOTEN
            case _:
                raise TypeError(f"unknown event {type(event).__name__}")


class Vraaggroep(Aggregate):
    """An explicit, recorded decision to answer several questions together."""

    stream_type: ClassVar[str] = "vraaggroep"
    registry = registry

    def __init__(self, groep_id: str) -> None:
        super().__init__(groep_id)
        self.vraag_ids: tuple[str, ...] = ()

    @classmethod
    def vorm(
        cls,
        groep_id: str,
        titel: str,
        vraag_ids: tuple[str, ...],
        aanpak: str,
        principal: Principal,
        meta: EventMetadata,
    ) -> Vraaggroep:
        if len(set(vraag_ids)) < 2:
            raise OngeldigeInvoer("vraagIds", "combineer minstens twee verschillende vragen")
        groep = cls(groep_id)
        groep._record(
            VragenGecombineerd(
                groep_id, titel, tuple(sorted(set(vraag_ids))), aanpak, principal.sub
            ),
            _nu(),
            meta,
        )
        return groep

    def when(self, event: Any) -> None:
        if isinstance(event, VragenGecombineerd):
            self.vraag_ids = tuple(event.vraag_ids)
        else:
            raise TypeError(f"unknown event {type(event).__name__}")
