"""One authorisation policy for the three services: who may do which write, on whose things.

A single table of operation x role -> condition. The services ask it in their service layer
(the handlers), never in routes or aggregates, so this module is the one place that says who may
do what; the README's table is generated from it, and a test tries every role against every write
operation of the three OpenAPI documents (each operation names its rule in ``x-beleid``).

Reading is open to every authenticated role, except the personal data behind a pseudonym
(``privacy.lees``); every write is in the table. An operation that is not in the table is a
programming error and fails loudly (:class:`OnbekendeOperatie`), so a new write cannot slip
through without a rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from shared import bevoegde_gezagen
from shared.auth import Principal, Rol

OPENAPI_SLEUTEL = "x-beleid"


class Voorwaarde(StrEnum):
    """Under which ownership condition a role may perform an operation."""

    ALTIJD = "ja"
    EIGEN_GEZAG = "eigen bevoegd gezag"  # the site belongs to the caller's bevoegd gezag
    EIGEN_VRAAG = "eigen vraag"  # the caller asked it (same sub, or its bevoegd gezag did)
    AANWEZIG = "als aanwezige"  # the caller was recorded as present


@dataclass(frozen=True)
class Betreft:
    """What an operation acts on, as far as the conditions need to know it."""

    bevoegd_gezag: str | None = None
    vrager: str | None = None
    vrager_organisatie: str | None = None
    aanwezigen: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Regel:
    omschrijving: str  # Dutch, "een spoedlocatie registreren": in the README and in refusals
    rollen: Mapping[Rol, Voorwaarde]


class GeenToegang(Exception):
    """The policy refuses the operation for this principal (403)."""


class OnbekendeOperatie(LookupError):
    """An operation without a rule: a programming error, never a silent allow or deny."""


_BG, _UP, _RIJK = Rol.BEVOEGD_GEZAG, Rol.UITVOERINGSPROGRAMMA, Rol.RIJK
_A, _GEZAG, _VRAAG, _AANWEZIG = (
    Voorwaarde.ALTIJD,
    Voorwaarde.EIGEN_GEZAG,
    Voorwaarde.EIGEN_VRAAG,
    Voorwaarde.AANWEZIG,
)


def _alleen_eigen_gezag(omschrijving: str) -> Regel:
    # The covenant gives the programme, the Rijk and auditors no power over a site: only its own
    # bevoegd gezag registers and changes it.
    return Regel(omschrijving, {_BG: _GEZAG})


BELEID: Mapping[str, Regel] = {
    "locaties.registreer": _alleen_eigen_gezag("een spoedlocatie registreren"),
    "locaties.wijzig_status": _alleen_eigen_gezag("de status van een spoedlocatie wijzigen"),
    "locaties.beoordeel_risico": _alleen_eigen_gezag("een risico beoordelen"),
    "locaties.stel_knelpunt_vast": _alleen_eigen_gezag("een knelpunt vaststellen"),
    "locaties.ken_budget_toe": _alleen_eigen_gezag("budget toekennen"),
    "locaties.boek_kosten": _alleen_eigen_gezag("kosten boeken"),
    "locaties.draag_over": _alleen_eigen_gezag("een spoedlocatie overdragen"),
    "locaties.corrigeer": _alleen_eigen_gezag("een eerdere registratie corrigeren"),
    "locaties.stel_planning_vast": _alleen_eigen_gezag(
        "de planning van een spoedlocatie vastleggen"
    ),
    # The programme's own instruments are agreements, not sites: the programme team records
    # the Stuurgroep's decisions on deadlines and targets, the Rijk its budget envelopes.
    "programma.stel_afspraak_vast": Regel("een afspraak van de Stuurgroep vastleggen", {_UP: _A}),
    "programma.stel_envelop_vast": Regel("een budgetenvelop vaststellen", {_RIJK: _A}),
    # A bevoegd gezag brings its own history in; each line is then held to its own rule above
    # (only its own sites), so an import can do nothing the single commands could not.
    "locaties.importeer": Regel("een historie importeren", {_BG: _A}),
    # Questions come from the whole field, the Rijk included; anyone who knows may answer.
    "kennis.stel_vraag": Regel("een kennisvraag stellen", {_BG: _A, _UP: _A, _RIJK: _A}),
    "kennis.beantwoord": Regel("een kennisvraag beantwoorden", {_BG: _A, _UP: _A, _RIJK: _A}),
    # Only the asker (or its bevoegd gezag) judges the answer; the programme may step in.
    "kennis.accepteer": Regel("een antwoord accepteren", {_BG: _VRAAG, _RIJK: _VRAAG, _UP: _A}),
    "kennis.sluit": Regel("een kennisvraag sluiten", {_BG: _VRAAG, _RIJK: _VRAAG, _UP: _A}),
    # The programme runs the platform: groups, meetings, attendance, the expert register.
    "kennis.combineer": Regel("vragen combineren", {_UP: _A}),
    "kennis.plan_bijeenkomst": Regel("een bijeenkomst plannen", {_UP: _A}),
    "kennis.registreer_aanwezigheid": Regel("de aanwezigheid registreren", {_UP: _A}),
    "kennis.registreer_expert": Regel("een expert registreren", {_UP: _A}),
    # Knowledge stays available to all: guides and best practices from the field, the Rijk and
    # the programme, each under its own name.
    "kennis.publiceer_document": Regel("een document publiceren", {_BG: _A, _UP: _A, _RIJK: _A}),
    # The podium is for the bevoegde gezagen: a success is credited to the caller's own one.
    "kennis.meld_succes": Regel("een succes melden", {_BG: _A}),
    # Meetings are for the field; the organiser does not sign up for or grade its own meeting.
    "kennis.meld_aan": Regel("je aanmelden voor een bijeenkomst", {_BG: _A, _RIJK: _A}),
    "kennis.evalueer": Regel("een bijeenkomst evalueren", {_BG: _AANWEZIG, _RIJK: _AANWEZIG}),
    # Personal data behind the log's pseudonyms (both services' person stores): the programme
    # answers requests to see and to erase them (AVG), and nobody else reads them either.
    "privacy.lees": Regel("persoonsgegevens achter een pseudoniem inzien", {_UP: _A}),
    "privacy.vergeet": Regel("een persoon vergeten", {_UP: _A}),
    # What goes to parliament or into an annual report is the programme's and the Rijk's word;
    # a publication freezes a report everyone can already read, so it changes no site.
    "rapportage.publiceer": Regel("een rapport publiceren", {_UP: _A, _RIJK: _A}),
}


def regel(operatie: str) -> Regel:
    """The rule of ``operatie``; :class:`OnbekendeOperatie` when there is none."""
    try:
        return BELEID[operatie]
    except KeyError:
        raise OnbekendeOperatie(f"no authorisation rule for operation {operatie!r}") from None


def weigering(operatie: str, principal: Principal, betreft: Betreft = Betreft()) -> str | None:
    """Why ``principal`` may not perform ``operatie`` on ``betreft`` (Dutch), or None."""
    r = regel(operatie)
    voorwaarde = r.rollen.get(principal.rol)
    if voorwaarde is None:
        return f"Met de rol {principal.rol} mag je niet {r.omschrijving}{_wie_wel(r)}"
    if (
        principal.rol is Rol.BEVOEGD_GEZAG
        and bevoegde_gezagen.get(principal.organisatie or "") is None
    ):
        return (
            f"Het token noemt geen van de 42 bevoegde gezagen als organisatie; "
            f"alleen een bevoegd gezag mag als bevoegd gezag {r.omschrijving}."
        )
    match voorwaarde:
        case Voorwaarde.ALTIJD:
            return None
        case Voorwaarde.EIGEN_GEZAG:
            gezag = _nodig(betreft.bevoegd_gezag, operatie, "bevoegd_gezag")
            if principal.organisatie == gezag:
                return None
            return (
                f"{principal.organisatie} mag niet {r.omschrijving} voor bevoegd gezag {gezag}; "
                f"dat mag alleen {gezag} zelf."
            )
        case Voorwaarde.EIGEN_VRAAG:
            vrager = _nodig(betreft.vrager, operatie, "vrager")
            if principal.sub == vrager or (
                principal.rol is Rol.BEVOEGD_GEZAG
                and betreft.vrager_organisatie is not None
                and principal.organisatie == betreft.vrager_organisatie
            ):
                return None
            return (
                f"Alleen wie de vraag stelde (of het bevoegd gezag dat haar stelde) of het "
                f"uitvoeringsprogramma mag {r.omschrijving}."
            )
        case Voorwaarde.AANWEZIG:
            if principal.sub in betreft.aanwezigen:
                return None
            return f"Alleen wie aanwezig was mag {r.omschrijving}."


def controleer(operatie: str, principal: Principal, betreft: Betreft = Betreft()) -> None:
    """Raise :class:`GeenToegang` unless the policy allows it."""
    reden = weigering(operatie, principal, betreft)
    if reden is not None:
        raise GeenToegang(reden)


def openapi_extra(operatie: str) -> dict[str, Any]:
    """Route metadata naming the rule, so the OpenAPI document says which rule guards a write;
    fails at import for an operation without a rule."""
    regel(operatie)
    return {OPENAPI_SLEUTEL: operatie}


def _wie_wel(r: Regel) -> str:
    wie = ", ".join(_cel(v, rol) for rol, v in r.rollen.items())
    return f"; dat mag: {wie}." if wie else "."


def _cel(voorwaarde: Voorwaarde, rol: Rol) -> str:
    return str(rol) if voorwaarde is Voorwaarde.ALTIJD else f"{rol} ({voorwaarde})"


def _nodig(waarde: str | None, operatie: str, veld: str) -> str:
    if waarde is None:  # a handler that forgot to say what it acts on: fail, never allow
        raise ValueError(f"{operatie}: the policy needs Betreft.{veld}")
    return waarde


def markdown_tabel() -> str:
    """The README's "who may do what" table, generated from :data:`BELEID`."""
    rollen = list(Rol)
    regels = [
        "| operatie | " + " | ".join(str(r) for r in rollen) + " |",
        "| --- " * (len(rollen) + 1) + "|",
    ]
    for operatie, r in BELEID.items():
        cellen = [str(r.rollen[rol]) if rol in r.rollen else "nee" for rol in rollen]
        regels.append(f"| `{operatie}` ({r.omschrijving}) | " + " | ".join(cellen) + " |")
    return "\n".join(regels)
