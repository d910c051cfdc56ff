"""The person store: pseudonyms for the log, personal details encrypted per person, erasure.

Events name people only by pseudonym (``prs-<uuid4>``, random, so it says nothing about the
person and cannot be recomputed from a login). This store, in the service's own database,
maps the keyed lookup of a login to that pseudonym and keeps the details (the login, an
expert's name and contact address) encrypted with the person's key. ``vergeet`` destroys the
key, the details and the lookup: the sealed log is untouched (it never held the details), so it
still verifies and every report over it still reproduces, while every read that shows the
person now says ``verwijderd``. The same login coming back later gets a new pseudonym.

Every method works in the caller's session, so details written for a command commit or roll
back with its events.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from shared.db.direct import execute, json_rows
from shared.privacy.sleutels import (
    OntsleutelFout,
    Sleutelring,
    nieuwe_sleutel,
    normaliseer,
    ontsleutel_gegevens,
    versleutel_gegevens,
)
from shared.privacy.tables import personen, persoon_gegevens, persoon_sleutels

VERWIJDERD = "verwijderd"
ONBEKEND = "onbekend"
ACCOUNT = "account"  # the record holding the login itself
PSEUDONIEM = re.compile(r"^prs-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def is_pseudoniem(waarde: str) -> bool:
    return PSEUDONIEM.match(waarde) is not None


class GelijktijdigNieuw(Exception):
    """Two first actions of one login at the same moment: the other one made the person, so
    this command (whose events name another, unmade pseudonym) is refused; a retry succeeds."""

    def __init__(self) -> None:
        super().__init__(
            "Je eerste actie werd tegelijk met een andere verwerkt; probeer het opnieuw"
        )


@dataclass(frozen=True)
class NieuwePersoon:
    """A caller who never acted here: the pseudonym their events will carry, made in the
    store only by the command that the policy allowed, in its own transaction."""

    pseudoniem: str
    login: str = field(repr=False)


@dataclass(frozen=True)
class Persoon:
    """What the store knows of a pseudonym: its details per record, or that it was erased."""

    pseudoniem: str
    verwijderd_op: datetime | None
    gegevens: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def verwijderd(self) -> bool:
        return self.verwijderd_op is not None

    def veld(self, ref: str, naam: str) -> str:
        if self.verwijderd:
            return VERWIJDERD
        return str(self.gegevens.get(ref, {}).get(naam, ONBEKEND))

    @property
    def login(self) -> str:
        return self.veld(ACCOUNT, "login")


# Built once: every command asks it (building and compiling per call cost more than running it).
_ZOEK = select(personen.c.pseudoniem).where(personen.c.zoekwaarde == bindparam("zoekwaarde"))
_ZOEK_VEEL = select(personen.c.zoekwaarde, personen.c.pseudoniem).where(
    personen.c.zoekwaarde.in_(bindparam("zoekwaarden", expanding=True))
)

_ZOEK_VEEL_PG = (
    "SELECT zoekwaarde, pseudoniem FROM personen "
    "WHERE zoekwaarde IN (SELECT jsonb_array_elements_text(%s::jsonb))"
)


class Personen:
    def __init__(self, ring: Sleutelring, klok: Callable[[], datetime] | None = None) -> None:
        self._ring = ring
        self._klok = klok or (lambda: datetime.now(UTC))

    def controleer(self, session: Session) -> None:
        """Refuse to start with another secret than the one the stored keys were wrapped
        with: every lookup would miss and every read of a person would fail."""
        rij = session.execute(select(persoon_sleutels).limit(1)).first()
        if rij is None:
            return
        try:
            self._ring.onthul(rij.pseudoniem, rij.sleutel)
        except OntsleutelFout as exc:
            raise RuntimeError(
                "BODEMREGIE_PRIVACY_GEHEIM past niet bij het personenregister in deze database "
                "(de sleutels zijn met een ander geheim versleuteld)"
            ) from exc

    def zoek(self, session: Session, login: str) -> str | None:
        """The pseudonym of a login, without creating one."""
        return session.execute(_ZOEK, {"zoekwaarde": self._ring.zoekwaarde(login)}).scalar()

    def zoek_veel(self, session: Session, logins: Collection[str]) -> dict[str, str]:
        """The pseudonyms of the logins this store knows, ``{login: pseudonym}``, in one
        statement (a group-commit batch asks for all its callers at once)."""
        if not logins:
            return {}
        per_zoekwaarde = {self._ring.zoekwaarde(login): login for login in logins}
        if session.get_bind().dialect.name == "postgresql":
            # In every group-commit batch: one prepared text whatever the number of logins
            # (an expanding IN is a new text, compiled, per number).
            gevonden = execute(
                session.connection(), _ZOEK_VEEL_PG, (json_rows(list(per_zoekwaarde)),)
            )
            return {per_zoekwaarde[zoekwaarde]: pseudoniem for zoekwaarde, pseudoniem in gevonden}
        rijen = session.execute(_ZOEK_VEEL, {"zoekwaarden": list(per_zoekwaarde)})
        return {per_zoekwaarde[r.zoekwaarde]: r.pseudoniem for r in rijen}

    def wie(self, session: Session, login: str) -> tuple[str, NieuwePersoon | None]:
        """The pseudonym of a login, and for a login that never acted here a fresh one with
        what ``maak`` needs to store it; reads only, so a refused or invalid request that asks
        stores nothing."""
        gevonden = self.zoek(session, login)
        if gevonden is not None:
            return gevonden, None
        nieuw = NieuwePersoon(f"prs-{uuid4()}", login)
        return nieuw.pseudoniem, nieuw

    def maak(self, session: Session, nieuw: NieuwePersoon) -> None:
        """Store a new person (a key and the login as its account record) under the pseudonym
        ``wie`` gave; raises GelijktijdigNieuw when the same login became a person meanwhile."""
        try:
            self._voeg_toe(session, nieuw.pseudoniem, nieuw.login)
        except IntegrityError as exc:
            raise GelijktijdigNieuw() from exc

    def maak_of_neem(self, session: Session, nieuw: NieuwePersoon) -> str:
        """``maak``, for a caller nothing carries the pseudonym of yet: when the same login
        became a person meanwhile (a concurrent first use won the unique lookup), carry on
        with that person. Returns the pseudonym to use."""
        try:
            self._voeg_toe(session, nieuw.pseudoniem, nieuw.login)
        except IntegrityError:
            gevonden = self.zoek(session, nieuw.login)
            if gevonden is None:
                raise
            return gevonden
        return nieuw.pseudoniem

    def pseudoniem(self, session: Session, login: str) -> str:
        """The pseudonym of a login, made the first time it is needed (an expert registered
        by the programme, the tests)."""
        gevonden = self.zoek(session, login)
        if gevonden is not None:
            return gevonden
        return self.maak_of_neem(session, NieuwePersoon(f"prs-{uuid4()}", login))

    def _voeg_toe(self, session: Session, pseudoniem: str, login: str) -> None:
        # A savepoint, so a lost race on the unique lookup leaves the transaction usable.
        with session.begin_nested():
            session.execute(
                insert(personen).values(
                    pseudoniem=pseudoniem,
                    zoekwaarde=self._ring.zoekwaarde(login),
                    aangemaakt_op=self._klok(),
                )
            )
            sleutel = nieuwe_sleutel()
            session.execute(
                insert(persoon_sleutels).values(
                    pseudoniem=pseudoniem, sleutel=self._ring.omhul(pseudoniem, sleutel)
                )
            )
            self._schrijf(session, pseudoniem, sleutel, ACCOUNT, {"login": normaliseer(login)})

    def leg_vast(
        self, session: Session, pseudoniem: str, ref: str, gegevens: dict[str, Any]
    ) -> None:
        """Store (or replace) a record of personal details, e.g. an expert's name and contact
        address under the expert's id."""
        sleutel = self._sleutel(session, pseudoniem)
        if sleutel is None:
            raise KeyError(f"{pseudoniem} heeft geen sleutel (onbekend of verwijderd)")
        session.execute(
            delete(persoon_gegevens).where(
                persoon_gegevens.c.pseudoniem == pseudoniem, persoon_gegevens.c.ref == ref
            )
        )
        self._schrijf(session, pseudoniem, sleutel, ref, gegevens)

    def lees(self, session: Session, pseudoniemen: Iterable[str]) -> dict[str, Persoon]:
        """The persons this store knows among ``pseudoniemen`` (others are left out: an old
        value from before pseudonyms, or another store's)."""
        gevraagd = sorted({p for p in pseudoniemen if is_pseudoniem(p)})
        if not gevraagd:
            return {}
        rijen = session.execute(
            select(personen.c.pseudoniem, personen.c.verwijderd_op, persoon_sleutels.c.sleutel)
            .outerjoin(persoon_sleutels, persoon_sleutels.c.pseudoniem == personen.c.pseudoniem)
            .where(personen.c.pseudoniem.in_(gevraagd))
        ).all()
        records: dict[str, list[tuple[str, bytes]]] = {}
        for r in session.execute(
            select(persoon_gegevens).where(persoon_gegevens.c.pseudoniem.in_(gevraagd))
        ):
            records.setdefault(r.pseudoniem, []).append((r.ref, r.versleuteld))
        uit: dict[str, Persoon] = {}
        for rij in rijen:
            if rij.verwijderd_op is not None or rij.sleutel is None:
                uit[rij.pseudoniem] = Persoon(rij.pseudoniem, rij.verwijderd_op or self._klok())
                continue
            sleutel = self._ring.onthul(rij.pseudoniem, rij.sleutel)
            gegevens = {
                ref: ontsleutel_gegevens(sleutel, rij.pseudoniem, ref, blob)
                for ref, blob in records.get(rij.pseudoniem, [])
            }
            uit[rij.pseudoniem] = Persoon(rij.pseudoniem, None, gegevens)
        return uit

    def vergeet(self, session: Session, pseudoniem: str) -> datetime | None:
        """Erase a person: their key, their encrypted details and their lookup go; the
        pseudonym stays as a tombstone so reads can say ``verwijderd``. Returns when the person
        was erased (the first time, on a repeat), or None for an unknown pseudonym."""
        rij = session.execute(
            select(personen.c.verwijderd_op).where(personen.c.pseudoniem == pseudoniem)
        ).first()
        if rij is None:
            return None
        if rij.verwijderd_op is not None:
            return rij.verwijderd_op
        moment = self._klok()
        session.execute(delete(persoon_sleutels).where(persoon_sleutels.c.pseudoniem == pseudoniem))
        session.execute(delete(persoon_gegevens).where(persoon_gegevens.c.pseudoniem == pseudoniem))
        session.execute(
            update(personen)
            .where(personen.c.pseudoniem == pseudoniem)
            .values(zoekwaarde=None, verwijderd_op=moment)
        )
        return moment

    def _sleutel(self, session: Session, pseudoniem: str) -> bytes | None:
        omhuld = session.execute(
            select(persoon_sleutels.c.sleutel).where(persoon_sleutels.c.pseudoniem == pseudoniem)
        ).scalar()
        return None if omhuld is None else self._ring.onthul(pseudoniem, omhuld)

    def _schrijf(
        self, session: Session, pseudoniem: str, sleutel: bytes, ref: str, gegevens: dict[str, Any]
    ) -> None:
        session.execute(
            insert(persoon_gegevens).values(
                pseudoniem=pseudoniem,
                ref=ref,
                versleuteld=versleutel_gegevens(sleutel, pseudoniem, ref, gegevens),
            )
        )
