"""The HTTP conventions every service inherits from shared.http.create_app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, Field

from shared.http.app import ReadinessCheck, create_app
from shared.http.problems import PROBLEM_JSON

pytestmark = pytest.mark.anyio


class Invoer(BaseModel):
    naam: str = Field(min_length=1)
    aantal: int


router = APIRouter()


@router.post("/voorbeelden", status_code=201)
def maak(invoer: Invoer) -> Invoer:
    """Maakt een voorbeeld."""
    return invoer


@router.get("/voorbeelden")
def lijst(min_aantal: int = Query(0, alias="minAantal")) -> list[int]:
    """Lijst van voorbeelden."""
    return [min_aantal]


@router.get("/kapot")
def kapot() -> None:
    raise RuntimeError("geheim detail uit de stack")


def _app(readiness_ok: bool = True) -> httpx.AsyncClient:
    def checks(_: FastAPI) -> dict[str, ReadinessCheck]:
        def db() -> None:
            if not readiness_ok:
                raise ConnectionError("db weg")

        return {"database": db}

    app = create_app(
        title="Test",
        description="Test",
        api_version="1.2.3",
        routers=[router],
        readiness=checks,
        max_body_bytes=2048,
    )
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test"
    )


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with _app() as c:
        yield c


async def test_every_response_has_the_api_version_and_security_headers(
    client: httpx.AsyncClient,
) -> None:
    for response in [await client.get("/v1/voorbeelden"), await client.get("/v1/bestaat-niet")]:
        assert response.headers["api-version"] == "1.2.3"
        assert response.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_invalid_input_is_a_400_problem_naming_the_fields(client: httpx.AsyncClient) -> None:
    response = await client.post("/v1/voorbeelden", json={"naam": "", "aantal": "veel"})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert body["status"] == 400 and body["title"] and body["detail"]
    assert {p["name"] for p in body["invalidParams"]} == {"body.naam", "body.aantal"}


async def test_malformed_json_is_a_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/voorbeelden", content=b"{naam:", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON


async def test_a_bad_query_parameter_is_a_400_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/voorbeelden", params={"minAantal": "x"})
    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "query.minAantal"


async def test_unknown_paths_and_trailing_slashes_are_404_problems(
    client: httpx.AsyncClient,
) -> None:
    for path in ["/v1/onbekend", "/v1/voorbeelden/"]:
        response = await client.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM_JSON


async def test_an_oversized_body_is_a_413_problem_and_reaches_no_handler(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/voorbeelden", json={"naam": "x" * 5000, "aantal": 1})
    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON


async def test_an_unexpected_error_is_a_500_problem_without_internals(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/kapot")
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM_JSON
    assert "geheim" not in response.text


async def test_health_and_readiness() -> None:
    async with _app() as ok:
        assert (await ok.get("/v1/health")).json()["status"] == "ok"
        assert (await ok.get("/v1/ready")).json()["checks"] == {"database": "ok"}
    async with _app(readiness_ok=False) as down:
        response = await down.get("/v1/ready")
        assert response.status_code == 503
        assert response.headers["content-type"] == PROBLEM_JSON


async def test_the_openapi_document_follows_the_design_rules(client: httpx.AsyncClient) -> None:
    doc = (await client.get("/v1/openapi.json")).json()
    assert doc["openapi"].startswith("3.")
    assert set(doc["info"]["contact"]) >= {"name", "email", "url"}
    assert doc["servers"][0]["url"].endswith("/v1")
    assert "/voorbeelden" in doc["paths"]
    post = doc["paths"]["/voorbeelden"]["post"]["responses"]
    assert "422" not in post
    assert "application/problem+json" in post["400"]["content"]
    assert "API-Version" in post["201"]["headers"]
    problem = doc["components"]["schemas"]["Problem"]
    assert {"status", "title", "detail"} <= set(problem["properties"])


async def test_nul_characters_are_a_400_problem_but_the_text_backslash_u0000_is_fine(
    client: httpx.AsyncClient,
) -> None:
    for body in ('{"naam": "a\\u0000b", "aantal": 1}', '{"naam": "a\\\\\\u0000", "aantal": 1}'):
        r = await client.post(
            "/v1/voorbeelden", content=body, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 400, body
        assert r.headers["content-type"] == PROBLEM_JSON
        assert r.json()["invalidParams"][0]["name"] == "body"
    tekst = await client.post("/v1/voorbeelden", json={"naam": "C:\\u0000", "aantal": 1})
    assert tekst.status_code == 201 and tekst.json()["naam"] == "C:\\u0000"
    query = await client.get("/v1/voorbeelden?minAantal=%00")
    assert query.status_code == 400 and query.json()["invalidParams"][0]["name"] == "query"
