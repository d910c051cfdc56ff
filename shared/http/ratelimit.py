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
class _Emmer:
    tegoed: float
    bijgewerkt: float


class TokenBuckets:
    """Token buckets per key; ``neem`` answers how long to wait, or None when allowed."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capaciteit = float(per_minute)
        self.per_seconde = per_minute / 60.0
        self._clock = clock
        self._emmers: dict[str, _Emmer] = {}

    def neem(self, sleutel: str) -> float | None:
        nu = self._clock()
        emmer = self._emmers.get(sleutel)
        if emmer is None:
            if len(self._emmers) >= MAX_BUCKETS:
                self._ruim_op(nu)
            emmer = self._emmers[sleutel] = _Emmer(self.capaciteit, nu)
        else:
            verstreken = max(0.0, nu - emmer.bijgewerkt)
            emmer.tegoed = min(self.capaciteit, emmer.tegoed + verstreken * self.per_seconde)
            emmer.bijgewerkt = nu
        if emmer.tegoed >= 1.0:
            emmer.tegoed -= 1.0
            return None
        return (1.0 - emmer.tegoed) / self.per_seconde

    def _ruim_op(self, nu: float) -> None:
        # A bucket idle for as long as it takes to refill is full again: forgetting it is exact.
        vol_na = self.capaciteit / self.per_seconde
        for sleutel in [k for k, e in self._emmers.items() if nu - e.bijgewerkt >= vol_na]:
            del self._emmers[sleutel]
        if len(self._emmers) >= MAX_BUCKETS:  # still full: an attack from many addresses
            oudste = sorted(self._emmers, key=lambda k: self._emmers[k].bijgewerkt)
            for sleutel in oudste[: len(oudste) // 2]:
                del self._emmers[sleutel]


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
        self.emmers = TokenBuckets(per_minute, clock) if per_minute > 0 else None
        self.vrij = vrij

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.emmers is None or scope["path"] in self.vrij:
            await self.app(scope, receive, send)
            return
        wacht = self.emmers.neem(self._sleutel(scope))
        if wacht is None:
            await self.app(scope, receive, send)
            return
        seconden = max(1, math.ceil(wacht))
        await probleem(
            scope,
            send,
            429,
            "Te veel verzoeken",
            f"Je stuurt meer dan {self.emmers.capaciteit:.0f} verzoeken per minuut; "
            f"probeer het over {seconden} seconden opnieuw.",
            headers=[(b"retry-after", str(seconden).encode())],
        )

    def _sleutel(self, scope: Scope) -> str:
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
    header = dict(scope.get("headers", [])).get(b"authorization", b"")
    schema, _, token = header.decode("latin-1").partition(" ")
    if verifier is None or schema.lower() != "bearer" or not token.strip():
        return None
    try:
        principal = verifier.verify(token.strip())
    except ProblemError:
        return None  # the route answers the 401; the caller is counted by its address
    scope.setdefault("state", {})[PRINCIPAL_STATE] = principal
    return principal
