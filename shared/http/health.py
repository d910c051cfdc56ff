"""Health that tells the truth: readiness checks for the broker and the consumers' lag, and a
503 with ``Retry-After`` (never a 500) for any request that finds the database away.

``/v1/ready`` (shared/http/app.py) runs a service's checks; each raises when its dependency is
not usable, and the endpoint then answers 503 problem+json with ``Retry-After``, so a load
balancer takes the instance out until it is."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable, Iterable

from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError

from shared.http.problems import problem_response

log = logging.getLogger(__name__)

# Seconds a client should wait before trying again: about what a PostgreSQL restart or a
# broker's leader election takes.
RETRY_AFTER_S = 5
RETRY_AFTER = {"Retry-After": str(RETRY_AFTER_S)}

ReadinessCheck = Callable[[], None]


class NietGereed(Exception):
    """A dependency is not usable; the message says which and why."""


_broker_cache: dict[str, tuple[float, str | None]] = {}
_broker_lock = threading.Lock()


def _reachable(servers: list[str], timeout_s: float) -> str | None:
    for server in servers:
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host or "localhost", int(port)), timeout_s):
                return None
        except (OSError, ValueError):
            continue
    return "geen broker bereikbaar op " + ",".join(servers)


def broker_check(bootstrap: str, timeout_s: float = 1.0, cache_s: float = 2.0) -> ReadinessCheck:
    """Ready while at least one broker of ``bootstrap`` (``host:port,...``) accepts a
    connection; an answer is kept ``cache_s`` per bootstrap list (in the process), so that
    probes do not hammer the brokers."""
    servers = [s.strip() for s in bootstrap.split(",") if s.strip()]

    def check() -> None:
        with _broker_lock:
            at, error = _broker_cache.get(bootstrap, (-1e9, None))
            if time.monotonic() - at > cache_s:
                error = _reachable(servers, timeout_s)
                _broker_cache[bootstrap] = (time.monotonic(), error)
        if error:
            raise NietGereed(error)

    return check


def lag_check(lags: Callable[[], Iterable[tuple[str, int | None]]], bound: int) -> ReadinessCheck:
    """Not ready while a consumer lags more than ``bound`` records behind the end of its
    partitions (``lags``: per consumer its name and lag, None before its first poll)."""

    def check() -> None:
        behind = {name: lag for name, lag in lags() if lag is not None and lag > bound}
        if behind:
            raise NietGereed(
                ", ".join(f"{name} {lag} achter (grens {bound})" for name, lag in behind.items())
            )

    return check


def _database_weg(request: Request, exc: Exception) -> Response:
    log.warning("database unreachable answering %s %s: %s", request.method, request.url.path, exc)
    return problem_response(
        503,
        "De database is tijdelijk niet bereikbaar; probeer het over enkele seconden opnieuw.",
        instance=request.url.path,
        headers=RETRY_AFTER,
    )


def install_unavailable_handlers(app: FastAPI) -> None:
    """A request that finds the database away (refused, restarting, connection cut, pool
    exhausted) is answered 503 with ``Retry-After``: nothing was stored that the client should
    not retry, since the transaction did not commit."""
    for exc in (OperationalError, InterfaceError, PoolTimeoutError):
        app.add_exception_handler(exc, _database_weg)
