"""A lean HTTP/1.1 keep-alive client on a raw asyncio protocol, for load generation.

The load generator shares the machine's cores with the service it measures, so it must cost
little: one event loop (uvloop when the caller runs one, ``run``), one kept-alive connection
per client, requests written as prebuilt bytes, answers read by ``Content-Length`` (the
services never answer chunked) straight from the protocol's buffer, without asyncio's stream
layer (a ``StreamReader``'s ``readuntil`` and ``readexactly`` cost a future and a wake-up
each). Not a general HTTP client: no redirects, no TLS, no chunked bodies.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar, cast

T = TypeVar("T")


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop when it is installed (it comes with ``uvicorn[standard]``):
    the client's own loop then costs less of the cores it shares with the service."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is installed wherever uvicorn[standard] is
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(main)


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[bytes, bytes]  # lower-case names
    body: bytes


class _Answers(asyncio.Protocol):
    """Collects one answer at a time: its head, then ``Content-Length`` bytes of body."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._waiter: asyncio.Future[tuple[bytes, bytes]] | None = None
        self._head: bytes | None = None
        self._length = 0
        self._lost: Exception | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports do not derive from asyncio's classes, but have their methods.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        self._complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._lost = exc or ConnectionResetError("the server closed the connection")
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(self._lost)

    def expect(self) -> asyncio.Future[tuple[bytes, bytes]]:
        """The next answer's head (without its blank line) and body."""
        if self._lost is not None:
            raise self._lost
        self._waiter = asyncio.get_running_loop().create_future()
        self._complete()
        return self._waiter

    def _complete(self) -> None:
        waiter = self._waiter
        if waiter is None or waiter.done():
            return
        buffer = self._buffer
        if self._head is None:
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            self._head = bytes(buffer[:end])
            del buffer[: end + 4]
            self._length = _content_length(self._head)
        if len(buffer) < self._length:
            return
        body = bytes(buffer[: self._length])
        del buffer[: self._length]
        head, self._head = self._head, None
        waiter.set_result((head, body))


def _content_length(head: bytes) -> int:
    at = head.lower().find(b"\r\ncontent-length:")
    if at < 0:
        return 0
    end = head.find(b"\r\n", at + 2)
    return int(head[at + 17 : end if end >= 0 else len(head)])


def _headers(head: bytes) -> tuple[int, dict[bytes, bytes]]:
    status_line, *header_lines = head.split(b"\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split(b" ", 2)[1]), headers


class Connection:
    """One kept-alive connection; requests go one at a time."""

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._protocol: _Answers | None = None

    async def open(self) -> Connection:
        _, self._protocol = await asyncio.get_running_loop().create_connection(
            _Answers, self._host, self._port
        )
        return self

    async def close(self) -> None:
        if self._protocol is not None and self._protocol.transport is not None:
            self._protocol.transport.close()

    def head(self, method: str, path: str, headers: dict[str, str] | None = None) -> bytes:
        """The start of a request with a JSON body, up to its ``Content-Length`` value: built
        once for requests that differ only in body and ``last`` headers (``exchange``)."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}:{self._port}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        lines += ["Content-Type: application/json", "Content-Length: "]
        return "\r\n".join(lines).encode("latin-1")

    async def exchange(self, head: bytes, body: bytes, last: bytes = b"") -> tuple[int, bytes]:
        """Send ``head`` (from :meth:`head`) with the body's length, the ``last`` header lines
        (each ending in CRLF) and the body; the answer's status and body (read whole)."""
        assert self._protocol is not None and self._protocol.transport is not None, "open() first"
        answer = self._protocol.expect()
        self._protocol.transport.write(b"%s%d\r\n%s\r\n%s" % (head, len(body), last, body))
        answer_head, content = await answer
        return int(answer_head[9:12]), content

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Answer:
        assert self._protocol is not None and self._protocol.transport is not None, "open() first"
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}:{self._port}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method in ("POST", "PUT", "PATCH"):
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        answer = self._protocol.expect()
        self._protocol.transport.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head, content = await answer
        status, answer_headers = _headers(head)
        return Answer(status, answer_headers, content)
