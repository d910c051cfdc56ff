"""The import reads and parses the next batch while the one before it is written: the results
stay in order and equal to one batch's, a batch still starts only after the one before it
finished, and the parse of batch n+1 indeed runs while batch n is written. And the read models
take the states the aggregate folded instead of folding again."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.exc import DataError, IntegrityError, OperationalError

from services.locaties.adapters import bulk_projectie, importregels
from services.locaties.entrypoints import routes_import
from shared import gc_tuning
from shared.eventstore.tables import events
from shared.privacy import Personen
from tests.integration.locaties.test_import import (
    STAPPEN,
    _enkel,
    _events,
    _importeer,
    _regels,
    _standen,
    bekend,
)
from tests.support.locaties import locaties_client


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def _bestand() -> list[Any]:
    regels: list[Any] = []
    for n in range(1, 4):
        regels += _regels(f"ZH05130009{n}")
    regels.insert(3, "geen json")
    regels.insert(9, {"soort": "statuswijzigingen", "locatieId": "ZH051300091", "body": {}})
    return regels


def test_small_batches_answer_as_one_batch(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    een = _importeer(api, _bestand())
    monkeypatch.setattr(routes_import, "BATCH_REGELS", 2)
    # Sent again in batches of two: every line answered in order, the same as before.
    herhaald = _importeer(api, _bestand())
    assert [r["regel"] for r in herhaald] == list(range(1, len(_bestand()) + 1))
    assert [{k: v for k, v in r.items() if k != "herhaald"} for r in herhaald] == een
    assert all(r.get("herhaald") for r in herhaald if r["status"] == 201)


def test_the_next_batch_is_parsed_while_one_is_written(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(routes_import, "BATCH_REGELS", 7)
    gelezen = threading.Event()
    bezig = threading.Lock()
    overlapt: list[bool] = []
    lees_batch, voer_uit = routes_import._lees_batch, routes_import._voer_uit

    def lees(batch: list[Any], *rest: Any) -> Any:
        uit = lees_batch(batch, *rest)
        if batch[0][0] > 1:
            gelezen.set()
        return uit

    def voer(*args: Any) -> bytes:
        assert bezig.acquire(blocking=False), "two batches ran at once"
        try:
            # The first batch waits (a bounded time) for the second one's parse.
            if not overlapt:
                overlapt.append(gelezen.wait(timeout=5))
            return voer_uit(*args)
        finally:
            bezig.release()

    monkeypatch.setattr(routes_import, "_lees_batch", lees)
    monkeypatch.setattr(routes_import, "_voer_uit", voer)
    uit = _importeer(api, _bestand())
    assert overlapt == [True]
    assert [r["regel"] for r in uit] == list(range(1, len(_bestand()) + 1))
    assert sum(r["status"] == 201 for r in uit) == 21


def test_the_read_models_take_the_aggregate_s_states_without_folding_again(
    api: TestClient, sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows are worked out from the states the aggregate folded while deciding (one per
    line's event): the fold's own step is not needed, and the rows are the single commands'."""

    def niet_opnieuw(*_: Any) -> Any:
        raise AssertionError("folded again")

    monkeypatch.setattr(bulk_projectie, "stap", niet_opnieuw)
    regels = _regels("ZH051300020")[:-1]  # without the correction
    assert [u["status"] for u in _importeer(api, regels)] == [201] * len(regels)
    monkeypatch.undo()
    _enkel(api, "ZH051300021", STAPPEN[:-1])
    assert _standen(sql_engine, "ZH051300020") == bekend(_standen(sql_engine, "ZH051300021"))


def test_a_batch_that_failed_leaves_nothing_for_the_next_batch_to_write(
    api: TestClient, sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch that fails with an error that is not the database's (here: recording its line
    keys) is answered 503, "not recorded, send it again"; its events must not ride along with
    the next batch of the same request, nor make the line fail when it is sent again."""
    monkeypatch.setattr(routes_import, "BATCH_REGELS", 1)
    bewaar = importregels.bewaar
    mislukt: list[bool] = []

    def eenmaal_kapot(*args: Any) -> None:
        if not mislukt:
            mislukt.append(True)
            raise RuntimeError("the service failed")
        bewaar(*args)

    monkeypatch.setattr(importregels, "bewaar", eenmaal_kapot)
    eerste, tweede = _regels("ZH051300031")[0], _regels("ZH051300032")[0]
    assert [r["status"] for r in _importeer(api, [eerste, tweede])] == [503, 201]
    assert _events(sql_engine, "ZH051300031") == []

    assert [r["status"] for r in _importeer(api, [eerste])] == [201]
    assert len(_events(sql_engine, "ZH051300031")) == 1


def test_a_retry_that_stops_partway_answers_each_line_with_what_happened_to_it(
    api: TestClient, sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch fails as a whole and runs again one line per transaction; the database is
    lost at the second line. The first line was committed by then and says 201; the second
    and the third were not recorded and say 503. Sent again, the first is a repeat."""
    bewaar = importregels.bewaar
    aanroepen: list[int] = []

    def faalt(*args: Any) -> None:
        aanroepen.append(1)
        if len(aanroepen) == 1:  # the whole batch: another writer, retry line by line
            raise IntegrityError("COPY import_regels", {}, Exception("duplicate key"))
        if len(aanroepen) == 2:  # the retry's first line: recorded
            bewaar(*args)
            return
        raise OperationalError("COPY import_regels", {}, Exception("server closed"))

    monkeypatch.setattr(importregels, "bewaar", faalt)
    ids = ["ZH051300041", "ZH051300042", "ZH051300043"]
    regels = [_regels(i)[0] for i in ids]
    assert [r["status"] for r in _importeer(api, regels)] == [201, 503, 503]
    assert [len(_events(sql_engine, i)) for i in ids] == [1, 0, 0]

    monkeypatch.undo()
    opnieuw = _importeer(api, regels)
    assert [(r["status"], r.get("herhaald")) for r in opnieuw] == [
        (201, True),
        (201, None),
        (201, None),
    ]
    assert [len(_events(sql_engine, i)) for i in ids] == [1, 1, 1]


