"""``GET /v1/ankersleutels``: the public anchor keys of a service that writes a log, as a JWK set.

Served by the services that sign anchors (locaties, kennis), without a token: the keys are
public, and an auditor needs them to check the signatures in an exported log.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from shared.ankersleutels import Sleutelset

router = APIRouter(tags=["Beheer"])


class Jwk(BaseModel):
    model_config = ConfigDict(extra="allow")
    kty: str = Field(description="OKP (RFC 8037)")
    crv: str = Field(description="Ed25519")
    x: str = Field(description="De publieke sleutel, base64url")
    kid: str = Field(description="RFC 7638-thumbprint; de sleutelId in elk anker")
    alg: str
    use: str


class Jwks(BaseModel):
    keys: list[Jwk]


@router.get(
    "/ankersleutels",
    response_model=Jwks,
    summary="Publieke sleutels van de ankers (JWK-set)",
)
def ankersleutels(request: Request) -> JSONResponse:
    """De huidige en de vroegere publieke Ed25519-sleutels waarmee de ankers in het logboek
    ondertekend zijn, als JWK-set (RFC 7517, RFC 8037). Elk anker noemt in ``sleutelId`` de
    ``kid`` van zijn sleutel; een vroegere sleutel blijft hier staan zodat oude ankers
    controleerbaar blijven. Leeg als de service niet ondertekent."""
    sleutels: Sleutelset = request.app.state.ankersleutels
    return JSONResponse(sleutels.jwks(), headers={"Cache-Control": "max-age=300"})
