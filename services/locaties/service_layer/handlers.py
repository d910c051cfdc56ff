"""Command handlers: one per command type, each ``(cmd, uow)``; :func:`handle` dispatches on the
command's type. A handler opens the unit of work, loads the site, asks the one policy, calls one
domain method and commits. Who asked is the unit of work's (``uow.actor``): it stamps them on
the events it saves."""

from __future__ import annotations

from functools import singledispatch

from services.locaties.domain import commands, locatie_id
from services.locaties.domain.model import OngeldigeWaarde, Spoedlocatie
from services.locaties.service_layer.unit_of_work import Actor as Actor  # re-exported
from services.locaties.service_layer.unit_of_work import LocatiesUnitOfWork
from shared import beleid, bevoegde_gezagen
from shared.beleid import GeenToegang as GeenToegang  # the app maps it to 403
from shared.eventstore import ConcurrencyError


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


def _mag(operatie: str, uow: LocatiesUnitOfWork, bevoegd_gezag: str) -> None:
    """The one authorisation policy (shared/beleid.py), asked for the site's bevoegd gezag."""
    beleid.controleer(operatie, uow.actor.principal, beleid.Betreft(bevoegd_gezag=bevoegd_gezag))


@singledispatch
def handle(cmd: commands.Commando, uow: LocatiesUnitOfWork) -> Spoedlocatie:
    """Run ``cmd`` through its handler; returns the site as the command left it."""
    raise TypeError(f"geen handler voor {type(cmd).__name__}")


@handle.register
def registreer(cmd: commands.RegistreerSpoedlocatie, uow: LocatiesUnitOfWork) -> Spoedlocatie:
    if bevoegde_gezagen.get(cmd.bevoegd_gezag) is None:
        raise OngeldigeWaarde("bevoegdGezag", f"onbekend bevoegd gezag {cmd.bevoegd_gezag!r}")
    _mag(cmd.OPERATIE, uow, cmd.bevoegd_gezag)
    with uow:
        nieuw_id = _nieuw_id(cmd, uow)
        locatie = Spoedlocatie.registreer(
            nieuw_id,
            cmd.bevoegd_gezag,
            cmd.gemeentecode,
            cmd.naam,
            cmd.bodemtype,
            cmd.verontreinigingsgroepen,
            cmd.geometrie_rd,
            cmd.registratiedatum,
        )
        uow.locaties.add(locatie)
        try:
            uow.commit()
        except ConcurrencyError as exc:
            raise BestaatAl(nieuw_id) from exc
        return locatie


def _nieuw_id(cmd: commands.RegistreerSpoedlocatie, uow: LocatiesUnitOfWork) -> str:
    prefix = f"{cmd.bevoegd_gezag}{cmd.gemeentecode}"
    if cmd.locatie_id is None:
        # A number an explicit id already holds is passed over (the counter moves on in this
        # transaction). Without that, the clash's BestaatAl rolled the counter back with the
        # rest, and every later registration without an id under this prefix met the same 409.
        while True:
            kandidaat = locatie_id.maak(
                cmd.bevoegd_gezag, cmd.gemeentecode, uow.volgend_nummer(prefix)
            )
            if not uow.locaties.exists(kandidaat):
                return kandidaat
    if not cmd.locatie_id.startswith(prefix):
        raise OngeldigeWaarde(
            "locatieId",
            f"een id van bevoegd gezag {cmd.bevoegd_gezag} in gemeente {cmd.gemeentecode} "
            f"begint met {prefix}",
        )
    if uow.locaties.exists(cmd.locatie_id):
        raise BestaatAl(cmd.locatie_id)
    return cmd.locatie_id


def _te_wijzigen(cmd: commands.Wijziging, uow: LocatiesUnitOfWork) -> Spoedlocatie:
    """The site the command changes, once the policy allows it and the version matches."""
    locatie = uow.locaties.get(cmd.locatie_id, cmd.verwachte_versie)
    _mag(cmd.OPERATIE, uow, locatie.bevoegd_gezag)
    if locatie.version != cmd.verwachte_versie:
        raise VersieVerouderd(locatie.version)
    return locatie


