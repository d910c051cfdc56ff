"""The verified-token cache: a token is verified once, then served from memory until its exp
(and at most max_age); a bounded number of entries."""

from __future__ import annotations

import pytest

from shared.auth import Principal, Rol, TokenVerifier, VerifiedTokens, mint_dev_token
from shared.http.problems import ProblemError
from shared.settings import ServiceSettings

SECRET = "test-secret-" + "x" * 32
ZH = Principal("a@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")


class Klok:
    def __init__(self) -> None:
        self.nu = 1_000.0

    def __call__(self) -> float:
        return self.nu


def test_an_entry_holds_until_the_tokens_exp() -> None:
    klok = Klok()
    tokens = VerifiedTokens(max_age=300, clock=klok)
    tokens.put("t", ZH, exp=1_010)
    assert tokens.get("t") == ZH
    klok.nu = 1_010
    assert tokens.get("t") is None  # expired: verified again (and refused) by the verifier


def test_an_entry_holds_at_most_max_age() -> None:
    klok = Klok()
    tokens = VerifiedTokens(max_age=300, clock=klok)
    tokens.put("t", ZH, exp=10_000)
    klok.nu = 1_299
    assert tokens.get("t") == ZH
    klok.nu = 1_300
    assert tokens.get("t") is None


def test_a_token_without_exp_is_never_kept_and_the_cache_is_bounded() -> None:
    tokens = VerifiedTokens(capacity=4)
    tokens.put("zonder", ZH, exp=None)
    assert tokens.get("zonder") is None
    for i in range(10):
        tokens.put(f"t{i}", ZH, exp=2**40)
    assert tokens.get("t9") == ZH
    assert tokens.get("t0") is None
    assert len(tokens._items) <= 4


def test_the_verifier_decodes_a_token_once_until_its_exp(monkeypatch: pytest.MonkeyPatch) -> None:
    verifier = TokenVerifier(ServiceSettings(jwt_secret=SECRET))
    token = mint_dev_token(SECRET, "a@zh.nl", Rol.BEVOEGD_GEZAG, "ZH", ttl_seconds=60)
    assert verifier.verify(token) == ZH  # really verified (signature, claims)
    klok = Klok()
    verifier._geverifieerd = VerifiedTokens(clock=klok)
    claims = {"sub": "a@zh.nl", "rol": "bevoegd-gezag", "organisatie": "ZH", "exp": klok.nu + 60}
    decoded: list[str] = []

    def decode(t: str) -> dict[str, object]:
        decoded.append(t)
        return claims

    monkeypatch.setattr(verifier, "_decode", decode)
    assert verifier.verify("tok") == ZH
    assert verifier.verify("tok") == ZH
    assert decoded == ["tok"]
    klok.nu += 60  # exp reached: decoded (and judged) again
    verifier.verify("tok")
    assert decoded == ["tok", "tok"]


def test_a_refused_token_is_not_kept() -> None:
    verifier = TokenVerifier(ServiceSettings(jwt_secret=SECRET))
    for _ in range(2):
        with pytest.raises(ProblemError):
            verifier.verify("geen-jwt")
    assert verifier._geverifieerd.get("geen-jwt") is None
