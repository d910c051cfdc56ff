"""Closing a site's open ``spoedlocatie_standen`` row (each status change does) is a HOT update
on PostgreSQL (locaties_0006): no index holds ``bekend_tot``, the only column it changes, and the
table's pages keep room for the new row version. Counted in the transaction itself
(``pg_stat_xact_user_tables``), so no statistics delay comes in."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.orm import Session

from services.locaties.adapters.tables import spoedlocatie_standen
from services.locaties.domain import commands
from services.locaties.service_layer import handlers
from shared.db.engine import make_session_factory
from shared.vocabulaire import Status
from tests.integration.locaties.test_groepscommit import ZH, _database, _registreer, _uow

TELLING = "SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_xact_user_tables WHERE relname = :tabel"


def test_a_status_change_closes_the_open_row_in_place() -> None:
    with _database() as engine:
        sessions = make_session_factory(engine)
        (locatie_id,) = _registreer(sessions, 1)
        gezien: list[Any] = []

        def tel(session: Session) -> None:
            rij = session.connection().execute(text(TELLING), {"tabel": spoedlocatie_standen.name})
            gezien.append(tuple(rij.one()))

        event.listen(Session, "before_commit", tel)
        try:
            cmd = commands.WijzigStatus(locatie_id, 1, Status.ONDERZOCHT, date(2011, 6, 1), "")
            handlers.handle(cmd, _uow(sessions, None).namens(ZH))
        finally:
            event.remove(Session, "before_commit", tel)
        assert gezien[-1] == (1, 1)  # one row closed, in place
        with engine.connect() as conn:
            opties = conn.execute(
                text("SELECT reloptions FROM pg_class WHERE relname = :tabel"),
                {"tabel": spoedlocatie_standen.name},
            ).scalar_one()
        assert opties == ["fillfactor=90"]