def _vastgelegd(
    cmd: commands.Wijziging, uow: LocatiesUnitOfWork, locatie: Spoedlocatie
) -> Spoedlocatie:
    try:
        uow.commit()
    except ConcurrencyError as exc:
        raise VersieVerouderd(cmd.verwachte_versie + 1) from exc
    return locatie


@handle.register
def wijzig_status(cmd: commands.WijzigStatus, uow: LocatiesUnitOfWork) -> Spoedlocatie:
    with uow:
        locatie = _te_wijzigen(cmd, uow)
        locatie.wijzig_status(cmd.naar, cmd.besluitdatum, cmd.toelichting)
        return _vastgelegd(cmd, uow, locatie)


@handle.register
def beoordeel_risico(cmd: commands.BeoordeelRisico, uow: LocatiesUnitOfWork) -> Spoedlocatie:
    with uow:
        locatie = _te_wijzigen(cmd, uow)
        locatie.beoordeel_risico(
            cmd.risicotype, cmd.vastgesteld, cmd.criteria, cmd.beoordelingsdatum, cmd.toelichting
        )
        return _vastgelegd(cmd, uow, locatie)


@handle.register
def stel_knelpunt_vast(cmd: commands.StelKnelpuntVast, uow: LocatiesUnitOfWork) -> Spoedlocatie:
    with uow:
        locatie = _te_wijzigen(cmd, uow)
        locatie.stel_knelpunt_vast(cmd.knelpunt, cmd.datum, cmd.toelichting)
        return _vastgelegd(cmd, uow, locatie)


@handle.register
def ken_budget_toe(cmd: commands.KenBudgetToe, uow: LocatiesUnitOfWork) -> Spoedlocatie:
    with uow:
        locatie = _te_wijzigen(cmd, uow)
        locatie.ken_budget_toe(cmd.bedrag_euro, cmd.datum, cmd.bron)
        return _vastgelegd(cmd, uow, locatie)


@handle.register
def boek_kosten(cmd: commands.BoekKosten, uow: LocatiesUnitOfWork) -> Spoedlocatie:
    with uow:
        locatie = _te_wijzigen(cmd, uow)
        locatie.boek_kosten(cmd.bedrag_euro, cmd.datum, cmd.omschrijving)
        return _vastgelegd(cmd, uow, locatie)


@handle.register
def draag_over(cmd: commands.DraagOver, uow: LocatiesUnitOfWork) -> Spoedlocatie:
    with uow:
        locatie = _te_wijzigen(cmd, uow)
        locatie.draag_over(cmd.naar, cmd.datum, cmd.reden)
        return _vastgelegd(cmd, uow, locatie)


@handle.register
def stel_planning_vast(cmd: commands.StelPlanningVast, uow: LocatiesUnitOfWork) -> Spoedlocatie:
    with uow:
        locatie = _te_wijzigen(cmd, uow)
        locatie.stel_planning_vast(
            cmd.onderzoek_gereed, cmd.start_sanering, cmd.afgehandeld, cmd.datum, cmd.reden
        )
        return _vastgelegd(cmd, uow, locatie)


@handle.register
def corrigeer(cmd: commands.Corrigeer, uow: LocatiesUnitOfWork) -> Spoedlocatie:
    """With the unit of work's ``correctiecontrole`` (the API's request schemas) the correction
    is translated and validated as the command that recorded the event was; without it, it is
    already in the event's form. The domain checks the corrected history either way."""
    with uow:
        locatie = _te_wijzigen(cmd, uow)
        correctie = cmd.correctie
        if uow.correctiecontrole is not None:
            doel = locatie.gebeurtenis(cmd.gecorrigeerde_versie)
            correctie = uow.correctiecontrole(doel, cmd.correctie, cmd.geometrie_crs)
        locatie.corrigeer(cmd.gecorrigeerde_versie, correctie, cmd.reden)
        return _vastgelegd(cmd, uow, locatie)
