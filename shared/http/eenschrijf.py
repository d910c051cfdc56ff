"""uvicorn's httptools protocol writing a response's head and body in one write.

uvicorn writes a response's status line and headers when the app sends
``http.response.start`` and the body when it sends ``http.response.body``: two ``write``
calls, so two ``send`` system calls and, on TCP with Nagle off (uvloop's default), two segments
that wake the client twice. A profile of the workers under the HTTP benchmark put about a
tenth of their GIL time in those sends. Here the head is held until the body follows (in the
same step of the same task, for every ordinary response) and both go in one write. A head
whose body does not follow at once (a streamed response waiting for its first part) is
written at the end of the event loop's current round, so it is never held back longer than
that; anything else is written as it comes, after whatever is held.

``shared/http/workers.py`` runs its workers with it for ``--http httptools``; the bytes on the
wire are the same.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# uvicorn writes a response's head as one bytes object starting with its status line.
_KOP = b"HTTP/"


class HttpToolsEenSchrijf(HttpToolsProtocol):
    """``HttpToolsProtocol`` on a transport that joins a response's head and body."""

    def connection_made(self, transport: Any) -> None:
        # uvloop's transports are no subclasses of asyncio's: not checked.
        super().connection_made(Bundelend(transport, self.loop))


class Bundelend(asyncio.Transport):
    """A transport that holds a response's head until the next write (or the end of the
    loop's round) and then writes both at once; everything else goes to ``transport``."""

    def __init__(self, transport: Any, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport: asyncio.Transport = transport
        self._loop = loop
        self._kop: bytes | None = None

    def write(self, data: bytes | bytearray | memoryview) -> None:
        kop = self._kop
        if kop is not None:
            self._kop = None
            self._transport.write(kop + bytes(data))
        elif isinstance(data, bytes) and data.startswith(_KOP):
            self._kop = data
            self._loop.call_soon(self._laat_gaan)
        else:
            self._transport.write(data)

    def _laat_gaan(self) -> None:
        """The held head, if its body did not follow in the same step."""
        kop = self._kop
        if kop is not None:
            self._kop = None
            if not self._transport.is_closing():
                self._transport.write(kop)

    def writelines(self, list_of_data: Any) -> None:
        self.write(b"".join(list_of_data))

    def close(self) -> None:
        self._laat_gaan()
        self._transport.close()

    def abort(self) -> None:
        self._kop = None
        self._transport.abort()

    def write_eof(self) -> None:
        self._laat_gaan()
        self._transport.write_eof()

    def can_write_eof(self) -> bool:
        return self._transport.can_write_eof()

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self._transport.get_extra_info(name, default)

    def pause_reading(self) -> None:
        self._transport.pause_reading()

    def resume_reading(self) -> None:
        self._transport.resume_reading()

    def is_reading(self) -> bool:
        return self._transport.is_reading()

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        self._transport.set_write_buffer_limits(high, low)

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + len(self._kop or b"")

    def get_write_buffer_limits(self) -> tuple[int, int]:
        return self._transport.get_write_buffer_limits()

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        self._transport.set_protocol(protocol)

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._transport.get_protocol()
