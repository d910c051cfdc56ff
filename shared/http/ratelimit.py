"""Rate limiting per token: a token bucket per caller, 429 problem+json with ``Retry-After``.

The caller is the verified ``sub`` of its bearer token, or its client address when it sends no
valid token (so a flood of forged tokens shares one bucket per address instead of getting a fresh
one each). Each bucket holds ``per_minute`` requests and refills at ``per_minute`` per minute:
a client may burst up to a minute's worth, then keeps the steady rate.

The buckets live in the process (no Redis): with several workers or hosts each has its own, so
the effective limit is ``per_minute`` times the number of processes. That is enough to stop one
runaway client or script from starving the others; a shared limit would need a shared store.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.types import ASGIApp, Receive, Scope, Send

from shared.auth import PRINCIPAL_STATE, Principal, TokenVerifier
from shared.http.middleware import probleem
from shared.http.problems import ProblemError

MAX_BUCKETS = 100_000  # beyond this, idle buckets are dropped; a full bucket loses nothing


@dataclass
class _Bucket:
    tegoed: float
    updated: float


class TokenBuckets:
    """Token buckets per key; ``take`` answers how long to wait, or None when allowed."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.per_seconde = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def take(self, sleutel: str) -> float | None:
        nu = self._clock()
        emmer = self._buckets.get(sleutel)
        if emmer is None:
            if len(self._buckets) >= MAX_BUCKETS:
                self._evict(nu)
            emmer = self._buckets[sleutel] = _Bucket(self.capacity, nu)
        else:
            verstreken = max(0.0, nu - emmer.updated)
            emmer.tegoed = min(self.capacity, emmer.tegoed + verstreken * self.per_seconde)
            emmer.updated = nu
        if emmer.tegoed >= 1.0:
            emmer.tegoed -= 1.0
            return None
        return (1.0 - emmer.tegoed) / self.per_seconde

    def _evict(self, nu: float) -> None:
        # A bucket idle for as long as it takes to refill is full again: forgetting it is exact.
        vol_na = self.capacity / self.per_seconde
        for sleutel in [k for k, e in self._buckets.items() if nu - e.updated >= vol_na]:
            del self._buckets[sleutel]
        if len(self._buckets) >= MAX_BUCKETS:  # still full: an attack from many addresses
            oudste = sorted(self._buckets, key=lambda k: self._buckets[k].updated)
            for sleutel in oudste[: len(oudste) // 2]:
                del self._buckets[sleutel]


class RateLimitMiddleware:
    """Answers 429 with ``Retry-After`` (seconds) when the caller's bucket is empty. Health
    and readiness probes are never limited."""

    def __init__(
        self,
        app: ASGIApp,
        per_minute: int,
        vrij: tuple[str, ...] = ("/v1/health", "/v1/ready"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.buckets = TokenBuckets(per_minute, clock) if per_minute > 0 else None
        self.vrij = vrij

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.buckets is None or scope["path"] in self.vrij:
            await self.app(scope, receive, send)
            return
        wacht = self.buckets.take(self._key(scope))
        if wacht is None:
            await self.app(scope, receive, send)
            return
        seconden = max(1, math.ceil(wacht))
        await probleem(
            scope,
            send,
            429,
            "Te veel verzoeken",
            f"Je stuurt meer dan {self.buckets.capacity:.0f} verzoeken per minuut; "
            f"probeer het over {seconden} seconden opnieuw.",
            headers=[(b"retry-after", str(seconden).encode())],
        )

    def _key(self, scope: Scope) -> str:
        principal = _principal(scope)
        if principal is not None:
            return f"sub:{principal.sub}"
        client = scope.get("client")
        return f"ip:{client[0] if client else 'onbekend'}"


def _principal(scope: Scope) -> Principal | None:
    """The verified principal of the request's bearer token, kept for the route, or None."""
    verifier: TokenVerifier | None = getattr(
        getattr(scope.get("app"), "state", None), "token_verifier", None
    )
    header = b""
    for naam, waarde in scope.get("headers", ()):
        if naam == b"authorization":
            header = waarde  # the last, as a dict of the headers keeps it
    schema, _, token = header.decode("latin-1").partition(" ")
    if verifier is None or schema.lower() != "bearer" or not token.strip():
        return None
    try:
        principal = verifier.verify(token.strip())
    except ProblemError:
        return None  # the route answers the 401; the caller is counted by its address
    scope.setdefault("state", {})[PRINCIPAL_STATE] = principal
    return principal
