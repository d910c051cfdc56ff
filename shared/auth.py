"""Bearer JWT authentication.

Claims: ``sub`` (the user), ``rol`` (bevoegd-gezag, uitvoeringsprogramma, rijk, auditor) and
``organisatie`` (the bevoegd gezag code, one of the 42, for the role bevoegd-gezag; no other role
may name one). Development mode signs and verifies HS256 with ``BODEMREGIE_JWT_SECRET`` (at
least 32 bytes); production mode accepts only RS256 tokens verified against a configured JWKS
(a file, or an https URL), requires ``iss``, ``aud`` and ``iat`` and checks them, refuses tokens
valid for longer than ``BODEMREGIE_JWT_MAX_LIFETIME_SECONDS`` (12 h), and never the development
secret.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import jwt
import jwt.types
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared import bevoegde_gezagen
from shared.http.problems import ProblemError
from shared.settings import DEFAULT_DEV_SECRET, MIN_SECRET_BYTES, Mode, ServiceSettings

ISSUER = "bodemregie"
PRINCIPAL_STATE = "bodemregie_principal"  # a request's verified principal, in its scope state


class Rol(StrEnum):
    BEVOEGD_GEZAG = "bevoegd-gezag"
    UITVOERINGSPROGRAMMA = "uitvoeringsprogramma"
    RIJK = "rijk"
    AUDITOR = "auditor"


@dataclass(frozen=True)
class Principal:
    sub: str
    rol: Rol
    organisatie: str | None


class TokenVerifier:
    """Verifies a bearer token and turns its claims into a :class:`Principal`.

    Every refusal is a 401 with a fixed Dutch sentence per kind of failure: the library's own
    messages (which name keys, algorithms and internals) never reach the caller.
    """

    def __init__(self, settings: ServiceSettings) -> None:
        self._mode = settings.mode
        self._secret = settings.jwt_secret
        self._audience = settings.jwt_audience or None
        self._issuer = settings.jwt_issuer or None
        self._max_lifetime = settings.jwt_max_lifetime_seconds
        self._jwks_client: jwt.PyJWKClient | None = None
        self._geverifieerd = VerifiedTokens()
        self._jwks: jwt.PyJWKSet | None = None
        if settings.mode is Mode.PRODUCTION:
            if settings.jwks_file:
                with open(settings.jwks_file) as fh:
                    self._jwks = jwt.PyJWKSet.from_dict(json.load(fh))
            elif settings.jwks_url:
                if not settings.jwks_url.startswith("https://"):  # settings refuse it too
                    raise ValueError("the JWKS is fetched over https only")
                self._jwks_client = jwt.PyJWKClient(settings.jwks_url)

    def verify(self, token: str) -> Principal:
        bekend = self._geverifieerd.get(token)
        if bekend is not None:
            return bekend
        try:
            claims = self._decode(token)
        except jwt.PyJWTError as exc:
            raise _unauthorized(_reden(exc)) from exc
        if self._mode is Mode.PRODUCTION and not _geldig_kort_genoeg(claims, self._max_lifetime):
            uren = self._max_lifetime / 3600
            raise _unauthorized(
                f"Het token is te lang geldig: tussen iat en exp ligt ten hoogste {uren:g} uur."
            )
        principal = _principal(claims)
        self._geverifieerd.put(token, principal, claims.get("exp"))
        return principal

    def _decode(self, token: str) -> dict[str, Any]:
        if self._mode is Mode.PRODUCTION:
            production: jwt.types.Options = {"require": ["sub", "exp", "iat", "iss", "aud", "rol"]}
            return jwt.decode(
                token,
                self._signing_key(token),
                algorithms=["RS256"],
                audience=self._audience,
                issuer=self._issuer,
                options=production,
            )
        development: jwt.types.Options = {"require": ["sub", "exp", "rol"]}
        return jwt.decode(
            token,
            self._secret,
            algorithms=["HS256"],
            audience=self._audience,
            issuer=self._issuer,
            options=development,
        )

    def _signing_key(self, token: str) -> Any:
        if self._jwks is not None:
            kid = jwt.get_unverified_header(token).get("kid")
            key = next((k for k in self._jwks.keys if kid is None or k.key_id == kid), None)
            if key is None:
                raise jwt.InvalidKeyError("no key in the JWKS matches the token's kid")
            return key.key
        if self._jwks_client is not None:
            return self._jwks_client.get_signing_key_from_jwt(token).key
        raise jwt.InvalidKeyError("no JWKS configured")  # pragma: no cover - settings prevent it


class VerifiedTokens:
    """Tokens verified before, keyed on the raw token: a client sends the same token with every
    request, and checking a signature costs more than the rest of a small command. An entry
    holds until the token's ``exp`` and at most ``max_age`` seconds (a key withdrawn from the
    JWKS stops counting within that time); bounded, the oldest entries go first."""

    def __init__(
        self,
        capacity: int = 10_000,
        max_age: float = 300.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._capacity = capacity
        self._max_age = max_age
        self._clock = clock
        self._items: dict[str, tuple[Principal, float]] = {}
        self._lock = threading.Lock()

    def get(self, token: str) -> Principal | None:
        entry = self._items.get(token)
        if entry is None:
            return None
        if self._clock() >= entry[1]:
            with self._lock:
                self._items.pop(token, None)
            return None
        return entry[0]

    def put(self, token: str, principal: Principal, exp: Any) -> None:
        if not isinstance(exp, int | float):
            return  # a token without exp is verified every time (production requires exp)
        until = min(float(exp), self._clock() + self._max_age)
        with self._lock:
            if len(self._items) >= self._capacity:
                # dicts keep insertion order: drop the oldest half at once.
                for old in list(self._items)[: self._capacity // 2]:
                    del self._items[old]
            self._items[token] = (principal, until)


def _principal(claims: dict[str, Any]) -> Principal:
    """The claims as a principal, each checked for type and, where the role needs one, for a
    known organisation: a claim is input like any other."""
    sub, rol_claim, organisatie = claims.get("sub"), claims.get("rol"), claims.get("organisatie")
    if not isinstance(sub, str) or not sub.strip() or len(sub) > MAX_CLAIM:
        raise _unauthorized("Het token noemt geen geldige gebruiker (sub).")
    try:
        rol = Rol(rol_claim) if isinstance(rol_claim, str) else None
    except ValueError:
        rol = None
    if rol is None:
        raise _unauthorized(
            "Het token noemt geen bekende rol; rollen zijn " + ", ".join(str(r) for r in Rol) + "."
        )
    if organisatie is not None and (
        not isinstance(organisatie, str) or not organisatie.strip() or len(organisatie) > MAX_CLAIM
    ):
        raise _unauthorized("De organisatie in het token is geen geldige tekst.")
    if rol is Rol.BEVOEGD_GEZAG:
        if organisatie is None:
            raise _unauthorized("Een token met rol bevoegd-gezag noemt zijn organisatie.")
        if bevoegde_gezagen.get(organisatie) is None:
            raise _unauthorized(
                "De organisatie in het token is niet een van de 42 bevoegde gezagen."
            )
    elif organisatie is not None and bevoegde_gezagen.get(organisatie) is not None:
        # Otherwise a rijk or auditor token could speak, answer and be credited as ZH.
        raise _unauthorized(
            "Alleen een token met rol bevoegd-gezag spreekt namens een bevoegd gezag."
        )
    return Principal(sub=sub, rol=rol, organisatie=organisatie)


def _geldig_kort_genoeg(claims: dict[str, Any], max_seconden: int) -> bool:
    exp, iat = claims.get("exp"), claims.get("iat")
    # PyJWT has checked both are numbers; a long-lived token is a stolen token that lasts.
    return (
        isinstance(exp, int | float) and isinstance(iat, int | float) and exp - iat <= max_seconden
    )


# A fixed sentence per kind of failure, most specific first (some are subclasses of others).
_REDENEN: tuple[tuple[type[jwt.PyJWTError], str], ...] = (
    (jwt.ExpiredSignatureError, "Het token is verlopen."),
    (jwt.ImmatureSignatureError, "Het token is nog niet geldig."),
    (jwt.InvalidAudienceError, "Het token is niet voor deze dienst bedoeld (aud)."),
    (jwt.InvalidIssuerError, "Het token komt niet van de vertrouwde uitgever (iss)."),
    (jwt.InvalidIssuedAtError, "Het uitgiftemoment van het token (iat) is ongeldig."),
    (jwt.exceptions.InvalidSubjectError, "Het token noemt geen geldige gebruiker (sub)."),
    (jwt.InvalidSignatureError, "De handtekening van het token klopt niet."),
    (jwt.InvalidAlgorithmError, "Het token is ondertekend met een algoritme dat hier niet geldt."),
    (jwt.DecodeError, "Het token is geen leesbare JWT."),
    (jwt.InvalidKeyError, "Het token is ondertekend met een onbekende sleutel."),
    (jwt.PyJWKClientError, "De sleutel van het token is niet te vinden."),
)


def _reden(exc: jwt.PyJWTError) -> str:
    if isinstance(exc, jwt.MissingRequiredClaimError):
        # The claim's name comes from our own list of required claims, not from the token.
        return f"Het token mist de verplichte claim {exc.claim}."
    return next(
        (zin for soort, zin in _REDENEN if isinstance(exc, soort)), "Het token is ongeldig."
    )


MAX_CLAIM = 300


def mint_dev_token(
    secret: str,
    sub: str,
    rol: Rol | str,
    organisatie: str | None = None,
    ttl_seconds: int = 8 * 3600,
) -> str:
    """A development token, signed HS256. Never valid in production mode."""
    secret = secret or DEFAULT_DEV_SECRET
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ValueError(f"a development secret has at least {MIN_SECRET_BYTES} bytes")
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "rol": str(Rol(rol)),
        "iss": ISSUER,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if organisatie:
        claims["organisatie"] = organisatie
    return jwt.encode(claims, secret, algorithm="HS256")


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, detail, headers={"WWW-Authenticate": 'Bearer realm="bodemregie"'})


_bearer = HTTPBearer(auto_error=False, description="JWT met de claims sub, rol en organisatie.")


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise _unauthorized("Stuur een bearer-token mee in de Authorization-header.")
    verified = request.scope.get("state", {}).get(PRINCIPAL_STATE)
    if isinstance(verified, Principal):  # the rate limiter verified this request's token
        return verified
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
