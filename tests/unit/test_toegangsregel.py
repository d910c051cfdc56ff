"""The access line (shared/http/logs.py), byte for byte: its fields, their order and values, as
the JSON handler of ``configure_json_logging`` writes it, whether that handler is the only one
(the line is written straight to its stream) or other handlers take the record too (the line
goes through ``logging``'s records)."""

from __future__ import annotations

import io
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
import pytest
from fastapi import APIRouter
from fastapi.testclient import TestClient

from shared.http.app import create_app
from shared.http.logs import CorrelatieMiddleware, JsonFormatter, access_log, correlatie_id

router = APIRouter()


@router.get("/dingen/{ding_id}")
def ding(ding_id: str) -> dict[str, str]:
    """Een ding."""
    return {"id": ding_id}


@contextmanager
def json_handler(*andere: logging.Handler) -> Iterator[logging.StreamHandler[io.StringIO]]:
    """A JSON handler on a string as the root's only one (with ``andere``), as a service
    configures it; pytest's handlers put back after. Entered in the test itself: pytest adds
    its handlers to the root after a fixture's set-up."""
    root = logging.getLogger()
    handler = logging.StreamHandler(io.StringIO())
    handler.setFormatter(JsonFormatter())
    eerder, niveau = root.handlers[:], access_log.level
    root.handlers[:] = [handler, *andere]
    access_log.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.handlers[:] = eerder
        access_log.setLevel(niveau)


def _geen_record(*args: object, **kwargs: object) -> logging.LogRecord:
    raise AssertionError("a LogRecord made for the access line")


def _regel(handler: logging.StreamHandler[io.StringIO]) -> str:
    regels = handler.stream.getvalue().splitlines(keepends=True)
    (regel,) = [r for r in regels if json.loads(r)["logger"] == "bodemregie.http"]
    return regel


@pytest.mark.parametrize("alleen", [True, False], ids=["json-handler-alone", "with-another"])
@pytest.mark.parametrize(
    ("pad", "kop", "status", "route", "correlatie"),
    [
        ("/v1/dingen/a", "keten-44", 200, "/v1/dingen/{ding_id}", "keten-44"),
        ("/v1/onbekend", "keten-45", 404, None, "keten-45"),
        ("/v1/dingen/b", "", 400, None, None),  # refused before routing, a new id
        ("/v1/dingen/c", None, 200, "/v1/dingen/{ding_id}", None),  # none sent, a new id
    ],
)
def test_the_access_line_is_pinned(
    monkeypatch: pytest.MonkeyPatch,
    alleen: bool,
    pad: str,
    kop: str | None,
    status: int,
    route: str | None,
    correlatie: str | None,
) -> None:
    app = create_app(
        title="T", description="T", api_version="1.0.0", routers=[router], service="proef"
    )
    client = TestClient(app, raise_server_exceptions=False)
    headers = {} if kop is None else {"X-Correlation-ID": kop}
    with json_handler(*([] if alleen else [logging.NullHandler()])) as handler:
        monkeypatch.setattr(time, "time", lambda: 1_800_000_000.4567)
        if alleen:  # written straight to the handler's stream, without a record
            monkeypatch.setattr(access_log, "makeRecord", _geen_record)
        antwoord = client.get(pad, headers=headers)
        monkeypatch.undo()
    assert antwoord.status_code == status
    regel = _regel(handler)
    gelezen = json.loads(regel)
    verwacht = {
        "time": "2027-01-15T08:00:00.456+00:00",
        "level": "INFO",
        "logger": "bodemregie.http",
        "message": f"GET {pad} {status}",
        "correlation_id": correlatie or antwoord.headers["x-correlation-id"],
        "method": "GET",
        "route": route,
        "status": status,
        "duration_ms": gelezen["duration_ms"],
        "service": "proef",
    }
    assert isinstance(gelezen["duration_ms"], float) and gelezen["duration_ms"] >= 0
    assert round(gelezen["duration_ms"], 2) == gelezen["duration_ms"]
    assert regel == orjson.dumps(verwacht).decode() + "\n"


def test_no_access_line_below_its_level() -> None:
    app = create_app(title="T", description="T", api_version="1.0.0", routers=[router])
    with json_handler() as handler:
        access_log.setLevel(logging.WARNING)
        assert TestClient(app).get("/v1/dingen/a").status_code == 200
    assert handler.stream.getvalue() == ""


def test_a_filter_on_the_access_log_still_applies() -> None:
    def zonder_gezondheid(record: logging.LogRecord) -> bool:
        return getattr(record, "route", None) != "/v1/health"

    app = create_app(title="T", description="T", api_version="1.0.0", routers=[router])
    client = TestClient(app)
    access_log.addFilter(zonder_gezondheid)
    try:
        with json_handler() as handler:
            client.get("/v1/health")
            client.get("/v1/dingen/a")
    finally:
        access_log.removeFilter(zonder_gezondheid)
    regels = [json.loads(r) for r in handler.stream.getvalue().splitlines()]
    assert [r["route"] for r in regels] == ["/v1/dingen/{ding_id}"]


@pytest.mark.anyio
@pytest.mark.parametrize("alleen", [True, False], ids=["json-handler-alone", "with-another"])
async def test_a_line_that_cannot_be_written_is_reported_not_raised(
    alleen: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """A path orjson cannot write (a lone surrogate: no server we run makes one, but an ASGI
    server may) is a logging error on stderr, as ``StreamHandler.emit`` reports one, whichever
    way the line goes: the request is answered, its correlation id reset, nothing raised."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    verstuurd: list[Any] = []

    async def send(bericht: Any) -> None:
        verstuurd.append(bericht)

    scope = {"type": "http", "method": "GET", "path": "/v1/\ud800", "headers": []}
    laag = CorrelatieMiddleware(app, service="proef")
    with json_handler(*([] if alleen else [logging.NullHandler()])) as handler:
        await laag(scope, None, send)  # type: ignore[arg-type]
    assert verstuurd[0]["status"] == 200
    assert correlatie_id() is None
    assert handler.stream.getvalue() == ""
    assert "--- Logging error ---" in capsys.readouterr().err
