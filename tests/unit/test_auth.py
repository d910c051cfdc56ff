from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import ValidationError

from shared.auth import Principal, Rol, TokenVerifier, mint_dev_token
from shared.http.problems import ProblemError
from shared.settings import DEFAULT_DEV_SECRET, MIN_SECRET_BYTES, ServiceSettings

GEHEIM = "s" * 40
NU = int(time.time())


def _weigering(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(ProblemError) as err:
        verifier.verify(token)
    assert err.value.status == 401
    assert err.value.headers == {"WWW-Authenticate": 'Bearer realm="bodemregie"'}
    return err.value.detail


def test_a_development_token_carries_role_and_organisation() -> None:
    settings = ServiceSettings(jwt_secret=GEHEIM)
    token = mint_dev_token(settings.jwt_secret, "piet@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")
    principal = TokenVerifier(settings).verify(token)
    assert principal == Principal("piet@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({"sub": "x", "rol": "koning", "exp": 9_999_999_999}, "Het token noemt geen bekende rol"),
        ({"sub": "x", "rol": ["rijk"], "exp": 9_999_999_999}, "Het token noemt geen bekende rol"),
        (
            {"sub": "x", "rol": "bevoegd-gezag", "exp": 9_999_999_999},
            "Een token met rol bevoegd-gezag noemt zijn organisatie",
        ),
        ({"sub": "x", "rol": "rijk", "exp": 1}, "Het token is verlopen."),
        ({"rol": "rijk", "exp": 9_999_999_999}, "Het token mist de verplichte claim sub."),
        ({"sub": 12, "rol": "rijk", "exp": 9_999_999_999}, "Het token noemt geen geldige"),
        ({"sub": " ", "rol": "rijk", "exp": 9_999_999_999}, "Het token noemt geen geldige"),
        # organisatie: a string, and for a bevoegd gezag one of the 42 codes
        (
            {"sub": "x", "rol": "bevoegd-gezag", "organisatie": "XX", "exp": 9_999_999_999},
            "niet een van de 42 bevoegde gezagen",
        ),
        (
            {"sub": "x", "rol": "bevoegd-gezag", "organisatie": ["ZH"], "exp": 9_999_999_999},
            "De organisatie in het token is geen geldige tekst",
        ),
        (
            {"sub": "x", "rol": "rijk", "organisatie": 7, "exp": 9_999_999_999},
            "De organisatie in het token is geen geldige tekst",
        ),
        # another role may not speak for a bevoegd gezag
        (
            {"sub": "x", "rol": "rijk", "organisatie": "ZH", "exp": 9_999_999_999},
            "Alleen een token met rol bevoegd-gezag spreekt namens een bevoegd gezag",
        ),
        (
            {"sub": "x", "rol": "auditor", "organisatie": "ZH", "exp": 9_999_999_999},
            "Alleen een token met rol bevoegd-gezag spreekt namens een bevoegd gezag",
        ),
    ],
)
def test_tokens_with_bad_claims_are_refused_with_401(
    claims: dict[str, object], detail: str
) -> None:
    token = jwt.encode(claims, GEHEIM, algorithm="HS256")
    assert detail in _weigering(TokenVerifier(ServiceSettings(jwt_secret=GEHEIM)), token)


def test_other_roles_may_name_an_organisation_that_is_no_bevoegd_gezag() -> None:
    token = mint_dev_token(GEHEIM, "jan@minienw.nl", Rol.RIJK, "IenW")
    principal = TokenVerifier(ServiceSettings(jwt_secret=GEHEIM)).verify(token)
    assert principal == Principal("jan@minienw.nl", Rol.RIJK, "IenW")


@pytest.mark.parametrize(
    ("token", "detail"),
    [
        (mint_dev_token("other" * 10, "x", Rol.RIJK), "De handtekening van het token klopt niet."),
        ("niet.een.token", "Het token is geen leesbare JWT."),
        ("abc", "Het token is geen leesbare JWT."),
        (
            jwt.encode({"sub": "x", "rol": "rijk", "exp": 9_999_999_999}, "s" * 64, "HS512"),
            "Het token is ondertekend met een algoritme dat hier niet geldt.",
        ),
        (
            jwt.encode({"sub": "x", "rol": "rijk", "exp": "morgen"}, GEHEIM, "HS256"),
            "Het token is geen leesbare JWT.",
        ),
    ],
)
def test_401_details_are_fixed_dutch_sentences_without_library_messages(
    token: str, detail: str
) -> None:
    assert _weigering(TokenVerifier(ServiceSettings(jwt_secret=GEHEIM)), token) == detail


def test_development_secrets_shorter_than_32_bytes_are_refused() -> None:
    assert len(DEFAULT_DEV_SECRET.encode()) >= MIN_SECRET_BYTES
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        ServiceSettings(jwt_secret="kort-geheim")
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        ServiceSettings(jwt_secret="é" * 15)  # 30 bytes, though 15 characters
    with pytest.raises(ValueError, match="32 bytes"):
        mint_dev_token("kort-geheim", "x", Rol.RIJK)
    ServiceSettings(jwt_secret="x" * 32)


