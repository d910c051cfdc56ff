"""The one-write httptools protocol (shared/http/eenschrijf.py) on uvloop's real transports, as
the workers run it: answers arrive whole, on kept-alive connections, one after another."""

from __future__ import annotations

import asyncio
from typing import Any

import uvloop
from uvicorn.config import Config
from uvicorn.server import ServerState

from shared.http.eenschrijf import HttpToolsEenSchrijf


async def app(scope: Any, receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    body = (await receive())["body"]
    antwoord = b'{"gekregen":' + body + b"}"
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(antwoord))]
    await send({"type": "http.response.start", "status": 201, "headers": headers})
    await send({"type": "http.response.body", "body": antwoord})


async def _rondes() -> list[bytes]:
    config = Config(app, http=HttpToolsEenSchrijf, lifespan="off", access_log=False)
    config.load()
    loop = asyncio.get_running_loop()
    state = ServerState()
    server = await loop.create_server(
        lambda: HttpToolsEenSchrijf(config, state, {}, _loop=loop), "127.0.0.1", 0
    )
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    antwoorden = []
    for n in range(3):
        body = b"%d" % n
        writer.write(
            b"POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        kop = await reader.readuntil(b"\r\n\r\n")
        lengte = int(next(r for r in kop.split(b"\r\n") if r.startswith(b"content-length"))[16:])
        antwoorden.append(kop.split(b"\r\n")[0] + b" " + await reader.readexactly(lengte))
    writer.close()
    server.close()
    for verbinding in list(state.connections):
        verbinding.shutdown()
    return antwoorden


def test_answers_arrive_whole_on_uvloop() -> None:
    # A protocol that fails its connection would leave the client waiting: not for ever.
    assert uvloop.run(asyncio.wait_for(_rondes(), 30)) == [
        b'HTTP/1.1 201 Created {"gekregen":0}',
        b'HTTP/1.1 201 Created {"gekregen":1}',
        b'HTTP/1.1 201 Created {"gekregen":2}',
    ]
