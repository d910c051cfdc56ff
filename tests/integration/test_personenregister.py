"""The person store on SQLite and PostgreSQL: pseudonyms, encrypted details, erasure, and the
``bodemregie privacy vergeet`` command across several databases."""

from __future__ import annotations

import threading
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from bodemregie.privacy import vergeet
from shared.db.engine import make_session_factory
from shared.privacy import (
    VERSIONS,
    VERWIJDERD,
    GelijktijdigNieuw,
    NieuwePersoon,
    Personen,
    is_pseudoniem,
)
from shared.privacy.sleutels import Sleutelring
from shared.privacy.tables import personen, persoon_gegevens, persoon_sleutels
from tests.support.infra import sqlite_database

RING = Sleutelring.uit_geheim(b"test-geheim-" + b"x" * 20)
LOGIN = "Jan.Jansen@zh.nl"


def _store(engine: Engine) -> tuple[sessionmaker[Session], Personen]:
    from shared.db import migrations

    migrations.upgrade(engine, [VERSIONS])
    return make_session_factory(engine), Personen(RING)


def _pseudoniem(sessions: sessionmaker[Session], store: Personen, login: str) -> str:
    with sessions.begin() as session:
        return store.pseudoniem(session, login)


def test_a_login_gets_one_random_pseudonym_and_another_login_another(sql_engine: Engine) -> None:
    sessions, store = _store(sql_engine)
    jan = _pseudoniem(sessions, store, LOGIN)
    assert is_pseudoniem(jan)
    assert _pseudoniem(sessions, store, LOGIN) == jan
    assert _pseudoniem(sessions, store, " jan.jansen@ZH.nl") == jan
    assert _pseudoniem(sessions, store, "piet@zh.nl") != jan
    with sessions() as session:
        assert store.zoek(session, LOGIN) == jan
        assert store.zoek(session, "nooit@zh.nl") is None
    # A second store with another secret cannot find Jan by login.
    with sessions() as session:
        assert Personen(Sleutelring.uit_geheim(b"y" * 32)).zoek(session, LOGIN) is None


def test_no_table_holds_the_login_or_a_name_in_clear(sql_engine: Engine) -> None:
    sessions, store = _store(sql_engine)
    jan = _pseudoniem(sessions, store, LOGIN)
    with sessions.begin() as session:
        store.leg_vast(session, jan, "ex-1", {"naam": "Jan Jansen", "contact": LOGIN})
    with sessions() as session:
        for tabel in (personen, persoon_sleutels, persoon_gegevens):
            for rij in session.execute(select(tabel)):
                for waarde in rij:
                    inhoud = waarde if isinstance(waarde, bytes) else str(waarde).encode()
                    for geheim in (b"jan", b"Jan", b"zh.nl"):
                        assert geheim not in inhoud, (tabel.name, waarde)
        gelezen = store.lees(session, [jan])[jan]
    assert gelezen.login == LOGIN.lower()
    assert gelezen.veld("ex-1", "naam") == "Jan Jansen"
    assert gelezen.veld("ex-1", "contact") == LOGIN


def test_erasure_destroys_key_details_and_lookup_and_leaves_a_tombstone(
    sql_engine: Engine,
) -> None:
    sessions, store = _store(sql_engine)
    jan = _pseudoniem(sessions, store, LOGIN)
    piet = _pseudoniem(sessions, store, "piet@zh.nl")
    with sessions.begin() as session:
        store.leg_vast(session, jan, "ex-1", {"naam": "Jan Jansen", "contact": LOGIN})
        moment = store.vergeet(session, jan)
    assert moment is not None
    with sessions() as session:
        for tabel in (persoon_sleutels, persoon_gegevens):
            assert not session.execute(select(tabel).where(tabel.c.pseudoniem == jan)).all()
        assert store.zoek(session, LOGIN) is None
        gelezen = store.lees(session, [jan, piet, "prs-onbekend", "oud@zh.nl"])
    assert set(gelezen) == {jan, piet}
    assert gelezen[jan].verwijderd and gelezen[jan].login == VERWIJDERD
    assert gelezen[jan].veld("ex-1", "naam") == VERWIJDERD
    assert gelezen[piet].login == "piet@zh.nl"  # others untouched
    with sessions.begin() as session:
        assert store.vergeet(session, jan) == moment  # repeating is harmless
        assert store.vergeet(session, f"prs-{'0' * 8}-0000-0000-0000-{'0' * 12}") is None
    # The same login acting again is a new, unlinkable person.
    assert _pseudoniem(sessions, store, LOGIN) not in (jan, piet)