def _jwks(tmp_path: Path) -> tuple[rsa.RSAPrivateKey, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="k1", use="sig", alg="RS256")
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": [jwk]}))
    return key, path


PRODUCTIE: dict[str, Any] = {
    "mode": "production",
    "jwt_issuer": "https://idp.bodemregie.nl",
    "jwt_audience": "bodemregie-locaties",
}


def _claims(**extra: Any) -> dict[str, Any]:
    return {
        "sub": "auditor@adr.nl",
        "rol": "auditor",
        "iss": "https://idp.bodemregie.nl",
        "aud": "bodemregie-locaties",
        "iat": NU - 10,
        "exp": NU + 3600,
        **extra,
    }


def test_production_mode_needs_a_jwks_an_issuer_and_an_audience(tmp_path: Path) -> None:
    _, jwks = _jwks(tmp_path)
    with pytest.raises(ValidationError, match="JWKS"):
        ServiceSettings(mode="production", jwt_issuer="i", jwt_audience="a")
    with pytest.raises(ValidationError, match="iss and aud"):
        ServiceSettings(mode="production", jwks_file=str(jwks))
    with pytest.raises(ValidationError, match="iss and aud"):
        ServiceSettings(mode="production", jwks_file=str(jwks), jwt_issuer="i")
    ServiceSettings(**PRODUCTIE, jwks_file=str(jwks))


@pytest.mark.parametrize(
    "url", ["http://idp.example.org/jwks.json", "ftp://idp/jwks", "https:///jwks.json", "idp"]
)
def test_production_fetches_the_jwks_over_https_only(url: str) -> None:
    with pytest.raises(ValidationError, match="https"):
        ServiceSettings(**PRODUCTIE, jwks_url=url)
    ServiceSettings(**PRODUCTIE, jwks_url="https://idp.example.org/jwks.json")


def test_production_refuses_to_start_on_the_development_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, jwks = _jwks(tmp_path)
    with pytest.raises(ValidationError, match="development secret"):
        ServiceSettings(**PRODUCTIE, jwks_file=str(jwks), jwt_secret=DEFAULT_DEV_SECRET)
    monkeypatch.setenv("BODEMREGIE_JWT_SECRET", DEFAULT_DEV_SECRET)
    with pytest.raises(ValidationError, match="development secret"):
        ServiceSettings(**PRODUCTIE, jwks_file=str(jwks))
    monkeypatch.delenv("BODEMREGIE_JWT_SECRET")
    assert ServiceSettings(**PRODUCTIE, jwks_file=str(jwks)).jwt_secret == ""


def test_production_mode_verifies_rs256_and_refuses_the_development_secret(
    tmp_path: Path,
) -> None:
    key, jwks = _jwks(tmp_path)
    verifier = TokenVerifier(ServiceSettings(**PRODUCTIE, jwks_file=str(jwks)))
    good = jwt.encode(_claims(), key, algorithm="RS256", headers={"kid": "k1"})
    assert verifier.verify(good).rol is Rol.AUDITOR
    dev = mint_dev_token(DEFAULT_DEV_SECRET, "x", Rol.UITVOERINGSPROGRAMMA)
    _weigering(verifier, dev)
    forged = jwt.encode(_claims(), "x" * 32, algorithm="HS256", headers={"kid": "k1"})
    _weigering(verifier, forged)


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        (_claims(iss="https://elders.nl"), "Het token komt niet van de vertrouwde uitgever (iss)."),
        (_claims(aud="bodemregie-kennis"), "Het token is niet voor deze dienst bedoeld (aud)."),
        ({k: v for k, v in _claims().items() if k != "iss"}, "verplichte claim iss"),
        ({k: v for k, v in _claims().items() if k != "aud"}, "verplichte claim aud"),
        ({k: v for k, v in _claims().items() if k != "iat"}, "verplichte claim iat"),
        (_claims(iat=NU + 3600), "Het token is nog niet geldig."),
        (_claims(iat="gisteren"), "Het uitgiftemoment van het token (iat) is ongeldig."),
        # valid for 13 hours: longer than the maximum of 12
        (_claims(iat=NU - 60, exp=NU - 60 + 13 * 3600), "ten hoogste 12 uur"),
    ],
)
def test_production_checks_issuer_audience_and_lifetime(
    tmp_path: Path, claims: dict[str, Any], detail: str
) -> None:
    key, jwks = _jwks(tmp_path)
    verifier = TokenVerifier(ServiceSettings(**PRODUCTIE, jwks_file=str(jwks)))
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    assert detail in _weigering(verifier, token)


def test_production_accepts_a_token_valid_for_exactly_the_maximum(tmp_path: Path) -> None:
    key, jwks = _jwks(tmp_path)
    verifier = TokenVerifier(ServiceSettings(**PRODUCTIE, jwks_file=str(jwks)))
    claims = _claims(iat=NU - 60, exp=NU - 60 + 12 * 3600)
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    assert verifier.verify(token).sub == "auditor@adr.nl"
