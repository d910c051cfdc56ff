"""A lean HTTP/1.1 keep-alive client on raw asyncio streams, for load generation.

The load generator shares the machine's cores with the service it measures, so it must cost
little: one event loop, one kept-alive connection per client, requests written as prebuilt
bytes, answers read by ``Content-Length`` (the services never answer chunked). Not a general
HTTP client: no redirects, no TLS, no chunked bodies.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[bytes, bytes]  # lower-case names
    body: bytes


class Connection:
    """One kept-alive connection; requests go one at a time."""

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection(self._host, self._port)
        return self

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Answer:
        assert self._reader is not None and self._writer is not None, "open() first"
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}:{self._port}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body or method in ("POST", "PUT", "PATCH"):
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head[:-4].split(b"\r\n")
        answer_headers = {}
        for line in header_lines:
            name, _, value = line.partition(b":")
            answer_headers[name.strip().lower()] = value.strip()
        length = int(answer_headers.get(b"content-length", b"0"))
        content = await self._reader.readexactly(length) if length else b""
        return Answer(int(status_line.split(b" ", 2)[1]), answer_headers, content)
