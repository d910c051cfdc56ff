"""Publications: a report frozen as it was sent (to the Tweede Kamer, in an annual report).

A publication is a report with its parameters, ``positie``, digest and the log binding it
carried at that moment, numbered and titled. It never changes: a correction is a new
publication that names the one it replaces (``vervangt``), and one publication is replaced at
most once, so the line of corrections is a chain a reader can follow.

The register decides the next number from the publications so far; the event that records it
(``rapport-gepubliceerd``) carries everything but the content, which the digest commits to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from services.rapportage.domain.rapporten import Rapport, Tabel

GEPUBLICEERD = "rapport-gepubliceerd"
STROOM = "publicaties"  # one stream: its version is the publication's number
STROOMTYPE = "Publicatieregister"
TITEL_MAX = 200


class PublicatieNietGevonden(LookupError):
    def __init__(self, nummer: int) -> None:
        super().__init__(f"Publicatie {nummer} bestaat niet")
        self.nummer = nummer


class AlVervangen(Exception):
    """A publication is replaced once; a second correction replaces the first correction."""

    def __init__(self, nummer: int, door: int) -> None:
        super().__init__(
            f"Publicatie {nummer} is al vervangen door publicatie {door}; "
            f"vervang die als er opnieuw iets te verbeteren is"
        )


class OngeldigePublicatie(ValueError):
    def __init__(self, veld: str, reden: str) -> None:
        super().__init__(f"{veld}: {reden}")
        self.veld = veld
        self.reden = reden


@dataclass(frozen=True)
class Publiceer:
    """Publish report ``rapport`` on ``peildatum`` as known on ``kennisdatum`` (``van``: the
    start of the kamerbrief's period) under ``titel``, possibly replacing ``vervangt``."""

    rapport: str
    titel: str
    peildatum: date
    kennisdatum: date
    van: date | None = None
    vervangt: int | None = None


@dataclass(frozen=True)
class Publicatie:
    nummer: int
    titel: str
    gepubliceerd_op: datetime
    rapport: Rapport
    vervangt: int | None = None
    vervangen_door: int | None = None  # derived from later publications, never stored here

    def kop(self) -> dict[str, Any]:
        """What the event says and the list shows: everything but the content."""
        return {
            "nummer": self.nummer,
            "titel": self.titel,
            "gepubliceerdOp": self.gepubliceerd_op.isoformat(),
            "rapport": self.rapport.naam,
            "parameters": dict(self.rapport.parameters),
            "positie": self.rapport.positie,
            "digest": self.rapport.digest,
            "logboeken": {k: dict(v) for k, v in self.rapport.logboeken.items()},
            "vervangt": self.vervangt,
        }


def controleer_titel(titel: str) -> str:
    titel = titel.strip()
    if not titel:
        raise OngeldigePublicatie("titel", "een publicatie heeft een titel")
    if len(titel) > TITEL_MAX:
        raise OngeldigePublicatie("titel", f"ten hoogste {TITEL_MAX} tekens")
    return titel


def volgende(
    register: Mapping[int, int | None],
    cmd: Publiceer,
    rapport: Rapport,
    nu: datetime,
) -> Publicatie:
    """The next publication after those in ``register`` (number -> the number it replaces)."""
    titel = controleer_titel(cmd.titel)
    if cmd.vervangt is not None:
        if cmd.vervangt not in register:
            # Invalid input, not a missing resource: the path names none.
            raise OngeldigePublicatie("vervangt", f"publicatie {cmd.vervangt} bestaat niet")
        for nummer, vervangt in register.items():
            if vervangt == cmd.vervangt:
                raise AlVervangen(cmd.vervangt, nummer)
    return Publicatie(len(register) + 1, titel, nu, rapport, cmd.vervangt)


def rapport_uit(kop: Mapping[str, Any], inhoud: Mapping[str, Any], tabellen: Any) -> Rapport:
    """A stored report back as it was published (the digest is recomputed from it, so a stored
    row that was changed no longer matches the digest in the event)."""
    return Rapport(
        kop["rapport"],
        kop["rapportTitel"],
        kop["parameters"],
        int(kop["positie"]),
        inhoud,
        [
            Tabel(
                t["titel"], t["kolommen"], t["rijen"], tuple(t["grafiek"]) if t["grafiek"] else None
            )
            for t in tabellen
        ],
        kop["logboeken"],
    )


def tabellen_als_data(rapport: Rapport) -> list[dict[str, Any]]:
    return [
        {
            "titel": t.titel,
            "kolommen": list(t.kolommen),
            "rijen": [list(r) for r in t.rijen],
            "grafiek": list(t.grafiek) if t.grafiek else None,
        }
        for t in rapport.tabellen
    ]
