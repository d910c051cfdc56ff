"""Health that tells the truth (shared/http/health.py, metrics.py, logs.py): the database away
is a 503 with Retry-After (never a 500), not ready is a 503 with Retry-After, the broker and the
consumers' lag are checked, /metrics counts requests by route and shows a container's gauges,
and log lines are JSON carrying the request's correlation id."""

from __future__ import annotations

import json
import logging
import random
import socket
import sys
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.exc import OperationalError

from shared.http.app import ReadinessCheck, create_app
from shared.http.health import NietGereed, broker_check, lag_check
from shared.http.logs import JsonFormatter, configure_json_logging
from shared.http.problems import PROBLEM_JSON

router = APIRouter()


@router.get("/dingen/{ding_id}")
def ding(ding_id: str) -> dict[str, str]:
    """Een ding."""
    if ding_id == "db-weg":
        raise OperationalError("SELECT 1", {}, ConnectionRefusedError("connection refused"))
    logging.getLogger("test.ding").warning("ding %s gelezen", ding_id)
    return {"id": ding_id}


class Container:
    def meetwaarden(self) -> dict[str, list[tuple[dict[str, str], float]]]:
        return {
            "bodemregie_outbox_backlog": [({}, 7.0)],
            "bodemregie_consumer_lag": [({"consumer": "rapportage"}, 12.0)],
        }


def _client(ready: bool = True, service: str = "proef") -> TestClient:
    def checks(_: FastAPI) -> dict[str, ReadinessCheck]:
        def kafka() -> None:
            if not ready:
                raise NietGereed("geen broker")

        return {"kafka": kafka}

    app = create_app(
        title="Test",
        description="Test",
        api_version="1.0.0",
        routers=[router],
        readiness=checks,
        service=service,
    )
    app.state.container = Container()
    return TestClient(app, raise_server_exceptions=False)


def test_a_request_that_finds_the_database_away_is_503_with_retry_after() -> None:
    response = _client().get("/v1/dingen/db-weg")
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_JSON
    assert int(response.headers["retry-after"]) > 0
    assert response.json()["status"] == 503


def test_not_ready_is_503_with_retry_after_and_ready_is_200() -> None:
    response = _client(ready=False).get("/v1/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == PROBLEM_JSON
    assert int(response.headers["retry-after"]) > 0
    assert "kafka" in response.json()["detail"]
    assert _client().get("/v1/ready").status_code == 200


def test_the_broker_check_fails_when_no_broker_of_the_list_answers() -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        open_port = listening.getsockname()[1]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            closed_port = s.getsockname()[1]  # bound, never listening: refuses
            broker_check(f"127.0.0.1:{closed_port},127.0.0.1:{open_port}", cache_s=0)()
            with pytest.raises(NietGereed):
                broker_check(f"127.0.0.1:{closed_port}", cache_s=0)()


def test_the_lag_check_fails_beyond_its_bound_only() -> None:
    lags: list[tuple[str, int | None]] = [("rapportage", 100), ("kennis", None)]
    lag_check(lambda: lags, 100)()
    lags[0] = ("rapportage", 101)
    with pytest.raises(NietGereed, match="rapportage 101"):
        lag_check(lambda: lags, 100)()


def test_metrics_count_requests_per_route_template_and_show_the_containers_gauges() -> None:
    client = _client(service="metriekproef")
    for i in range(3):
        assert client.get(f"/v1/dingen/d{i}").status_code == 200
    client.get("/v1/dingen/db-weg")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    ok = (
        'bodemregie_http_requests_total{method="GET",route="/v1/dingen/{ding_id}",'
        'service="metriekproef",status="200"} 3.0'
    )
    assert ok in text
    assert 'route="/v1/dingen/{ding_id}",service="metriekproef",status="503"} 1.0' in text
    assert "bodemregie_http_request_seconds_bucket" in text
    assert 'bodemregie_outbox_backlog{service="metriekproef"} 7.0' in text
    assert 'bodemregie_consumer_lag{consumer="rapportage",service="metriekproef"} 12.0' in text


def test_logs_are_json_with_the_callers_correlation_id(caplog: pytest.LogCaptureFixture) -> None:
    client = _client()
    with caplog.at_level(logging.INFO):
        response = client.get("/v1/dingen/a", headers={"X-Correlation-ID": "keten-42"})
    assert response.headers["x-correlation-id"] == "keten-42"
    lines = [json.loads(JsonFormatter().format(r)) for r in caplog.records]
    by_logger: dict[str, dict[str, Any]] = {line["logger"]: line for line in lines}
    assert by_logger["test.ding"]["correlation_id"] == "keten-42"
    assert by_logger["test.ding"]["message"] == "ding a gelezen"
    access = by_logger["bodemregie.http"]
    assert access["correlation_id"] == "keten-42"
    assert (access["route"], access["status"]) == ("/v1/dingen/{ding_id}", 200)


def test_the_access_line_is_made_without_looking_for_its_caller(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = _client()

    def gezocht(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("findCaller: a walk of the stack on every request")

    monkeypatch.setattr(logging.getLogger("bodemregie.http"), "findCaller", gezocht)
    with caplog.at_level(logging.INFO):
        client.get("/v1/dingen/a", headers={"X-Correlation-ID": "keten-43"})
    (access,) = [r for r in caplog.records if r.name == "bodemregie.http"]
    assert access.getMessage() == "GET /v1/dingen/a 200"
    assert (access.levelno, getattr(access, "correlation_id", None)) == (logging.INFO, "keten-43")


def test_without_a_correlation_id_each_request_gets_a_new_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = _client()
    with caplog.at_level(logging.INFO):
        first = client.get("/v1/dingen/a").headers["x-correlation-id"]
        second = client.get("/v1/dingen/a").headers["x-correlation-id"]
    assert first != second and len(first) == 36
    ids = {json.loads(JsonFormatter().format(r)).get("correlation_id") for r in caplog.records}
    assert {first, second} <= ids


def test_configured_logging_writes_one_json_object_per_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        configure_json_logging()
        configure_json_logging()  # once only
        json_handlers = [h for h in root.handlers if isinstance(h.formatter, JsonFormatter)]
        assert len(json_handlers) == 1
        handler = json_handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.stream = sys.stderr  # capsys replaced stderr after the handler was made
        logging.getLogger("test.json").warning('regel met "quotes"')
        line = capsys.readouterr().err.strip().splitlines()[-1]
        doc = json.loads(line)
        assert (doc["level"], doc["logger"], doc["message"]) == (
            "WARNING",
            "test.json",
            'regel met "quotes"',
        )
    finally:
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
        for handler in before:
            if handler not in root.handlers:
                root.addHandler(handler)


def test_log_times_are_written_as_datetime_writes_them() -> None:
    from datetime import UTC, datetime

    from shared.http.logs import tijdstip

    rng = random.Random(12)
    momenten = [rng.uniform(1.7e9, 1.9e9) for _ in range(20_000)]
    momenten += [1_800_000_000.9999996, 1_800_000_000.0004995, 1_800_000_000.0]
    for moment in momenten:
        verwacht = datetime.fromtimestamp(moment, UTC).isoformat(timespec="milliseconds")
        assert tijdstip(moment) == verwacht, moment


def test_new_correlation_ids_are_version_4_uuids() -> None:
    from uuid import UUID

    from shared.http.logs import nieuwe_correlatie

    ids = {nieuwe_correlatie() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(UUID(i).version == 4 and str(UUID(i)) == i for i in ids)
