"""Command handlers: open the unit of work, load the aggregate, call one method, commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from services.locaties.domain import commands, locatie_id
from services.locaties.domain.model import OngeldigeWaarde, Spoedlocatie
from services.locaties.service_layer.unit_of_work import LocatiesUnitOfWork
from shared import beleid, bevoegde_gezagen
from shared.auth import Principal
from shared.beleid import GeenToegang as GeenToegang  # the app maps it to 403
from shared.eventstore import ConcurrencyError, EventMetadata
from shared.privacy import NieuwePersoon


class VersieVerouderd(Exception):
    """The client's version (If-Match) is not the site's current version."""

    def __init__(self, huidige: int) -> None:
        super().__init__(
            f"De locatie is gewijzigd sinds je hem las: hij is nu op versie "
            f"{huidige}. Haal hem opnieuw op en probeer het opnieuw"
        )
        self.huidige = huidige
        self.headers = {"ETag": f'"{huidige}"'}


class BestaatAl(Exception):
    def __init__(self, locatie_id: str) -> None:
        super().__init__(f"locatie {locatie_id} bestaat al")
        self.locatie_id = locatie_id


@dataclass(frozen=True)
class Actor:
    """Who acts: ``meta.actor`` is their pseudonym; ``nieuw`` is set for a caller who never
    acted here, stored only by a command the policy allowed (in its own transaction)."""

    principal: Principal
    meta: EventMetadata
    nieuw: NieuwePersoon | None = None


def _mag(operatie: str, actor: Actor, bevoegd_gezag: str) -> None:
    """The one authorisation policy (shared/beleid.py), asked for the site's bevoegd gezag."""
    beleid.controleer(operatie, actor.principal, beleid.Betreft(bevoegd_gezag=bevoegd_gezag))


def registreer(
    cmd: commands.RegistreerSpoedlocatie, uow: LocatiesUnitOfWork, actor: Actor
) -> Spoedlocatie:
    if bevoegde_gezagen.get(cmd.bevoegd_gezag) is None:
        raise OngeldigeWaarde("bevoegdGezag", f"onbekend bevoegd gezag {cmd.bevoegd_gezag!r}")
    _mag("locaties.registreer", actor, cmd.bevoegd_gezag)
    with uow:
        uow.word_persoon(actor.nieuw)
        prefix = f"{cmd.bevoegd_gezag}{cmd.gemeentecode}"
        if cmd.locatie_id is not None:
            if not cmd.locatie_id.startswith(prefix):
                raise OngeldigeWaarde(
                    "locatieId",
                    f"een id van bevoegd gezag "
                    f"{cmd.bevoegd_gezag} in gemeente {cmd.gemeentecode} "
                    f"begint met {prefix}",
                )
            nieuw_id = cmd.locatie_id
            if uow.locaties.exists(nieuw_id):
                raise BestaatAl(nieuw_id)
        else:
            nieuw_id = locatie_id.maak(
                cmd.bevoegd_gezag, cmd.gemeentecode, uow.volgend_nummer(prefix)
            )
        locatie = Spoedlocatie.registreer(
            nieuw_id,
            cmd.bevoegd_gezag,
            cmd.gemeentecode,
            cmd.naam,
            cmd.bodemtype,
            cmd.verontreinigingsgroepen,
            cmd.geometrie_rd,
            cmd.registratiedatum,
            actor.meta,
        )
        uow.locaties.add(locatie)
        try:
            uow.commit()
        except ConcurrencyError as exc:
            raise BestaatAl(nieuw_id) from exc
        return locatie


def _wijzig(
    operatie: str,
    uow: LocatiesUnitOfWork,
    locatie_id_: str,
    verwachte_versie: int,
    actor: Actor,
    actie: Callable[[Spoedlocatie], None],
) -> Spoedlocatie:
    with uow:
        locatie = uow.locaties.get(locatie_id_)
        _mag(operatie, actor, locatie.bevoegd_gezag)
        uow.word_persoon(actor.nieuw)
        if locatie.version != verwachte_versie:
            raise VersieVerouderd(locatie.version)
        actie(locatie)
        try:
            uow.commit()
        except ConcurrencyError as exc:
            raise VersieVerouderd(verwachte_versie + 1) from exc
        return locatie


