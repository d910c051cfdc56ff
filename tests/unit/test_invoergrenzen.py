"""The body limit and the NUL check (shared/http/middleware.py) answer by the ASGI messages,
exactly: which answer wins when a request breaks both, a body too large when it is streamed
without a length, the problem documents byte for byte, and what the route receives."""

from __future__ import annotations

import json
import tracemalloc
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pytest
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.types import Message

from shared.http.app import create_app
from shared.http.middleware import SECURITY_HEADERS, HeadersMiddleware, InvoerMiddleware

pytestmark = pytest.mark.anyio
router = APIRouter()
gelezen: list[bytes] = []


@router.post("/dingen")
async def ding(request: Request) -> Response:
    """Een ding."""
    gelezen.append(await request.body())
    return Response(b"{}", status_code=201, media_type="application/json")


@router.post("/stroom")
async def stroom(request: Request) -> Response:
    """Een stroom."""
    gelezen.append(b"".join([deel async for deel in request.stream()]))
    return Response(b"{}", status_code=201, media_type="application/json")


async def _post(
    pad: str, delen: Sequence[bytes], lengte: int | None = None, query: bytes = b""
) -> list[dict[str, Any]]:
    app = create_app(
        title="T",
        description="T",
        api_version="1.0.0",
        routers=[router],
        max_body_bytes=10,
        streamed_paths=["/v1/stroom"],
    )
    berichten = [
        {"type": "http.request", "body": deel, "more_body": i < len(delen) - 1}
        for i, deel in enumerate(delen)
    ]
    verstuurd: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return berichten.pop(0) if berichten else {"type": "http.disconnect"}

    async def send(bericht: Any) -> None:
        verstuurd.append(bericht)

    headers = [(b"content-type", b"application/json"), (b"x-correlation-id", b"k-1")]
    if lengte is not None:
        headers.append((b"content-length", str(lengte).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": pad,
        "raw_path": pad.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("t", 80),
        "state": {},
    }
    await app(scope, receive, send)
    return verstuurd


def _probleem(status: int, titel: str, detail: str, pad: str, **meer: Any) -> bytes:
    inhoud = {"type": "about:blank", "title": titel, "status": status, "detail": detail}
    return json.dumps({**inhoud, "instance": pad, **meer}).encode()


TE_GROOT = _probleem(413, "Verzoek te groot", "De body is groter dan 10 bytes.", "/v1/dingen")


def _nul(waar: str, pad: str = "/v1/dingen") -> bytes:
    reden = "bevat een NUL-teken (U+0000)"
    detail = f"De {waar} bevat een NUL-teken (U+0000); dat is in geen enkel veld toegestaan."
    params = [{"name": waar, "reason": reden}]
    return _probleem(400, "Ongeldige invoer", detail, pad, invalidParams=params)


def _antwoord(verstuurd: list[dict[str, Any]]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    start, *rest = verstuurd
    return start["status"], start["headers"], b"".join(m.get("body", b"") for m in rest)


@pytest.mark.parametrize(
    ("pad", "delen", "lengte", "query", "status", "body"),
    [
        ("/v1/dingen", [b"{}"], 2, b"", 201, b"{}"),
        ("/v1/dingen", [b"{", b'"a":', b"1}"], None, b"", 201, b"{}"),
        ("/v1/dingen", [b"{}"], 11, b"", 413, TE_GROOT),  # announced
        ("/v1/dingen", [b'{"a":', b'"123456"}'], None, b"", 413, TE_GROOT),  # streamed
        ("/v1/dingen", [b'{"a":"\\u0000"}'], 11, b"a=%00", 413, TE_GROOT),  # the limit first
        ("/v1/dingen", [b'{"a":"\\u0000"}'], None, b"a=%00", 400, _nul("query")),
        ("/v1/dingen", [b'{"a":"\\u0000', b'"}'], None, b"", 413, TE_GROOT),
        ("/v1/dingen", [b"[", b'"\\u0000"]'], None, b"", 400, _nul("body")),
        ("/v1/dingen", [b'"\x00"'], 3, b"", 400, _nul("body")),
        ("/v1/stroom", [b'{"a":"123456789"}'], 17, b"", 201, b"{}"),  # limits its lines itself
        ("/v1/stroom", [b"{}"], 2, b"a=\x00", 400, _nul("query", "/v1/stroom")),
    ],
)
async def test_the_body_limit_and_the_nul_check_answer_exactly(
    pad: str,
    delen: list[bytes],
    lengte: int | None,
    query: bytes,
    status: int,
    body: bytes,
) -> None:
    gelezen.clear()
    gekregen, headers, inhoud = _antwoord(await _post(pad, delen, lengte, query))
    assert (gekregen, inhoud) == (status, body)
    if status == 201:
        assert gelezen == [b"".join(delen)]
    else:
        assert gelezen == []
        assert headers[:2] == [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()),
        ]


@pytest.mark.parametrize(
    ("pad", "eigen", "toegevoegd"),
    [
        ("/v1/dingen", [], [b"api-version", *[n for n, _ in SECURITY_HEADERS]]),
        (
            "/v1/dingen",
            [(b"Cache-Control", b"max-age=60")],
            [b"api-version", *[n for n, _ in SECURITY_HEADERS if n != b"cache-control"]],
        ),
        (
            "/v1/docs",
            [],
            [b"api-version", *[n for n, _ in SECURITY_HEADERS if n != b"content-security-policy"]],
        ),
    ],
)
async def test_the_headers_are_added_after_the_routes_own_in_order(
    pad: str, eigen: list[tuple[bytes, bytes]], toegevoegd: list[bytes]
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": list(eigen)})
        await send({"type": "http.response.body", "body": b""})

    verstuurd: list[dict[str, Any]] = []

    async def send(bericht: Any) -> None:
        verstuurd.append(bericht)

    laag = HeadersMiddleware(app, api_version="2.1.0")
    await laag({"type": "http", "path": pad}, None, send)  # type: ignore[arg-type]
    headers = verstuurd[0]["headers"]
    waarden = dict([*SECURITY_HEADERS, (b"api-version", b"2.1.0")])
    assert headers == [*eigen, *[(n, waarden[n]) for n in toegevoegd]]
    assert verstuurd[1] == {"type": "http.response.body", "body": b""}


async def _door_invoer(delen: Iterable[Message]) -> tuple[list[Message], list[Message]]:
    """``delen`` through InvoerMiddleware (limit 1 MB) to a route that reads the body as an
    ASGI app does: what the route received, and what was answered."""
    ontvangen: list[Message] = []
    verstuurd: list[Message] = []

    async def route(scope: Any, receive: Any, send: Any) -> None:
        while True:
            bericht = await receive()
            ontvangen.append(bericht)
            if bericht["type"] != "http.request" or not bericht.get("more_body", False):
                break
        await send({"type": "http.response.start", "status": 201, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    berichten = iter(delen)

    async def receive() -> Message:
        return next(berichten)

    async def send(bericht: Message) -> None:
        verstuurd.append(bericht)

    scope = {"type": "http", "path": "/v1/dingen", "headers": [], "query_string": b""}
    await InvoerMiddleware(route, max_bytes=1_000_000)(scope, receive, send)
    return ontvangen, verstuurd


def _delen(body: bytes, *, einde: bool = True) -> Iterator[Message]:
    for i in range(len(body)):
        laatste = einde and i == len(body) - 1
        yield {"type": "http.request", "body": body[i : i + 1], "more_body": not laatste}


async def test_a_body_dripped_a_byte_a_message_is_held_as_its_bytes() -> None:
    """A client may send its body in as many pieces as it likes: kept as the messages they
    came in, 100,000 one-byte parts held ~28 MB (a message per byte) and handing them on
    took time quadratic in their number."""
    body = b'{"a":"' + b"x" * 99_990 + b'"}'
    tracemalloc.start()
    try:
        ontvangen, verstuurd = await _door_invoer(_delen(body))  # made as a server makes them
        _, piek = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert verstuurd[0]["status"] == 201
    assert b"".join(b["body"] for b in ontvangen) == body
    assert not ontvangen[-1]["more_body"]
    assert piek < 2_000_000  # the body (~0.1 MB) and its copy, not a message per byte


async def test_a_disconnect_before_the_body_s_end_reaches_the_route_after_the_body_so_far() -> None:
    weg = {"type": "http.disconnect"}
    ontvangen, _ = await _door_invoer([*_delen(b'{"a":', einde=False), weg])
    assert b"".join(b.get("body", b"") for b in ontvangen[:-1]) == b'{"a":'
    assert all(b["more_body"] for b in ontvangen[:-1])
    assert ontvangen[-1] == weg
    ontvangen, _ = await _door_invoer([weg])
    assert ontvangen == [weg]


async def test_a_nul_split_over_two_parts_is_found() -> None:
    for delen in ([b'["\\u00', b'00"]'], [b'["\\', b'u0000"]'], [b'"\x00', b'"']):
        berichten = [
            {"type": "http.request", "body": d, "more_body": i == 0} for i, d in enumerate(delen)
        ]
        ontvangen, verstuurd = await _door_invoer(berichten)
        assert (verstuurd[0]["status"], ontvangen) == (400, [])
    # An escaped backslash before u0000 is text, not a NUL, however it is split.
    ontvangen, verstuurd = await _door_invoer(list(_delen(b'["\\\\u0000"]')))
    assert verstuurd[0]["status"] == 201
