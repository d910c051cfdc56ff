"""JSON logs with correlation ids: one JSON object per line (time, level, logger, message,
correlation id, and for each request method, route, status and duration), so that a log
collector can follow one request, and the events it recorded, across the services.

The correlation id is the request's ``X-Correlation-ID`` header (what locaties already stores in
its events' metadata), or a new UUID when the caller sent none; the middleware then adds it to
the request's headers, so the events carry the id the logs show, and answers with it."""

from __future__ import annotations

import contextvars
import logging
import math
import random
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared.http.metrics import GEEN_ROUTE, Verzoekmeting, route_template
from shared.http.problems import InvalidParam, problem_response

HEADER = b"x-correlation-id"
_correlatie: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlatie", default=None)
# What a caller may send as its id: visible ASCII, at most 100 characters (locaties' limit).
CORRELATIE_PATROON = r"^[\x21-\x7e]{1,100}$"  # also in the documents (shared/http/actor.py)
_GELDIG = re.compile(CORRELATIE_PATROON)
access_log = logging.getLogger("bodemregie.http")


def correlatie_id() -> str | None:
    return _correlatie.get()


_factory: Any = None


def _install_record_factory() -> None:
    """Every log record takes the correlation id of the request it was made in, when it is
    made (a handler may format it later, elsewhere)."""
    global _factory
    if _factory is not None:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        correlatie = _correlatie.get()
        if correlatie is not None:
            record.correlation_id = correlatie
        return record

    logging.setLogRecordFactory(factory)
    _factory = factory


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, Any] = {
            "time": tijdstip(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        correlatie = getattr(record, "correlation_id", None) or _correlatie.get()
        if correlatie:
            doc["correlation_id"] = correlatie
        for key in ("method", "route", "status", "duration_ms", "service"):
            if hasattr(record, key):
                doc[key] = getattr(record, key)
        if record.exc_info:
            doc["exception"] = self.formatException(record.exc_info)
        # orjson: a tenth of json.dumps's time, on every access line.
        return orjson.dumps(doc, default=str).decode()


_seconde: tuple[int, str] = (-1, "")


def tijdstip(created: float) -> str:
    """``created`` as ``datetime.fromtimestamp(created, UTC).isoformat(timespec=
    "milliseconds")`` writes it (the same rounding), with the date and time of day formatted
    once per second rather than once per line."""
    global _seconde
    fractie, geheel = math.modf(created)
    seconde, micro = int(geheel), round(fractie * 1e6)
    if micro >= 1_000_000:
        seconde, micro = seconde + 1, micro - 1_000_000
    laatst = _seconde
    if laatst[0] != seconde:
        laatst = _seconde = (seconde, datetime.fromtimestamp(seconde, UTC).strftime(_ISO))
    return f"{laatst[1]}.{micro // 1000:03d}+00:00"


_ISO = "%Y-%m-%dT%H:%M:%S"


def nieuwe_correlatie() -> str:
    """A fresh correlation id (a UUID, version 4). An id, not a secret: from ``random``, which
    costs half of ``uuid4``'s ``os.urandom`` call."""
    return str(uuid.UUID(int=_willekeurig(128), version=4))


_willekeurig = random.getrandbits


def configure_json_logging(level: int = logging.INFO) -> None:
    """Every log line of the process as JSON on stderr (replaces the root's plain stream
    handlers once). The root keeps its level (libraries stay at WARNING); the access lines
    (``bodemregie.http``) are logged at ``level``."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for old in list(root.handlers):
        if type(old) is logging.StreamHandler:
            root.removeHandler(old)
    root.addHandler(handler)
    access_log.setLevel(level)


class CorrelatieMiddleware:
    """The request's correlation id (the caller's, checked, or a new one) in the log records
    made while it runs and in the answer; then one access line. With a ``meting`` it also
    counts and times the request (``shared/http/metrics.py``), in this same layer."""

    def __init__(self, app: ASGIApp, service: str, meting: Verzoekmeting | None = None) -> None:
        self.app = app
        self.service = service
        self.meting = meting
        _install_record_factory()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        sent = None
        for naam, waarde in headers:
            if naam == HEADER:
                sent = waarde.decode("latin-1")  # the first, as the caller sent it
                break
        app = self.app
        if sent is None or not _GELDIG.fullmatch(sent):
            correlatie = nieuwe_correlatie()
            headers = [(k, v) for k, v in headers if k != HEADER] + [(HEADER, correlatie.encode())]
            scope = {**scope, "headers": headers}
            if sent is not None:
                # Refused, not replaced: the caller's systems would look for their own id.
                app = problem_response(
                    400,
                    "X-Correlation-ID is 1 tot 100 zichtbare ASCII-tekens.",
                    invalid_params=[
                        InvalidParam(name="header.X-Correlation-ID", reason="ongeldig")
                    ],
                )
        else:
            correlatie = sent
        token = _correlatie.set(correlatie)
        started = time.perf_counter()
        status = 500
        kop = (HEADER, correlatie.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message = {**message, "headers": [*message.get("headers", []), kop]}
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            duur = time.perf_counter() - started
            method = scope.get("method", "")
            template = route_template(scope)
            if access_log.isEnabledFor(logging.INFO):
                extra = {
                    "method": method,
                    "route": template,
                    "status": status,
                    "duration_ms": round(duur * 1000, 2),
                    "service": self.service,
                }
                args = (method, scope.get("path"), status)
                handler = _enige_json_handler()
                if handler is None:
                    _toegang(args, extra)
                else:
                    _schrijf(handler, correlatie, args, extra)
            if self.meting is not None:
                self.meting.meet(method, template or GEEN_ROUTE, status, duur)
            _correlatie.reset(token)


def _toegang(args: tuple[Any, ...], extra: dict[str, Any]) -> None:
    """The access line, as ``access_log.info("%s %s %s", *args, extra=extra)`` makes it but
    for the caller's file, line and function, which ``Logger.info`` finds by walking the stack
    (``findCaller``) on every request and no access line shows (they stay at logging's
    "unknown" values, as with ``logging._srcfile = None``)."""
    access_log.handle(_record(args, extra))


def _enige_json_handler() -> logging.StreamHandler[Any] | None:
    """The handler an access line goes to when it is the only one and it would write the line
    as :func:`_schrijf` does: a plain ``StreamHandler`` with a :class:`JsonFormatter`, no
    filters and a level letting INFO through (``configure_json_logging``'s), our record factory,
    no filter on the access log. Anything else (a test's capture, a second handler, a filter)
    and the line goes through ``logging``'s records."""
    if access_log.filters or access_log.disabled or logging.getLogRecordFactory() is not _factory:
        return None
    gevonden: logging.Handler | None = None
    logger: logging.Logger | None = access_log
    while logger is not None:
        for handler in logger.handlers:
            if gevonden is not None:
                return None
            gevonden = handler
        if not logger.propagate:
            break
        logger = logger.parent
    if (
        type(gevonden) is not logging.StreamHandler
        or type(gevonden.formatter) is not JsonFormatter
        or gevonden.filters
        or gevonden.level > logging.INFO
    ):
        return None
    return gevonden


def _schrijf(
    handler: logging.StreamHandler[Any],
    correlatie: str,
    args: tuple[Any, ...],
    extra: dict[str, Any],
) -> None:
    """The access line as :func:`_toegang` has ``handler`` write it (the same JSON, fields,
    order and values, under the handler's lock), without a ``LogRecord``: its making, the
    factory and the filter and handler calls were a third of the middleware stack's CPU."""
    doc: dict[str, Any] = {
        "time": tijdstip(time.time()),
        "level": "INFO",
        "logger": access_log.name,
        "message": "%s %s %s" % args,  # noqa: UP031 (as LogRecord.getMessage makes it)
        "correlation_id": correlatie,
        **extra,
    }
    handler.acquire()
    try:
        # Made inside the try, as the formatter runs inside emit's: a text orjson refuses
        # (a lone surrogate) is reported like a broken stream, never raised into the request.
        handler.stream.write(orjson.dumps(doc, default=str).decode() + handler.terminator)
        handler.flush()
    except RecursionError:
        raise
    except Exception:
        # As StreamHandler.emit: reported on stderr (logging.raiseExceptions), never raised.
        handler.handleError(_record(args, extra))
    finally:
        handler.release()


def _record(args: tuple[Any, ...], extra: dict[str, Any]) -> logging.LogRecord:
    return access_log.makeRecord(
        access_log.name, logging.INFO, "(unknown file)", 0, "%s %s %s", args, None, extra=extra
    )