def wijzig_status(
    cmd: commands.WijzigStatus, uow: LocatiesUnitOfWork, actor: Actor
) -> Spoedlocatie:
    return _wijzig(
        "locaties.wijzig_status",
        uow,
        cmd.locatie_id,
        cmd.verwachte_versie,
        actor,
        lambda s: s.wijzig_status(cmd.naar, cmd.besluitdatum, cmd.toelichting, actor.meta),
    )


def beoordeel_risico(
    cmd: commands.BeoordeelRisico, uow: LocatiesUnitOfWork, actor: Actor
) -> Spoedlocatie:
    return _wijzig(
        "locaties.beoordeel_risico",
        uow,
        cmd.locatie_id,
        cmd.verwachte_versie,
        actor,
        lambda s: s.beoordeel_risico(
            cmd.risicotype,
            cmd.vastgesteld,
            cmd.criteria,
            cmd.beoordelingsdatum,
            cmd.toelichting,
            actor.meta,
        ),
    )


def stel_knelpunt_vast(
    cmd: commands.StelKnelpuntVast, uow: LocatiesUnitOfWork, actor: Actor
) -> Spoedlocatie:
    return _wijzig(
        "locaties.stel_knelpunt_vast",
        uow,
        cmd.locatie_id,
        cmd.verwachte_versie,
        actor,
        lambda s: s.stel_knelpunt_vast(cmd.knelpunt, cmd.datum, cmd.toelichting, actor.meta),
    )


def ken_budget_toe(
    cmd: commands.KenBudgetToe, uow: LocatiesUnitOfWork, actor: Actor
) -> Spoedlocatie:
    return _wijzig(
        "locaties.ken_budget_toe",
        uow,
        cmd.locatie_id,
        cmd.verwachte_versie,
        actor,
        lambda s: s.ken_budget_toe(cmd.bedrag_euro, cmd.datum, cmd.bron, actor.meta),
    )


def boek_kosten(cmd: commands.BoekKosten, uow: LocatiesUnitOfWork, actor: Actor) -> Spoedlocatie:
    return _wijzig(
        "locaties.boek_kosten",
        uow,
        cmd.locatie_id,
        cmd.verwachte_versie,
        actor,
        lambda s: s.boek_kosten(cmd.bedrag_euro, cmd.datum, cmd.omschrijving, actor.meta),
    )


def draag_over(cmd: commands.DraagOver, uow: LocatiesUnitOfWork, actor: Actor) -> Spoedlocatie:
    return _wijzig(
        "locaties.draag_over",
        uow,
        cmd.locatie_id,
        cmd.verwachte_versie,
        actor,
        lambda s: s.draag_over(cmd.naar, cmd.datum, cmd.reden, actor.meta),
    )


# Turns a correction as a client sent it into the corrected event's fields, given that event:
# the entrypoint's request schemas do it (entrypoints/correcties.py), so a corrected value
# passes the same validation as the command that first recorded it.
Correctiecontrole = Callable[[Any, Mapping[str, Any], str], dict[str, Any]]


def corrigeer(
    cmd: commands.Corrigeer,
    uow: LocatiesUnitOfWork,
    actor: Actor,
    controle: Correctiecontrole | None = None,
) -> Spoedlocatie:
    """Without ``controle`` the correction is already in the event's form; the domain checks
    the corrected history either way."""

    def actie(s: Spoedlocatie) -> None:
        correctie = cmd.correctie
        if controle is not None:
            doel = s.gebeurtenis(cmd.gecorrigeerde_versie)
            correctie = controle(doel, cmd.correctie, cmd.geometrie_crs)
        s.corrigeer(cmd.gecorrigeerde_versie, correctie, cmd.reden, actor.meta)

    return _wijzig("locaties.corrigeer", uow, cmd.locatie_id, cmd.verwachte_versie, actor, actie)
