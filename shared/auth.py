"""Bearer JWT authentication.

Claims: ``sub`` (the user), ``rol`` (bevoegd-gezag, uitvoeringsprogramma, rijk, auditor) and
``organisatie`` (the bevoegd gezag code, for the role bevoegd-gezag). Development mode signs and
verifies HS256 with ``BODEMREGIE_JWT_SECRET``; production mode accepts only RS256 tokens verified
against a configured JWKS and never the development secret.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import jwt
import jwt.types
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.http.problems import ProblemError
from shared.settings import DEFAULT_DEV_SECRET, Mode, ServiceSettings

ISSUER = "bodemregie"


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
    def __init__(self, settings: ServiceSettings) -> None:
        self._mode = settings.mode
        self._secret = settings.jwt_secret
        self._audience = settings.jwt_audience or None
        self._jwks_client: jwt.PyJWKClient | None = None
        self._jwks: jwt.PyJWKSet | None = None
        if settings.mode is Mode.PRODUCTION:
            if settings.jwks_file:
                with open(settings.jwks_file) as fh:
                    self._jwks = jwt.PyJWKSet.from_dict(json.load(fh))
            elif settings.jwks_url:
                self._jwks_client = jwt.PyJWKClient(settings.jwks_url)

    def verify(self, token: str) -> Principal:
        try:
            claims = self._decode(token)
        except jwt.PyJWTError as exc:
            raise _unauthorized(f"Het token is ongeldig: {exc}.") from exc
        try:
            rol = Rol(str(claims.get("rol")))
        except ValueError as exc:
            raise _unauthorized(f"Onbekende rol {claims.get('rol')!r} in het token.") from exc
        organisatie = claims.get("organisatie")
        if rol is Rol.BEVOEGD_GEZAG and not organisatie:
            raise _unauthorized("Een token met rol bevoegd-gezag noemt zijn organisatie.")
        return Principal(sub=str(claims["sub"]), rol=rol, organisatie=organisatie)

    def _decode(self, token: str) -> dict[str, Any]:
        options: jwt.types.Options = {"require": ["sub", "exp", "rol"]}
        if self._mode is Mode.PRODUCTION:
            if self._jwks is not None:
                kid = jwt.get_unverified_header(token).get("kid")
                key = next((k for k in self._jwks.keys if kid is None or k.key_id == kid), None)
                if key is None:
                    raise jwt.InvalidKeyError("no key in the JWKS matches the token's kid")
                signing_key: Any = key.key
            elif self._jwks_client is not None:
                signing_key = self._jwks_client.get_signing_key_from_jwt(token).key
            else:  # pragma: no cover - settings validation prevents this
                raise jwt.InvalidKeyError("no JWKS configured")
            return jwt.decode(
                token, signing_key, algorithms=["RS256"], audience=self._audience, options=options
            )
        return jwt.decode(
            token, self._secret, algorithms=["HS256"], audience=self._audience, options=options
        )


def mint_dev_token(
    secret: str,
    sub: str,
    rol: Rol | str,
    organisatie: str | None = None,
    ttl_seconds: int = 8 * 3600,
) -> str:
    """A development token, signed HS256. Never valid in production mode."""
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
    return jwt.encode(claims, secret or DEFAULT_DEV_SECRET, algorithm="HS256")


def _unauthorized(detail: str) -> ProblemError:
    return ProblemError(401, detail, headers={"WWW-Authenticate": 'Bearer realm="bodemregie"'})


_bearer = HTTPBearer(auto_error=False, description="JWT met de claims sub, rol en organisatie.")


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or not credentials.credentials:
        raise _unauthorized("Stuur een bearer-token mee in de Authorization-header.")
    verifier: TokenVerifier = request.app.state.token_verifier
    return verifier.verify(credentials.credentials)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
