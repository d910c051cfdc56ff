"""Retry-safe commands: the hooks through which a request with an ``Idempotency-Key`` joins
the transaction of its command.

The HTTP side (``shared/http/idempotency.py``) puts a :class:`Verzoek` in a context variable
before it runs the endpoint. The unit of work then calls two hooks:

- :func:`bij_begin` right after ``BEGIN``: on PostgreSQL it takes an advisory lock on the key
  without waiting (another request with the key still running: :class:`InBehandeling`, a 409);
  on SQLite, whose writers queue, it reads the stored answer (the first request finished while
  this one waited: :class:`AlBeantwoord`). A first request that finished between the route's
  lookup and the lock is caught by the primary key when the answer is stored (this transaction
  then rolls back whole) or by the command's own version check;
- :func:`houd_commit_aan` instead of ``COMMIT``: the transaction stays open, with the events,
  outbox and read model in it, until the route has its answer; the route then stores the answer
  in that same transaction and commits once (:meth:`Verzoek.rond_af`). So a crash can never leave
  events without their stored answer, or an answer without its events.

Without a key (the context variable unset) both hooks do nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session

from shared import idempotency_store as store


class InBehandeling(Exception):
    """Another request with this key is still being processed."""


class AlBeantwoord(Exception):
    """A request with this key finished while this one waited; its answer counts."""

    def __init__(self, opgeslagen: store.Opgeslagen) -> None:
        super().__init__("al beantwoord")
        self.opgeslagen = opgeslagen


@dataclass
class Verzoek:
    """One request with an Idempotency-Key, from the route wrapper to the unit of work."""

    scope: str
    sleutel: str
    vingerafdruk: str
    bewaartijd: timedelta
    sessie: Session | None = None
    _na_commit: Callable[[], None] | None = field(default=None, repr=False)

    def rond_af(self, antwoord: store.Antwoord) -> None:
        """Store the answer in the held transaction and commit it with the command's events.
        Raises IntegrityError when a live answer for the key is already there (the transaction
        is then rolled back: nothing of this request stays)."""
        assert self.sessie is not None
        sessie, self.sessie = self.sessie, None
        try:
            store.bewaar(
                sessie,
                self.scope,
                self.sleutel,
                self.vingerafdruk,
                antwoord,
                store.nu(),
                self.bewaartijd,
            )
            sessie.commit()
        except BaseException:
            sessie.rollback()
            raise
        finally:
            sessie.close()
        if self._na_commit is not None:
            self._na_commit()

    def verwerp(self) -> None:
        """Roll back a held transaction (the endpoint failed after its commit was held)."""
        if self.sessie is not None:
            sessie, self.sessie = self.sessie, None
            sessie.rollback()
            sessie.close()


_lopend: ContextVar[Verzoek | None] = ContextVar("idempotentie_verzoek", default=None)


def lopend() -> Verzoek | None:
    return _lopend.get()


def zet(verzoek: Verzoek | None) -> object:
    return _lopend.set(verzoek)


def herstel(token: object) -> None:
    _lopend.reset(token)  # type: ignore[arg-type]


def bij_begin(session: Session) -> None:
    """Hook for a unit of work right after BEGIN (see the module docstring)."""
    verzoek = _lopend.get()
    if verzoek is None or verzoek.sessie is not None:
        return
    if session.get_bind().dialect.name == "postgresql":
        if not store.probeer_te_claimen(session, verzoek.scope, verzoek.sleutel):
            raise InBehandeling()
        return
    opgeslagen = store.lees(session, verzoek.scope, verzoek.sleutel, store.nu())
    if opgeslagen is not None:
        raise AlBeantwoord(opgeslagen)


def houd_commit_aan(session: Session, na_commit: Callable[[], None]) -> bool:
    """Hook for a unit of work instead of COMMIT: True when the transaction is now held for the
    route, which commits it with the stored answer and then calls ``na_commit``. Only the first
    commit of a request is held; a unit of work that commits later commits itself."""
    verzoek = _lopend.get()
    if verzoek is None or verzoek.sessie is not None:
        return False
    verzoek.sessie = session
    verzoek._na_commit = na_commit
    return True


def aangehouden(session: Session) -> bool:
    """Whether ``session``'s transaction is held for the route (the unit of work must then
    leave it open on exit)."""
    verzoek = _lopend.get()
    return verzoek is not None and verzoek.sessie is session


def lezen_naast_aangehouden() -> bool:
    """SQLite: True while this request holds a write transaction. Another session it opens
    (building the answer reads e.g. the person store) must then begin a deferred, read-only
    transaction: ``BEGIN IMMEDIATE`` would wait for the write lock this request itself holds."""
    verzoek = _lopend.get()
    return verzoek is not None and verzoek.sessie is not None
