"""The Kennisvraag and Vraaggroep aggregates.

Who may do what is not decided here but in the one policy (shared/beleid.py), asked by the
handlers; the aggregates keep the rules of the things themselves (states, required fields).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, ClassVar

from services.kennis.domain.events import (
    AntwoordGeaccepteerd,
    AntwoordGegeven,
    KennisvraagGesloten,
    KennisvraagGesteld,
    VragenGecombineerd,
    registry,
)
from services.kennis.domain.vocabulaire import Thema, VraagStatus, op_volgorde
from shared.aggregate import Aggregate
from shared.auth import Principal
from shared.tijd import begin_van


class KennisFout(Exception):
    """A command the rules of the knowledge platform refuse."""


class Conflict(KennisFout):
    """Not possible in the question's current state (409)."""


class GelijktijdigGewijzigd(Conflict):
    """Another command changed the same thing first (409); sent again, it sees that change."""

    def __init__(self, wat: str) -> None:
        super().__init__(f"{wat} is tegelijk door een ander gewijzigd; probeer het opnieuw")


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
    datum: date | None = None


@dataclass
class VraagToestand:
    titel: str = ""
    tekst: str = ""
    themas: tuple[str, ...] = ()
    gesteld_door: str = ""
    organisatie: str | None = None
    status: VraagStatus = VraagStatus.OPEN
    antwoorden: list[Antwoord] = field(default_factory=list)
    geaccepteerd: str | None = None


class Kennisvraag(Aggregate):
    stream_type: ClassVar[str] = "kennisvraag"
    registry = registry

    def __init__(self, vraag_id: str) -> None:
        super().__init__(vraag_id)
        self.toestand = VraagToestand()

    @classmethod
    def stel(
        cls,
        vraag_id: str,
        titel: str,
        tekst: str,
        themas: tuple[Thema, ...],
        principal: Principal,
        datum: date,
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
                op_volgorde(themas),
                principal.sub,
                principal.organisatie,
                datum,
            ),
            begin_van(datum),
        )
        return vraag

    def beantwoord(self, antwoord_id: str, tekst: str, principal: Principal, datum: date) -> None:
        if self.toestand.status is VraagStatus.GESLOTEN:
            raise Conflict("de vraag is gesloten; antwoorden kan niet meer")
        if not tekst.strip():
            raise OngeldigeInvoer("tekst", "een antwoord heeft tekst")
        self._record(
            AntwoordGegeven(
                antwoord_id, tekst.strip(), principal.sub, principal.organisatie, datum
            ),
            begin_van(datum),
        )

    def accepteer(self, antwoord_id: str, principal: Principal, datum: date) -> None:
        if self.toestand.status is VraagStatus.GESLOTEN:
            raise Conflict("de vraag is gesloten")
        if self.toestand.geaccepteerd is not None:
            raise Conflict(f"antwoord {self.toestand.geaccepteerd} is al geaccepteerd")
        if antwoord_id not in {a.antwoord_id for a in self.toestand.antwoorden}:
            raise OngeldigeInvoer("antwoordId", f"deze vraag heeft geen antwoord {antwoord_id}")
        self._record(AntwoordGeaccepteerd(antwoord_id, principal.sub, datum), begin_van(datum))

    def sluit(self, reden: str, principal: Principal, datum: date) -> None:
        if self.toestand.status is VraagStatus.GESLOTEN:
            raise Conflict("de vraag is al gesloten")
        self._record(KennisvraagGesloten(reden, principal.sub, datum), begin_van(datum))

    def when(self, event: Any) -> None:
        toestand = self.toestand
        match event:
            case KennisvraagGesteld():
                toestand.titel, toestand.tekst = event.titel, event.tekst
                toestand.themas = tuple(event.themas)
                toestand.gesteld_door, toestand.organisatie = event.gesteld_door, event.organisatie
            case AntwoordGegeven():
                toestand.antwoorden.append(
                    Antwoord(
                        event.antwoord_id, event.tekst, event.door, event.organisatie, event.datum
                    )
                )
            case AntwoordGeaccepteerd():
                toestand.geaccepteerd = event.antwoord_id
                toestand.status = VraagStatus.BEANTWOORD
            case KennisvraagGesloten():
                toestand.status = VraagStatus.GESLOTEN
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
        datum: date,
    ) -> Vraaggroep:
        if len(set(vraag_ids)) < 2:
            raise OngeldigeInvoer("vraagIds", "combineer minstens twee verschillende vragen")
        groep = cls(groep_id)
        groep._record(
            VragenGecombineerd(
                groep_id, titel, tuple(sorted(set(vraag_ids))), aanpak, principal.sub, datum
            ),
            begin_van(datum),
        )
        return groep

    def when(self, event: Any) -> None:
        if isinstance(event, VragenGecombineerd):
            self.vraag_ids = tuple(event.vraag_ids)
        else:
            raise TypeError(f"unknown event {type(event).__name__}")
