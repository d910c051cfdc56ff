"""Registrations draw their id numbers per prefix without gaps or clashes, also when the first
two registrations of a prefix run at the same moment (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine

from services.locaties import bootstrap
from services.locaties.service_layer.unit_of_work import SqlLocatiesUnitOfWork
from shared.db.engine import make_session_factory

pytestmark = pytest.mark.postgres


def test_two_first_registrations_of_a_prefix_get_one_and_two(pg_engine: Engine) -> None:
    bootstrap.migrate(pg_engine)
    sessions = make_session_factory(pg_engine)
    tweede: list[int | BaseException] = []

    def trek() -> None:
        try:
            with SqlLocatiesUnitOfWork(sessions) as uow:
                tweede.append(uow.volgend_nummer("ZH0513"))
                uow.session.commit()
        except BaseException as exc:
            tweede.append(exc)

    with SqlLocatiesUnitOfWork(sessions) as eerste:
        assert eerste.volgend_nummer("ZH0513") == 1  # its row is not committed yet
        draad = threading.Thread(target=trek)
        draad.start()
        draad.join(0.5)  # the second waits for the first's row
        eerste.session.commit()
    draad.join(10)
    assert tweede == [2]
