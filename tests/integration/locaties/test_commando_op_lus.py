"""A command on an existing site runs on the event loop on PostgreSQL (the handler in a
greenlet, its load and the group commit's answer awaited: ``service_layer/messagebus.py``)
and answers exactly as the same command run in a worker thread; what cannot finish on the
loop (a first-time caller, a registration, an Idempotency-Key) runs in a thread as before.
The setting ``commando_op_lus`` (on by default; off: every command in a thread, see the README)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select, text

from services.locaties.entrypoints import uitvoering
from services.locaties.entrypoints.uitvoering import OpDeLus
from services.locaties.service_layer import messagebus
from shared.auth import Rol, mint_dev_token
from shared.db.direct_async import AsyncStatements
from shared.eventstore.groepscommit import BatchWriter
from shared.eventstore.groepscommit_lus import LoopGroupCommitter
from shared.eventstore.tables import events
from shared.http import idempotency as idempotency_http
from shared.privacy.tables import personen
from tests.integration.locaties.test_commandoroute import STATUS, VERDER, ZH, _doorloop
from tests.support.locaties import SECRET, locaties_client, registreer


@pytest.fixture
def api(pg_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(pg_engine, commando_op_lus=True) as client:
        yield client


class Teller:
    """Counts how commands ran: in a worker thread, on the loop, and the loop's loads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.threads = 0
        self.op_lus = 0
        self.lus_klaar = 0
        self.loads = 0
        self.handler_threads: set[str] = set()
        in_thread, op_lus = uitvoering.in_thread, messagebus.handle_op_lus
        rows, handle = AsyncStatements.rows, messagebus.handle

        async def tellend_in_thread(werk: Callable[[], Any]) -> Any:
            self.threads += 1
            return await in_thread(werk)

        async def tellend_op_lus(*args: Any) -> Any:
            self.op_lus += 1
            antwoord = await op_lus(*args)
            self.lus_klaar += 1
            return antwoord

        async def tellende_rows(statements: AsyncStatements, *args: Any) -> Any:
            self.loads += 1
            return await rows(statements, *args)

        def waar(*args: Any) -> Any:
            self.handler_threads.add(threading.current_thread().name)
            return handle(*args)

        monkeypatch.setattr(uitvoering, "in_thread", tellend_in_thread)
        monkeypatch.setattr(messagebus, "handle_op_lus", tellend_op_lus)
        monkeypatch.setattr(AsyncStatements, "rows", tellende_rows)
        monkeypatch.setattr(messagebus, "handle", waar)


def test_every_command_scenario_answers_on_the_loop_as_in_a_thread(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lean route's 26 requests (errors of every kind, 403, 409, 412, Idempotency-Key
    repeats and reuse, CRS headers, a budget) on one site each way."""
    op_lus, in_thread = registreer(api, ZH), registreer(api, ZH)
    teller = Teller(monkeypatch)
    met = _doorloop(api, op_lus, "lus")
    # On the loop: the 403, the 409, the 412 and two 201s (the others are refused before
    # the command, or carry an Idempotency-Key: a thread); two of them answered 201 there.
    assert (teller.op_lus, teller.lus_klaar) == (5, 2)
    monkeypatch.setattr(OpDeLus, "aan", False)
    gezien = teller.op_lus
    zonder = _doorloop(api, in_thread, "thread")
    assert teller.op_lus == gezien
    for stap, (a, b) in enumerate(zip(met, zonder, strict=True)):
        assert a == b, f"stap {stap}"


def test_a_status_change_on_postgresql_takes_no_worker_thread_and_no_pooled_connection(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    locatie_id = registreer(api, ZH)
    container = api.app.state.container  # type: ignore[attr-defined]
    container.cache.discard(locatie_id)  # the first command loads the site: awaited
    teller = Teller(monkeypatch)
    checkouts: list[str] = []
    event.listen(
        container.engine, "checkout", lambda *a: checkouts.append(threading.current_thread().name)
    )
    url = f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen"
    eerste = api.post(url, json=STATUS, headers={**ZH, "If-Match": '"1"'})
    tweede = api.post(url, json=VERDER, headers={**ZH, "If-Match": '"2"'})
    assert (eerste.status_code, tweede.status_code) == (201, 201), tweede.text
    assert tweede.headers["etag"] == '"3"'
    assert (teller.threads, teller.lus_klaar) == (0, 2)
    assert teller.loads == 1, "a cache miss loads once; the second command uses the cache"
    # The relay seals in a thread of its own; nothing else takes a pooled connection (the
    # group-commit writer holds its own).
    assert [n for n in checkouts if n != "locaties-relay"] == [], checkouts
    assert not any(n.startswith("commando") for n in teller.handler_threads)


def test_the_group_commit_writes_on_the_loop_thread_with_no_writer_thread(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the setting on, the batch's transaction runs on the event loop's own thread (the
    loop's writer, ``groepscommit_lus``): no writer thread exists to hand the GIL to."""
    container = api.app.state.container  # type: ignore[attr-defined]
    assert isinstance(container.committer, LoopGroupCommitter)
    locatie_id = registreer(api, ZH)
    teller = Teller(monkeypatch)
    schrijvers: set[str] = set()
    transactie = BatchWriter._transaction

    def waar(self: BatchWriter, *args: Any) -> Any:
        schrijvers.add(threading.current_thread().name)
        return transactie(self, *args)

    monkeypatch.setattr(BatchWriter, "_transaction", waar)
    url = f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen"
    ok = api.post(url, json=STATUS, headers={**ZH, "If-Match": '"1"'})
    assert ok.status_code == 201, ok.text
    assert teller.lus_klaar == 1 and len(teller.handler_threads) == 1
    assert schrijvers == teller.handler_threads  # the loop's thread
    assert not [t for t in threading.enumerate() if t.name == "group-commit"]


