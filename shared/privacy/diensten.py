"""The person store's use cases for the API: each asks the one policy (shared/beleid.py) with
the caller, so the routes stay free of authorisation (as every service's handlers do)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from shared import beleid
from shared.auth import Principal
from shared.privacy.store import Personen, Persoon, is_pseudoniem


class MetPersonen(Protocol):
    sessions: sessionmaker[Session]
    personen: Personen


def toont_logins(principal: Principal) -> bool:
    """Whether a read may show this caller the login behind a pseudonym (``privacy.lees``);
    everyone else sees the pseudonym."""
    return beleid.weigering("privacy.lees", principal) is None


def lees(store: MetPersonen, principal: Principal, pseudoniem: str) -> Persoon | None:
    beleid.controleer("privacy.lees", principal)
    with store.sessions() as session:
        return store.personen.lees(session, [pseudoniem]).get(pseudoniem)


def vergeet(store: MetPersonen, principal: Principal, pseudoniem: str) -> datetime | None:
    """Erase a person; when (None for a pseudonym this store does not know)."""
    beleid.controleer("privacy.vergeet", principal)
    with store.sessions.begin() as session:
        return store.personen.vergeet(session, pseudoniem)


def vergeet_op_login(
    store: MetPersonen, principal: Principal, persoon: str
) -> tuple[str, datetime] | None:
    """Erase a person named by login or pseudonym: their pseudonym and when, or None."""
    beleid.controleer("privacy.vergeet", principal)
    pseudoniem: str | None = persoon
    if not is_pseudoniem(persoon):
        with store.sessions() as session:
            pseudoniem = store.personen.zoek(session, persoon)
    if pseudoniem is None:
        return None
    moment = vergeet(store, principal, pseudoniem)
    return None if moment is None else (pseudoniem, moment)