def test_concurrent_first_actions_of_one_login_share_one_pseudonym(sql_engine: Engine) -> None:
    sessions, store = _store(sql_engine)
    gevonden: list[str] = []
    start = threading.Barrier(4)

    def eerste() -> None:
        start.wait()
        gevonden.append(_pseudoniem(sessions, store, "nieuw@zh.nl"))

    threads = [threading.Thread(target=eerste) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(gevonden) == 4 and len(set(gevonden)) == 1
    with sessions() as session:
        assert session.execute(text("SELECT count(*) FROM personen")).scalar_one() == 1


def test_the_command_erases_by_login_in_every_database(sql_engine: Engine, tmp_path: Path) -> None:
    sessions, store = _store(sql_engine)
    jan_hier = _pseudoniem(sessions, store, LOGIN)
    with sqlite_database(tmp_path, [VERSIONS]) as tweede:
        sessions2 = make_session_factory(tweede)
        jan_daar = _pseudoniem(sessions2, store, LOGIN)
        assert jan_daar != jan_hier  # every store has its own pseudonyms
        with sqlite_database(tmp_path) as zonder_register:
            dbs = [
                ("een", sql_engine.url.render_as_string(hide_password=False)),
                ("twee", tweede.url.render_as_string(hide_password=False)),
                ("drie", zonder_register.url.render_as_string(hide_password=False)),
            ]
            regels = vergeet(LOGIN.upper(), dbs, store)
        assert regels[0] == f"een: {jan_hier} vergeten op " + regels[0].split(" op ")[1]
        assert regels[1].startswith(f"twee: {jan_daar} vergeten op ")
        assert regels[2] == "drie: geen personenregister"
        with sessions2() as session:
            assert store.lees(session, [jan_daar])[jan_daar].verwijderd
    assert vergeet(LOGIN, dbs[:1], store) == ["een: niet bekend"]


def test_a_service_refuses_to_start_with_another_secret(sqlite_engine: Engine) -> None:
    sessions, store = _store(sqlite_engine)
    with sessions() as session:
        store.controleer(session)  # an empty store fits any secret
    _pseudoniem(sessions, store, LOGIN)
    with sessions() as session:
        store.controleer(session)
        with pytest.raises(RuntimeError, match="PRIVACY_GEHEIM"):
            Personen(Sleutelring.uit_geheim(b"z" * 32)).controleer(session)


def test_wie_only_reads_and_maak_stores_the_pseudonym_it_gave(sql_engine: Engine) -> None:
    sessions, store = _store(sql_engine)
    with sessions() as session:
        pseudoniem, nieuw = store.wie(session, LOGIN)
    assert nieuw is not None and nieuw.pseudoniem == pseudoniem and is_pseudoniem(pseudoniem)
    with sessions() as session:
        assert session.execute(select(personen)).all() == []  # asking stored nothing
    with sessions.begin() as session:
        store.maak(session, nieuw)
    with sessions() as session:
        assert store.wie(session, LOGIN) == (pseudoniem, None)
        assert store.lees(session, [pseudoniem])[pseudoniem].login == LOGIN.lower()
    # The same login's second "first" action (it raced this one) is refused, not duplicated.
    with sessions() as session:
        _, ook_nieuw = store.wie(session, "piet@zh.nl")
    assert ook_nieuw is not None
    with sessions.begin() as session:
        store.maak(session, ook_nieuw)
    with sessions.begin() as session, pytest.raises(GelijktijdigNieuw):
        store.maak(session, NieuwePersoon(f"prs-{uuid4()}", "piet@zh.nl"))
    with sessions() as session:
        assert len(session.execute(select(personen)).all()) == 2


def test_a_batch_finds_the_pseudonyms_of_the_logins_it_knows(sql_engine: Engine) -> None:
    """``zoek_veel`` (a group-commit batch's one lookup): known logins, not unknown ones; on
    PostgreSQL one prepared text whatever the number of logins."""
    sessions, store = _store(sql_engine)
    bekend = {login: _pseudoniem(sessions, store, login) for login in ("a", "b", "c")}
    with sessions() as session:
        assert store.zoek_veel(session, ["a", "c", "onbekend"]) == {
            "a": bekend["a"],
            "c": bekend["c"],
        }
        assert store.zoek_veel(session, ["b"]) == {"b": bekend["b"]}
        assert store.zoek_veel(session, []) == {}
        if sql_engine.dialect.name == "postgresql":
            voorbereid = session.execute(text("SELECT statement FROM pg_prepared_statements"))
            assert sum("jsonb_array_elements_text" in s for s in voorbereid.scalars()) == 1
