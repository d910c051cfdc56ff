"""uvicorn's httptools protocol writing each response in one write (shared/http/eenschrijf.py):
the same bytes, one ``write`` for an ordinary response instead of two; a streamed response's
head is not held past the loop's round."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from shared.http.eenschrijf import HttpToolsEenSchrijf
from shared.http.workers import HTTP_PROTOCOLS

VERZOEK = b"POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\n\r\n{}"


class Transport(asyncio.Transport):
    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: Any) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}.get(name, default)

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


async def gewoon(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await receive()
    headers = [(b"content-type", b"application/json"), (b"content-length", b"11")]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"ok":true}'})


async def gestroomd(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await asyncio.sleep(0.05)  # the first part comes later
    await send({"type": "http.response.body", "body": b"een", "more_body": True})
    await send({"type": "http.response.body", "body": b""})


async def _antwoord(protocol: type[HttpToolsProtocol], app: Any) -> list[bytes]:
    config = Config(app, http=protocol, lifespan="off", access_log=False, log_level="error")
    config.load()
    transport = Transport()
    server = protocol(config, ServerState(), {})
    server.connection_made(transport)
    server.data_received(VERZOEK)
    for _ in range(20):
        await asyncio.sleep(0.01)
    return transport.writes


@pytest.mark.parametrize("app", [gewoon, gestroomd])
def test_the_same_bytes_as_uvicorns_own_protocol(app: Any) -> None:
    uvicorn = b"".join(asyncio.run(_antwoord(HttpToolsProtocol, app)))
    eigen = b"".join(asyncio.run(_antwoord(HttpToolsEenSchrijf, app)))
    assert _zonder_datum(eigen) == _zonder_datum(uvicorn)
    assert eigen.startswith(b"HTTP/1.1 ")


def test_an_ordinary_response_is_one_write() -> None:
    assert len(asyncio.run(_antwoord(HttpToolsProtocol, gewoon))) == 2
    writes = asyncio.run(_antwoord(HttpToolsEenSchrijf, gewoon))
    assert len(writes) == 1 and writes[0].endswith(b'\r\n\r\n{"ok":true}')


def test_a_streamed_head_goes_before_its_first_part_comes() -> None:
    async def eerste_write() -> tuple[list[bytes], list[bytes]]:
        config = Config(gestroomd, http=HttpToolsEenSchrijf, lifespan="off", log_level="error")
        config.load()
        transport = Transport()
        server = HttpToolsEenSchrijf(config, ServerState(), {})
        server.connection_made(transport)
        server.data_received(VERZOEK)
        await asyncio.sleep(0.02)  # the app is waiting for its first part
        vroeg = list(transport.writes)
        await asyncio.sleep(0.1)
        return vroeg, transport.writes

    vroeg, alles = asyncio.run(eerste_write())
    assert (
        len(vroeg) == 1
        and vroeg[0].startswith(b"HTTP/1.1 200 OK")
        and vroeg[0].endswith(b"\r\n\r\n")
    )
    assert b"een" in b"".join(alles[1:])


def test_the_workers_run_it_for_httptools() -> None:
    assert HTTP_PROTOCOLS["httptools"] == "shared.http.eenschrijf:HttpToolsEenSchrijf"


def _zonder_datum(antwoord: bytes) -> bytes:
    return b"\r\n".join(r for r in antwoord.split(b"\r\n") if not r.startswith(b"date: "))
