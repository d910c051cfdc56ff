"""Publishing reports and comparing versions: the rapportage service's one write.

``publiceer`` asks the one policy, builds the report as the routes serve it (``VraagRapport``,
up to the watermark, bound to its log), and in one transaction appends its event to the
service's own log (stream ``publicaties``, whose version is the publication's number, so two
publishing at once cannot both take a number: the second gets a version conflict) with its
outbox row, and stores the frozen report. The relay seals the event and puts it on the
publications topic, as locaties' relay does for the registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from services.rapportage.adapters import publicaties as opslag
from services.rapportage.domain import publicaties as domein
from services.rapportage.domain import verschillen
from services.rapportage.domain.binding import SPOEDLOCATIES, logboek_van
from services.rapportage.domain.publicaties import Publicatie, PublicatieNietGevonden, Publiceer
from services.rapportage.domain.queries import VraagRapport
from services.rapportage.domain.rapporten import Rapport
from services.rapportage.domain.verschillen import Moment
from services.rapportage.service_layer.rapportage import Rapportage
from shared import beleid
from shared.auth import Principal
from shared.eventstore import EventMetadata, NewEvent
from shared.unit_of_work import SqlUnitOfWork

OPERATIE = "rapportage.publiceer"


def _nu() -> datetime:
    return datetime.now(UTC)


@dataclass
class Publicaties:
    sessions: sessionmaker[Session]
    rapportage: Rapportage
    topic: str
    on_commit: Callable[[], None] | None = None
    clock: Callable[[], datetime] = _nu

    def publiceer(self, cmd: Publiceer, principal: Principal) -> Publicatie:
        beleid.controleer(OPERATIE, principal)
        domein.controleer_titel(cmd.titel)
        rapport = self.rapportage.handle(
            VraagRapport(cmd.rapport, cmd.peildatum, cmd.kennisdatum, cmd.van)
        )
        # The shared unit of work: with an Idempotency-Key the stored answer commits in this
        # same transaction (shared/idempotency.py), so a retried publish is answered, not
        # published twice.
        with SqlUnitOfWork(self.sessions, self.on_commit, self.clock) as uow:
            register = opslag.register(uow.session)
            publicatie = domein.volgende(register, cmd, rapport, self.clock())
            uow.events.append(
                domein.STROOM,
                domein.STROOMTYPE,
                len(register),  # a concurrent publication took the number: ConcurrencyError
                [
                    NewEvent(
                        domein.GEPUBLICEERD,
                        publicatie.kop(),
                        publicatie.gepubliceerd_op,
                        # The role and organisation, not the login: the topic is public.
                        EventMetadata(
                            actor=str(principal.rol),
                            organisation=principal.organisatie,
                            role=str(principal.rol),
                        ),
                    )
                ],
                self.topic,
            )
            opslag.voeg_toe(uow.session, publicatie)
            uow.commit()
        return publicatie

    def lijst(self) -> list[dict[str, Any]]:
        """Every publication without its content, oldest first."""
        with self.sessions() as session:
            return opslag.koppen(session)

    def een(self, nummer: int) -> Publicatie:
        with self.sessions() as session:
            publicatie = opslag.een(session, nummer)
        if publicatie is None:
            raise PublicatieNietGevonden(nummer)
        return publicatie

    def verschillen(self, nummer: int, ander: int) -> dict[str, Any]:
        """Publication ``nummer`` (old) against ``ander`` (new)."""
        oud, nieuw = self.een(nummer), self.een(ander)
        uit = self._verschil(oud.rapport, nieuw.rapport)
        uit["oud"] |= {"nummer": oud.nummer, "titel": oud.titel}
        uit["nieuw"] |= {"nummer": nieuw.nummer, "titel": nieuw.titel}
        return uit

    def rapport_verschillen(self, oud: VraagRapport, nieuw: VraagRapport) -> dict[str, Any]:
        """Two versions of a live report (other peildatum and/or kennisdatum)."""
        return self._verschil(self.rapportage.handle(oud), self.rapportage.handle(nieuw))

    def _verschil(self, oud: Rapport, nieuw: Rapport) -> dict[str, Any]:
        locaties: list[dict[str, Any]] = []
        if logboek_van(oud.naam) == logboek_van(nieuw.naam) == SPOEDLOCATIES:
            a = verschillen.moment_van(oud.parameters, oud.positie)
            b = verschillen.moment_van(nieuw.parameters, nieuw.positie)
            tot = max(a.positie, b.positie)
            kandidaten = self._kandidaten(a, b)
            with self.sessions() as session:
                feiten = opslag.feiten_van(session, kandidaten, tot)
            locaties = verschillen.locaties(feiten, a, b)
        return {
            "oud": _versie(oud),
            "nieuw": _versie(nieuw),
            "cijfers": verschillen.cijfers(oud.inhoud, nieuw.inhoud),
            "samenvatting": verschillen.samenvatting(locaties),
            "locaties": locaties,
        }

    def _kandidaten(self, a: Moment, b: Moment) -> set[str]:
        """The sites that may have moved: those whose state differs on the timelines (which
        hold every fact up to some position at least both versions'), and those with a fact
        after the older version's position. A site with neither has all its facts at or
        before both positions, so the timelines give exactly both its versions, and equal."""
        with self.rapportage.vast(max(a.positie, b.positie)) as tijdlijnen:
            voor = tijdlijnen.stand_op(a.peildatum, a.kennisdatum)
            na = tijdlijnen.stand_op(b.peildatum, b.kennisdatum)
            verschoven = {
                lid
                for lid in voor.keys() | na.keys()
                if verschillen.stand(voor.get(lid)) != verschillen.stand(na.get(lid))
            }
        with self.sessions() as session:
            return verschoven | opslag.locaties_na(session, min(a.positie, b.positie))


def _versie(rapport: Rapport) -> dict[str, Any]:
    return {
        "rapport": rapport.naam,
        "parameters": dict(rapport.parameters),
        "positie": rapport.positie,
        "digest": rapport.digest,
    }
