"""ASGI middleware: API-Version and security headers, request-size limit, no NUL characters."""

from __future__ import annotations

import json
import re
from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.problems import PROBLEM_JSON

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (
        b"content-security-policy",
        b"default-src 'none'; style-src 'unsafe-inline'; "
        b"img-src 'self' data:; frame-ancestors 'none'",
    ),
    (b"referrer-policy", b"no-referrer"),
    (b"strict-transport-security", b"max-age=31536000; includeSubDomains"),
    (b"cache-control", b"no-store"),
]


class HeadersMiddleware:
    """Adds ``API-Version`` and the security headers to every response."""

    def __init__(self, app: ASGIApp, api_version: str, docs_prefix: str = "/v1/docs") -> None:
        self.app = app
        self.api_version = api_version.encode()
        self.docs_prefix = docs_prefix
        # What is added when the response sets none of them (nearly always), built once.
        self._kop = [(b"api-version", self.api_version), *SECURITY_HEADERS]
        # The interactive docs load their own scripts and styles.
        self._kop_docs = [k for k in self._kop if k[0] != b"content-security-policy"]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        kop = self._kop_docs if scope["path"].startswith(self.docs_prefix) else self._kop

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if any(k.lower() in _BEVEILIGING for k, _ in headers):
                    present = {k.lower() for k, _ in headers}
                    headers.append(kop[0])
                    headers.extend(k for k in kop[1:] if k[0] not in present)
                else:
                    headers.extend(kop)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


_BEVEILIGING = frozenset(name for name, _ in SECURITY_HEADERS)


class InvoerMiddleware:
    """Refuses bodies larger than ``max_bytes`` with 413, whether announced or streamed, and NUL
    characters (U+0000) in the path, the query and the body with 400: no text field means them,
    and PostgreSQL cannot store them (it would answer with a 500). One layer for both: the NUL
    check reads the whole body before the route does, counting it against the limit as it
    reads, and hands a body that came in parts on to the route as one message. An announced
    length beyond the limit is refused first, then a NUL in the path or the query, then what
    the body holds. ``streamed_paths`` (NDJSON uploads) are not buffered: they limit each line
    and check it with :func:`heeft_nul` themselves."""

    def __init__(self, app: ASGIApp, max_bytes: int, streamed_paths: Collection[str] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.streamed_paths = frozenset(streamed_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        pad = scope.get("path")
        gestroomd = pad in self.streamed_paths
        if not gestroomd:
            declared = None
            for naam, waarde in scope.get("headers", ()):
                if naam == b"content-length":
                    declared = waarde  # the last, as a dict of the headers keeps it
            if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
                await self._too_large(scope, send)
                return
        if "\x00" in scope.get("path", "") or _heeft_nul_in_query(scope.get("query_string", b"")):
            await self._nul(scope, send, "query")
            return
        if gestroomd:
            await self.app(scope, receive, send)
            return
        bericht = await receive()
        berichten = [bericht]
        if bericht["type"] != "http.request":
            body = b""  # gone before it sent anything: the route sees the disconnect
        elif not bericht.get("more_body", False):
            body = bericht.get("body", b"")  # the whole body in one message (nearly always)
            if len(body) > self.max_bytes:
                await self._too_large(scope, send)
                return
        else:
            # In parts: gathered in one buffer and passed on as one message. Kept as the
            # messages they came in, a body dripped a byte a message would hold a dict per
            # byte (~280 bytes each) and handing them back from the list's head cost the
            # list's length per message: a million one-byte parts of a 1 MB body held
            # ~280 MB and blocked the event loop ~47 s.
            deel = bytearray()
            weg: Message | None = None  # a disconnect before the body's end
            while True:
                deel += bericht.get("body", b"")
                if len(deel) > self.max_bytes:
                    await self._too_large(scope, send)
                    return
                if not bericht.get("more_body", False):
                    break
                bericht = await receive()
                if bericht["type"] != "http.request":
                    weg = bericht
                    break
            body = bytes(deel)
            berichten = [{"type": "http.request", "body": body, "more_body": weg is not None}]
            if weg is not None:
                berichten.append(weg)
        if heeft_nul(body):
            await self._nul(scope, send, "body")
            return

        async def opnieuw() -> Message:
            return berichten.pop(0) if berichten else await receive()

        await self.app(scope, opnieuw, send)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        await probleem(
            scope, send, 413, "Verzoek te groot", f"De body is groter dan {self.max_bytes} bytes."
        )

    async def _nul(self, scope: Scope, send: Send, waar: str) -> None:
        reden = "bevat een NUL-teken (U+0000)"
        await probleem(
            scope,
            send,
            400,
            "Ongeldige invoer",
            f"De {waar} bevat een NUL-teken (U+0000); dat is in geen enkel veld toegestaan.",
            [{"name": waar, "reason": reden}],
        )


async def probleem(
    scope: Scope,
    send: Send,
    status: int,
    titel: str,
    detail: str,
    invalid_params: list[dict[str, str]] | None = None,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """Answer with a problem+json document before the app saw the request."""
    inhoud: dict[str, object] = {
        "type": "about:blank",
        "title": titel,
        "status": status,
        "detail": detail,
        "instance": scope.get("path"),
    }
    if invalid_params:
        inhoud["invalidParams"] = invalid_params
    body = json.dumps(inhoud).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


# A NUL character in a JSON string (\u0000 after an even number of backslashes), or raw.
_NUL_IN_JSON = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000|\x00")


def heeft_nul(body: bytes) -> bool:
    """Whether a JSON text holds a NUL character, raw or escaped."""
    return _NUL_IN_JSON.search(body) is not None


def _heeft_nul_in_query(query: bytes) -> bool:
    return b"\x00" in query or b"%00" in query