def test_a_caller_who_became_a_person_in_a_parallel_import_meanwhile_keeps_the_batch(
    pg_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two parts of one history sent at once by a first-time caller: the other part made them
    a person between this batch's look-up and its insert. The batch's events, not stamped yet,
    take that person's pseudonym and are recorded (before: the whole batch answered 503).
    PostgreSQL only: SQLite lets one writer at a time, so there two imports never race here."""
    with locaties_client(pg_engine) as api:
        _met_gelijktijdig_nieuwe_persoon(api, pg_engine, monkeypatch)


def _met_gelijktijdig_nieuwe_persoon(
    api: TestClient, sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = api.app.state.container  # type: ignore[attr-defined]
    wie = Personen.wie
    ander: list[str] = []

    def gelijktijdig(self: Personen, session: Any, login: str) -> Any:
        gevonden = wie(self, session, login)  # not a person yet: a new pseudonym
        with container.sessions() as sessie, sessie.begin():
            ander.append(container.personen.pseudoniem(sessie, login))
        return gevonden

    monkeypatch.setattr(Personen, "wie", gelijktijdig)
    uit = _importeer(api, [_regels("ZH051300051")[0], _regels("ZH051300052")[0]])
    assert [r["status"] for r in uit] == [201, 201]
    with sql_engine.connect() as conn:
        actoren = conn.execute(
            select(events.c.event_metadata["actor"].as_string()).where(
                events.c.stream_id.in_(["ZH051300051", "ZH051300052"])
            )
        ).scalars()
        assert len(ander) == 1 and list(actoren) == ander * 2


@pytest.mark.parametrize("batch_regels", [1, 100])
def test_a_value_the_database_refuses_is_that_line_s_refusal_and_the_rest_is_recorded(
    api: TestClient, sql_engine: Engine, monkeypatch: pytest.MonkeyPatch, batch_regels: int
) -> None:
    """A line with a value the database refuses (SQLSTATE class 22, here made to happen to the
    second line) is refused alone, as a bad line (422, nothing stored); the lines after it in
    its batch are recorded. Before: it and every line after it were answered 503 'the service
    failed, send again', on every sending."""
    monkeypatch.setattr(routes_import, "BATCH_REGELS", batch_regels)
    ids = ["ZH051300071", "ZH051300072", "ZH051300073"]
    regels = [_regels(i)[0] for i in ids]
    bewaar = importregels.bewaar

    def weigert(session: Any, scope: str, nieuw: dict[str, Any], nu: Any) -> None:
        if regels[1]["sleutel"] in nieuw:
            raise DataError("COPY spoedlocaties", {}, Exception("value too long"))
        bewaar(session, scope, nieuw, nu)

    monkeypatch.setattr(importregels, "bewaar", weigert)
    uit = _importeer(api, regels)
    assert [r["status"] for r in uit] == [201, 422, 201], uit
    assert "weigerde een waarde" in uit[1]["probleem"]["detail"]
    assert [len(_events(sql_engine, i)) for i in ids] == [1, 0, 1]


def test_a_batch_that_failed_keeps_the_answers_of_its_lines_refused_as_they_were_read(
    api: TestClient, sql_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The batch fails (not the database's error: no line-by-line retry): its runnable lines
    say 503 with their keys; a line refused as it was read keeps its 400 (before: 503, 'send it
    again', which would only be refused again, and no key on any line)."""

    def kapot(*_: Any) -> None:
        raise RuntimeError("the service failed")

    monkeypatch.setattr(importregels, "bewaar", kapot)
    goed = _regels("ZH051300091")[0]
    slecht = {**_regels("ZH051300092")[0], "soort": "onbekend"}
    uit = _importeer(api, [goed, slecht])
    assert [(r["status"], r.get("sleutel")) for r in uit] == [
        (503, goed["sleutel"]),
        (400, slecht["sleutel"]),
    ], uit
    assert _events(sql_engine, "ZH051300091") == []


def test_the_batches_run_with_the_bulk_collection_thresholds(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every batch is read and written while ``gc_tuning.bulk`` holds (shared/gc_tuning.py);
    the thresholds are back once the answer is complete, and the importer let go of its sites
    before that."""
    monkeypatch.setattr(routes_import, "BATCH_REGELS", 4)
    importeurs: list[Any] = []
    maak = routes_import.Importeur

    def importeur(*args: Any, **kwargs: Any) -> Any:
        importeurs.append(maak(*args, **kwargs))
        return importeurs[-1]

    monkeypatch.setattr(routes_import, "Importeur", importeur)
    voor = gc.get_threshold()
    gezien: list[int] = []
    lees_batch, voer_uit = routes_import._lees_batch, routes_import._voer_uit

    def lees(*args: Any) -> Any:
        gezien.append(gc.get_threshold()[0])
        return lees_batch(*args)

    def voer(*args: Any) -> bytes:
        gezien.append(gc.get_threshold()[0])
        return voer_uit(*args)

    monkeypatch.setattr(routes_import, "_lees_batch", lees)
    monkeypatch.setattr(routes_import, "_voer_uit", voer)
    uit = _importeer(api, _bestand())
    assert len(uit) == len(_bestand()) and len(gezien) >= 6
    assert set(gezien) == {max(voor[0], gc_tuning.BULK_GEN0)}
    assert gc.get_threshold() == voor
    assert len(importeurs) == 1 and importeurs[0].sites == {}
