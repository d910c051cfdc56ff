"""Rate limiting through a real service app: 429 problem+json with Retry-After per token, other
tokens unaffected, callers without a token counted by address, probes never limited."""

from __future__ import annotations

from sqlalchemy import Engine

from services.locaties.entrypoints.app import create_app
from shared.auth import Rol, mint_dev_token
from shared.http.problems import PROBLEM_JSON
from shared.settings import DEFAULT_RATE_LIMIT_PER_MINUTE
from tests.support.locaties import SECRET, locaties_client, token

ZH = token(Rol.BEVOEGD_GEZAG, "ZH")


def test_a_token_over_its_limit_gets_429_with_retry_after_and_others_do_not(
    sqlite_engine: Engine,
) -> None:
    with locaties_client(sqlite_engine, rate_limit_per_minute=3) as api:
        assert [api.get("/v1/bevoegde-gezagen", headers=ZH).status_code for _ in range(3)] == [
            200
        ] * 3
        te_veel = api.get("/v1/bevoegde-gezagen", headers=ZH)
        assert te_veel.status_code == 429
        assert te_veel.headers["content-type"] == PROBLEM_JSON
        assert int(te_veel.headers["retry-after"]) >= 1  # a minute for 3: 20 s per request
        assert te_veel.headers["api-version"]  # the usual headers, also on a 429
        assert (
            te_veel.json()["status"] == 429 and "3 verzoeken per minuut" in te_veel.json()["detail"]
        )
        # Writes are limited too, before their body is read.
        assert api.post("/v1/spoedlocaties", json={}, headers=ZH).status_code == 429

        # The bucket is the sub's, not the token string's: a fresh token does not reset it.
        zelfde_sub = token(Rol.RIJK, None)
        assert api.get("/v1/bevoegde-gezagen", headers=zelfde_sub).status_code == 429


def test_the_limit_is_per_sub_and_per_address_without_a_token(sqlite_engine: Engine) -> None:
    def van(sub: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {mint_dev_token(SECRET, sub, Rol.AUDITOR)}"}

    with locaties_client(sqlite_engine, rate_limit_per_minute=2) as api:
        for _ in range(2):
            assert api.get("/v1/bevoegde-gezagen", headers=van("a@adr.nl")).status_code == 200
        assert api.get("/v1/bevoegde-gezagen", headers=van("a@adr.nl")).status_code == 429
        assert api.get("/v1/bevoegde-gezagen", headers=van("b@adr.nl")).status_code == 200
        # Without a valid token: counted by address, so forged tokens share one bucket.
        geen = [api.get("/v1/spoedlocaties").status_code for _ in range(2)]
        assert geen == [401, 401]
        vals = {"Authorization": "Bearer vals.token.hier"}
        assert api.get("/v1/spoedlocaties", headers=vals).status_code == 429
        assert api.get("/v1/bevoegde-gezagen", headers=van("b@adr.nl")).status_code == 200
        for _ in range(5):  # probes are never limited
            assert api.get("/v1/health").status_code == 200


def test_zero_turns_it_off_and_the_default_leaves_room_for_the_demo(sqlite_engine: Engine) -> None:
    # make demo: its busiest token (Rotterdam) sends ~1,100 requests, all within one burst.
    assert DEFAULT_RATE_LIMIT_PER_MINUTE >= 2 * 1133
    with locaties_client(sqlite_engine, rate_limit_per_minute=0) as api:
        assert all(
            api.get("/v1/bevoegde-gezagen", headers=ZH).status_code == 200 for _ in range(50)
        )


def test_the_openapi_documents_429_with_retry_after() -> None:
    doc = create_app().openapi()
    for pad, item in doc["paths"].items():
        for methode, op in item.items():
            if pad in ("/health", "/ready"):
                assert "429" not in op["responses"]
                continue
            headers = op["responses"]["429"]["headers"]
            assert "Retry-After" in headers and "API-Version" in headers, f"{methode} {pad}"
    assert doc["components"]["headers"]["Retry-After"]["schema"]["type"] == "integer"
