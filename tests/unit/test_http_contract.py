"""The document says what the server does: shared.http's contract mechanisms on a small app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated, Any

import httpx
import pytest
from fastapi import APIRouter, Header, Query, Response
from pydantic import BaseModel

from shared.http.app import create_app
from shared.http.problems import PROBLEM_JSON
from shared.http.schematypen import DOMEINREGEL, Datum, domeinregel

pytestmark = pytest.mark.anyio

router = APIRouter()


class Ding(BaseModel):
    dingId: str


@router.get("/dingen")
def dingen(
    soort: str | None = None,
    vanaf: Annotated[
        Datum | None, Query(json_schema_extra=domeinregel("niet in de toekomst"))
    ] = None,
) -> list[str]:
    """Dingen, te filteren."""
    return [soort or "alle", str(vanaf)]


@router.post("/dingen", status_code=201)
def maak(response: Response) -> Ding:
    """Maakt een ding."""
    response.headers["ETag"] = '"1"'
    return Ding(dingId="d1")


@router.get("/dingen/{dingId}")
def een(dingId: str) -> Ding:
    """Een ding."""
    return Ding(dingId="d1")


@router.post("/dingen/{dingId}/wijzigingen", status_code=201)
def wijzig(dingId: str, if_match: Annotated[str, Header(alias="If-Match")]) -> Ding:
    """Wijzigt een ding; vereist If-Match."""
    return Ding(dingId=dingId)


def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(title="T", description="T", api_version="1.0.0", routers=[router])
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_an_unknown_query_parameter_is_a_400_problem_naming_it(
    client: httpx.AsyncClient,
) -> None:
    typo = await client.get("/v1/dingen?sort=x&soort=y")
    assert typo.status_code == 400 and typo.headers["content-type"] == PROBLEM_JSON
    assert [p["name"] for p in typo.json()["invalidParams"]] == ["query.sort"]
    assert "soort" in typo.json()["detail"]  # names what the operation does know
    assert (await client.get("/v1/dingen?soort=y")).json() == ["y", "None"]


async def test_a_405_allows_every_method_the_document_gives_the_path(
    client: httpx.AsyncClient,
) -> None:
    for methode in ("DELETE", "OPTIONS", "PUT"):
        r = await client.request(methode, "/v1/dingen")
        assert r.status_code == 405 and r.headers["content-type"] == PROBLEM_JSON
        assert r.headers["allow"] == "GET, POST"
    assert (await client.delete("/v1/dingen/d1")).headers["allow"] == "GET"


async def test_a_missing_if_match_is_428_and_the_document_requires_it(
    client: httpx.AsyncClient,
) -> None:
    r = await client.post("/v1/dingen/d1/wijzigingen")
    assert r.status_code == 428 and r.headers["content-type"] == PROBLEM_JSON
    assert r.json()["invalidParams"][0]["name"] == "header.If-Match"
    assert (await client.post("/v1/dingen/d1/wijzigingen", headers={"If-Match": '"1"'})).is_success
    op = (await client.get("/v1/openapi.json")).json()["paths"]["/dingen/{dingId}/wijzigingen"]
    [if_match] = [p for p in op["post"]["parameters"] if p["name"] == "If-Match"]
    assert if_match["required"] is True
    assert {"400", "404", "412", "428", "429"} <= set(op["post"]["responses"])


async def test_a_date_is_only_a_date_not_seconds_since_1970(client: httpx.AsyncClient) -> None:
    assert (await client.get("/v1/dingen?vanaf=0")).status_code == 400
    assert (await client.get("/v1/dingen?vanaf=2013-02-30")).status_code == 400
    assert (await client.get("/v1/dingen?vanaf=2013-01-15")).json()[1] == "2013-01-15"


async def test_parameters_are_documented_without_null_and_with_their_domain_rule(
    client: httpx.AsyncClient,
) -> None:
    doc: dict[str, Any] = (await client.get("/v1/openapi.json")).json()
    params = {p["name"]: p["schema"] for p in doc["paths"]["/dingen"]["get"]["parameters"]}
    assert params["soort"]["type"] == "string" and "anyOf" not in params["soort"]
    assert params["vanaf"]["format"] == "date"
    assert params["vanaf"][DOMEINREGEL] == "niet in de toekomst"


async def test_a_creation_links_to_what_can_be_done_with_it(client: httpx.AsyncClient) -> None:
    doc: dict[str, Any] = (await client.get("/v1/openapi.json")).json()
    links = doc["paths"]["/dingen"]["post"]["responses"]["201"]["links"]
    doelen = {link["operationId"]: link["parameters"] for link in links.values()}
    ops = {
        p: doc["paths"][p][m]["operationId"]
        for p, m in [("/dingen/{dingId}", "get"), ("/dingen/{dingId}/wijzigingen", "post")]
    }
    assert doelen[ops["/dingen/{dingId}"]] == {"path.dingId": "$response.body#/dingId"}
    assert doelen[ops["/dingen/{dingId}/wijzigingen"]] == {
        "path.dingId": "$response.body#/dingId",
        "header.If-Match": "$response.header.ETag",
    }
