"""``bench.import_vloer``'s pipeline (``samen``): its figure is "stored, sealed and on Kafka",
so the clock stops only when every event and every seal is stored and every event produced, and
a failure in either thread ends the run with that error instead of hanging or being dropped."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient
from sqlalchemy import Engine

from bench import import_vloer as vloer
from shared.messaging.acls import ADMIN, AUDITOR
from shared.messaging.publisher import producer_config
from tests.support.infra import kafka_as


@pytest.fixture(scope="module")
def evs() -> list[vloer.Gebeurtenis]:
    """Four transactions of 50 (and one of 10) from a sample of two sites."""
    store_id = str(uuid.uuid4())
    return vloer.vermenigvuldig(vloer.voorbeeld(2), 210, store_id)


def _run(evs: list[vloer.Gebeurtenis]) -> dict[str, Any]:
    """``samen`` in a thread that must end (a hang would fail here, not block the suite)."""
    uit: dict[str, Any] = {}

    def doe() -> None:
        try:
            uit["r"] = vloer.samen(evs, 50, "store")
        except BaseException as exc:
            uit["fout"] = exc

    draad = threading.Thread(target=doe, daemon=True)
    draad.start()
    draad.join(300)
    assert not draad.is_alive(), "the pipeline hung"
    return uit


def test_the_pipeline_stores_every_seal_before_the_clock_stops(
    evs: list[vloer.Gebeurtenis], monkeypatch: pytest.MonkeyPatch
) -> None:
    opgeslagen = {"events": 0, "zegels": 0}
    echte = vloer._copy

    def _copy(engine: Engine) -> tuple[Any, int]:
        opslaan, pid = echte(engine)

        def tel(deel: list[vloer.Gebeurtenis], zegels: list[tuple[Any, ...]]) -> None:
            opslaan(deel, zegels)
            opgeslagen["events"] += len(deel)
            opgeslagen["zegels"] += len(zegels)

        return tel, pid

    monkeypatch.setattr(vloer, "_copy", _copy)
    uit = _run(evs)
    assert "fout" not in uit, uit.get("fout")
    assert uit["r"]["events"] == 210
    assert opgeslagen == {"events": 210, "zegels": 210}


@pytest.mark.parametrize("waar", ["kafka", "copy"])
def test_a_failure_in_either_thread_ends_the_run_with_its_error(
    evs: list[vloer.Gebeurtenis], monkeypatch: pytest.MonkeyPatch, waar: str
) -> None:
    class Stuk(Exception):
        pass

    if waar == "kafka":
        echt_stuur = vloer._stuur
        keer = {"n": 0}

        def _stuur(*args: Any) -> None:
            keer["n"] += 1
            if keer["n"] == 3:  # the warm-up, the first transaction, then this
                raise Stuk("Kafka did not confirm every record")
            echt_stuur(*args)

        monkeypatch.setattr(vloer, "_stuur", _stuur)
    else:
        echte = vloer._copy

        def _copy(engine: Engine) -> tuple[Any, int]:
            opslaan, pid = echte(engine)
            keer = {"n": 0}

            def stuk(deel: list[vloer.Gebeurtenis], zegels: list[tuple[Any, ...]]) -> None:
                keer["n"] += 1
                if keer["n"] == 2:
                    raise Stuk("COPY failed")
                opslaan(deel, zegels)

            return stuk, pid

        monkeypatch.setattr(vloer, "_copy", _copy)
    uit = _run(evs)
    assert isinstance(uit.get("fout"), Stuk)


def test_a_record_the_broker_refuses_fails_the_send() -> None:
    """The relay's producer reports only failed records and otherwise leaves nothing in the
    queue after a flush: a flush that returns 0 alone does not say every record landed. The
    auditor may not write: every record is refused."""
    producer, topic = vloer._producer(AUDITOR)
    evs = [vloer.Gebeurtenis(k, "s", (), b"{}") for k in range(1, 4)]
    try:
        with pytest.raises(RuntimeError, match="did not confirm"):
            vloer._stuur(producer, topic, evs, "store")
    finally:
        vloer._weg(topic)


def test_the_kafka_stages_delete_their_scratch_topics(
    evs: list[vloer.Gebeurtenis], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Made as the services' topics are (kept for ever): a full run would leave two topics of
    40,000 records each on the shared broker."""
    gemaakt: list[str] = []
    echt = vloer.create_topic

    def create_topic(*args: Any, **kwargs: Any) -> str:
        gemaakt.append(echt(*args, **kwargs))
        return gemaakt[-1]

    monkeypatch.setattr(vloer, "create_topic", create_topic)
    vloer.kafka(evs[:60], 50, "store")
    vloer.samen(evs[:60], 50, "store")
    assert len(gemaakt) == 2
    bestaand = AdminClient(producer_config(kafka_as(ADMIN))).list_topics(timeout=30).topics
    assert not set(gemaakt) & set(bestaand)
