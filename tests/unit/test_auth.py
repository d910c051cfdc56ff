from __future__ import annotations

import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from shared.auth import Principal, Rol, TokenVerifier, mint_dev_token
from shared.http.problems import ProblemError
from shared.settings import DEFAULT_DEV_SECRET, ServiceSettings


def test_a_development_token_carries_role_and_organisation() -> None:
    settings = ServiceSettings(jwt_secret="s" * 40)
    token = mint_dev_token(settings.jwt_secret, "piet@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")
    principal = TokenVerifier(settings).verify(token)
    assert principal == Principal("piet@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")


@pytest.mark.parametrize(
    "claims",
    [
        {"sub": "x", "rol": "koning", "exp": 9_999_999_999},
        {"sub": "x", "rol": "bevoegd-gezag", "exp": 9_999_999_999},  # no organisatie
        {"sub": "x", "rol": "rijk", "exp": 1},  # expired
        {"rol": "rijk", "exp": 9_999_999_999},  # no sub
    ],
)
def test_tokens_with_bad_claims_are_refused_with_401(claims: dict[str, object]) -> None:
    settings = ServiceSettings(jwt_secret="s" * 40)
    token = jwt.encode(claims, settings.jwt_secret, algorithm="HS256")
    with pytest.raises(ProblemError) as err:
        TokenVerifier(settings).verify(token)
    assert err.value.status == 401


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = mint_dev_token("other" * 10, "x", Rol.RIJK)
    with pytest.raises(ProblemError):
        TokenVerifier(ServiceSettings(jwt_secret="s" * 40)).verify(token)


def test_production_mode_needs_a_jwks() -> None:
    with pytest.raises(ValidationError, match="JWKS"):
        ServiceSettings(mode="production")


def _jwks(tmp_path: Path) -> tuple[rsa.RSAPrivateKey, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", use="sig", alg="RS256")
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    return key, path


def test_production_mode_verifies_rs256_and_refuses_the_development_secret(
    tmp_path: Path,
) -> None:
    key, jwks = _jwks(tmp_path)
    settings = ServiceSettings(mode="production", jwks_file=str(jwks))
    verifier = TokenVerifier(settings)
    claims = {"sub": "auditor@adr.nl", "rol": "auditor", "exp": int(time.time()) + 60}
    good = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    assert verifier.verify(good).rol is Rol.AUDITOR
    dev = mint_dev_token(DEFAULT_DEV_SECRET, "x", Rol.UITVOERINGSPROGRAMMA)
    with pytest.raises(ProblemError):
        verifier.verify(dev)
    forged = jwt.encode(claims, "x" * 32, algorithm="HS256", headers={"kid": "k1"})
    with pytest.raises(ProblemError):
        verifier.verify(forged)
