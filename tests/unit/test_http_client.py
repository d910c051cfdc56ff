"""The load generator's HTTP client (bench/http_client.py) reads each answer whole, however the
bytes arrive, and sends what it was given: its measurements rest on that."""

from __future__ import annotations

import asyncio

import pytest

from bench.http_client import Connection, run


class _Server:
    """Answers each request with the next of ``answers``, written in the given pieces."""

    def __init__(self, answers: list[list[bytes]]) -> None:
        self.answers = answers
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        for pieces in self.answers:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            self.requests.append(head + await reader.readexactly(length))
            for piece in pieces:
                writer.write(piece)
                await writer.drain()
                await asyncio.sleep(0.01)
        writer.close()


async def _with_server(answers: list[list[bytes]], client: object) -> _Server:
    server = _Server(answers)
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    port = listening.sockets[0].getsockname()[1]
    try:
        await client(Connection("127.0.0.1", port))  # type: ignore[operator]
    finally:
        listening.close()
    return server


def test_answers_split_anywhere_are_read_whole_and_in_turn() -> None:
    got: list[tuple[int, bytes]] = []

    async def client(conn: Connection) -> None:
        await conn.open()
        head = conn.head("POST", "/v1/x", {"Authorization": "Bearer t"})
        for version in (1, 2, 3):
            got.append(await conn.exchange(head, b'{"a":1}', b'If-Match: "%d"\r\n' % version))
        answer = await conn.request("GET", "/v1/ready")
        got.append((answer.status, answer.body))
        await conn.close()

    server = run(
        _with_server(
            [
                # head and body split in the middle of a line, and of the body
                [b"HTTP/1.1 201 Created\r\nContent-Le", b"ngth: 5\r\n\r\nab", b"cde"],
                # no Content-Length: no body
                [b"HTTP/1.1 204 No Content\r\nX: y\r\n\r\n"],
                [b"HTTP/1.1 412 Precondition Failed\r\ncontent-length: 2\r\n\r\n{}"],
                [b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nok!!"],
            ],
            client,
        )
    )
    assert got == [(201, b"abcde"), (204, b""), (412, b"{}"), (200, b"ok!!")]
    assert server.requests[1].startswith(b"POST /v1/x HTTP/1.1\r\nHost: 127.0.0.1:")
    assert b"\r\nAuthorization: Bearer t\r\n" in server.requests[1]
    assert b'\r\nContent-Length: 7\r\nIf-Match: "2"\r\n\r\n{"a":1}' in server.requests[1]


def test_a_connection_the_server_closed_fails_the_waiting_request() -> None:
    async def client(conn: Connection) -> None:
        await conn.open()
        head = conn.head("POST", "/v1/x")
        await conn.exchange(head, b"{}")
        with pytest.raises(ConnectionError):  # not a wait for ever (the guard: 30 s)
            await asyncio.wait_for(conn.exchange(head, b"{}"), 30)

    run(_with_server([[b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"]], client))