def test_a_first_time_caller_runs_in_a_thread_and_becomes_one_person(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch refuses a login it does not know (the person is made in the command's own
    transaction); on the loop that sends the command, with nothing recorded, to a thread."""
    locatie_id = registreer(api, ZH)
    nieuw = mint_dev_token(SECRET, "nieuwkomer", Rol.BEVOEGD_GEZAG, "ZH")
    teller = Teller(monkeypatch)
    url = f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen"
    headers = {"Authorization": f"Bearer {nieuw}", "If-Match": '"1"'}
    antwoord = api.post(url, json=STATUS, headers=headers)
    assert antwoord.status_code == 201 and antwoord.headers["etag"] == '"2"', antwoord.text
    assert (teller.op_lus, teller.lus_klaar, teller.threads) == (1, 0, 1)
    verder = api.post(url, json=VERDER, headers={**headers, "If-Match": '"2"'})
    assert verder.status_code == 201, verder.text
    assert (teller.lus_klaar, teller.threads) == (1, 1), "known now: on the loop"
    engine = api.app.state.container.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        aantal = conn.execute(select(func.count()).select_from(personen)).scalar_one()
        versies = conn.execute(
            select(events.c.version).where(events.c.stream_id == locatie_id)
        ).all()
    assert aantal == 2, "tester and the newcomer, once each"
    assert sorted(v for (v,) in versies) == [1, 2, 3]


def test_concurrent_commands_on_one_site_record_one_event_per_version(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eight clients send the same version at once: one 201, the others 412, one event."""
    locatie_id = registreer(api, ZH)
    teller = Teller(monkeypatch)
    url = f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen"
    statussen: list[int] = []

    def stuur() -> None:
        response = api.post(url, json=STATUS, headers={**ZH, "If-Match": '"1"'})
        statussen.append(response.status_code)

    threads = [threading.Thread(target=stuur) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statussen) == [201] + [412] * 7
    assert teller.threads == 0
    engine = api.app.state.container.engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        n = conn.execute(
            select(func.count()).select_from(events).where(events.c.stream_id == locatie_id)
        ).scalar_one()
    assert n == 2


def test_the_setting_off_keeps_every_command_in_a_thread(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with locaties_client(pg_engine, commando_op_lus=False) as api:
        locatie_id = registreer(api, ZH)
        teller = Teller(monkeypatch)
        url = f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen"
        ok = api.post(url, json=STATUS, headers={**ZH, "If-Match": '"1"'})
        assert ok.status_code == 201, ok.text
        assert (teller.op_lus, teller.threads) == (0, 1)


def test_a_keyed_retry_is_answered_from_the_loop_and_the_first_runs_in_a_thread(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored answer is looked up with an awaited statement; the keyed command itself
    commits in its own held transaction with its answer, in a thread, as before."""
    locatie_id = registreer(api, ZH)
    teller = Teller(monkeypatch)
    hops: list[str] = []
    origineel = idempotency_http.run_in_threadpool

    async def tellend(werk: Callable[..., Any], *args: Any) -> Any:
        if werk is not idempotency_http._ruim_af_en_toe_op:  # now and then, by any request
            hops.append(getattr(werk, "__name__", str(werk)))
        return await origineel(werk, *args)

    monkeypatch.setattr(idempotency_http, "run_in_threadpool", tellend)
    url = f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen"
    headers = {**ZH, "If-Match": '"1"', "Idempotency-Key": "op-lus-1"}
    eerste = api.post(url, json=STATUS, headers=headers)
    assert eerste.status_code == 201, eerste.text
    assert (teller.op_lus, teller.threads, hops) == (0, 1, ["rond_af"])
    loads = teller.loads
    herhaald = api.post(url, json=STATUS, headers=headers)
    assert (herhaald.status_code, herhaald.content) == (201, eerste.content)
    assert herhaald.headers["etag"] == eerste.headers["etag"] == '"2"'
    assert (teller.threads, hops) == (1, ["rond_af"]), "the retry took no thread"
    assert teller.loads == loads + 1, "one awaited lookup"
    anders = api.post(url, json=VERDER, headers=headers)
    assert anders.status_code == 422 and hops == ["rond_af"]


def test_a_connection_the_server_ended_is_replaced_without_failing_the_command(
    api: TestClient,
) -> None:
    """As the engine's pre-ping would: a kept async connection that is gone is replaced, and
    the command's load sent again on a new one."""
    container = api.app.state.container  # type: ignore[attr-defined]
    eerste, tweede = registreer(api, ZH), registreer(api, ZH)
    url = "/v1/spoedlocaties/{}/statuswijzigingen"
    container.cache.discard(eerste)
    ok = api.post(url.format(eerste), json=STATUS, headers={**ZH, "If-Match": '"1"'})
    assert ok.status_code == 201, ok.text
    pids = [c.info.backend_pid for c in container.statements._idle]
    assert pids, "the load kept its connection"
    with container.engine.connect() as conn:
        for pid in pids:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
    container.cache.discard(tweede)
    antwoord = api.post(url.format(tweede), json=STATUS, headers={**ZH, "If-Match": '"1"'})
    assert antwoord.status_code == 201, antwoord.text
    assert pids != [c.info.backend_pid for c in container.statements._idle]
