"""Who acts in the kennis handler tests, and a fresh in-memory unit of work for them."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import NAMESPACE_URL, uuid5

from services.kennis.service_layer.unit_of_work import FakeKennisUnitOfWork
from shared.auth import Principal, Rol
from shared.privacy import NieuwePersoon
from shared.unit_of_work import Actor


def pseudoniem(login: str) -> str:
    return f"prs-{uuid5(NAMESPACE_URL, login)}"


def actor(login: str, rol: Rol, organisatie: str | None, correlatie: str | None = None) -> Actor:
    """An actor who acted here before (so no new person)."""
    return Actor.for_caller(Principal(login, rol, organisatie), pseudoniem(login), None, correlatie)


def nieuwkomer(login: str, rol: Rol, organisatie: str | None) -> Actor:
    """An actor acting here for the first time: the handler makes them a person."""
    nieuw = NieuwePersoon(pseudoniem(login), login)
    return Actor.for_caller(Principal(login, rol, organisatie), nieuw.pseudoniem, nieuw)


LOGINS = {
    "piet@zl.nl": (Rol.BEVOEGD_GEZAG, "ZL"),
    "anne@ut.nl": (Rol.BEVOEGD_GEZAG, "UT"),
    "team@up.nl": (Rol.UITVOERINGSPROGRAMMA, None),
    "jan@ienm.nl": (Rol.RIJK, "IenM"),
    "audit@adr.nl": (Rol.AUDITOR, None),
}
ZL, UT, UP, RIJK, AUDITOR = (actor(login, *rol) for login, rol in LOGINS.items())


def op(dag: date) -> datetime:
    """A clock standing at noon (UTC) on ``dag``."""
    return datetime(dag.year, dag.month, dag.day, 12, tzinfo=UTC)


def fake(wie: Actor = ZL, dag: date = date(2017, 3, 1)) -> FakeKennisUnitOfWork:
    """A unit of work on an empty store, for ``wie``, its clock at noon on ``dag``, with the
    test actors known as persons."""
    uow = FakeKennisUnitOfWork(wie, lambda: op(dag))
    uow.personen.update({login: pseudoniem(login) for login in LOGINS})
    return uow
