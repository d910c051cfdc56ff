"""The command routes' lean path (entrypoints/commandoverzoek.py) answers every request exactly
as FastAPI's own handler does, and a valid command skips FastAPI's dependency resolution."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

import fastapi.routing
import pytest
from fastapi import APIRouter, Depends, Query
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from services.locaties.entrypoints import schemas
from services.locaties.entrypoints.commandoverzoek import Commandoroute, Verzoek, verzoek
from services.locaties.entrypoints.routes_spoedlocaties import LocatieId
from shared.auth import Rol
from tests.support.locaties import locaties_client, registreer, token

ZH = token()
UT = token(Rol.BEVOEGD_GEZAG, "UT")
STATUS = {"naar": "onderzocht", "besluitdatum": "2010-06-01"}
VERDER = {"naar": "ernstig-spoed", "besluitdatum": "2010-07-01"}

# (sub-resource, headers, body or raw bytes, query): what each step sends, in order, to one
# site; ``{key}`` in a header becomes a key of the run's own.
Stap = tuple[str, dict[str, str], Any, str]
STAPPEN: list[Stap] = [
    ("statuswijzigingen", ZH, STATUS, ""),  # no If-Match: 428
    ("statuswijzigingen", {**ZH, "If-Match": "1"}, STATUS, ""),  # not an ETag
    ("statuswijzigingen", {**ZH, "If-Match": '"x"'}, STATUS, ""),
    ("statuswijzigingen", {**ZH, "If-Match": '"1"'}, STATUS, "?dryRun=1"),  # unknown query
    ("statuswijzigingen", {"If-Match": '"1"'}, STATUS, ""),  # no token
    ("statuswijzigingen", {"Authorization": "Basic eDp5", "If-Match": '"1"'}, STATUS, ""),
    ("statuswijzigingen", {"Authorization": "Bearer nep", "If-Match": '"1"'}, STATUS, ""),
    ("statuswijzigingen", {**UT, "If-Match": '"1"'}, STATUS, ""),  # another gezag: 403
    ("statuswijzigingen", {**ZH, "If-Match": '"1"', "Content-Crs": "EPSG:4326"}, STATUS, ""),
    ("statuswijzigingen", {**ZH, "If-Match": '"1"', "Accept-Crs": "nee"}, STATUS, ""),
    ("statuswijzigingen", {**ZH, "If-Match": '"1"', "X-Correlation-ID": "a b"}, STATUS, ""),
    ("statuswijzigingen", {**ZH, "If-Match": '"1"', "Idempotency-Key": "a b"}, STATUS, ""),
    ("statuswijzigingen", {**ZH, "If-Match": '"1"'}, b"{", ""),  # not JSON
    ("statuswijzigingen", {**ZH, "If-Match": '"1"'}, b"null", ""),
    ("statuswijzigingen", {**ZH, "If-Match": '"1"'}, {**STATUS, "extra": 1}, ""),
    ("statuswijzigingen", {**ZH, "If-Match": '"1"'}, {"naar": "weg"}, ""),
    ("statuswijzigingen", {**ZH, "If-Match": '"1"', "Content-Type": "text/plain"}, STATUS, ""),
    ("statuswijzigingen", {**ZH, "If-Match": '"1"'}, {**STATUS, "naar": "gesaneerd"}, ""),  # 409
    ("budgettoekenningen", {**ZH, "If-Match": '"1"'}, b'{"bedragEuro": 1e400}', ""),
    ("budgettoekenningen", {**ZH, "If-Match": '"1"'}, {"bedragEuro": 10**30}, ""),
    # Valid: recorded, with an Idempotency-Key, the answer in RD and the caller's own id.
    (
        "statuswijzigingen",
        {
            **ZH,
            "If-Match": 'W/"1"',
            "Idempotency-Key": "{key}",
            "Accept-Crs": "EPSG:28992",
            "X-Correlation-ID": "vaste-id",
            "Content-Type": "application/json; charset=utf-8",
        },
        STATUS,
        "",
    ),
    ("statuswijzigingen", {**ZH, "If-Match": 'W/"1"', "Idempotency-Key": "{key}"}, STATUS, ""),
    ("statuswijzigingen", {**ZH, "If-Match": '"2"', "Idempotency-Key": "{key}"}, VERDER, ""),
    ("statuswijzigingen", {**ZH, "If-Match": '"1"'}, VERDER, ""),  # stale: 412
    ("statuswijzigingen", {**ZH, "If-Match": '"2"', "Content-Crs": "epsg:28992"}, VERDER, ""),
    (
        "budgettoekenningen",
        {**ZH, "If-Match": '"3"'},
        {"bedragEuro": 1000, "datum": "2011-01-01", "bron": "ISV"},
        "",
    ),
]


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def _zonder(tekst: str, locatie_id: str) -> str:
    """An answer without what differs between two sites and two moments."""
    tekst = tekst.replace(locatie_id, "<id>")
    tekst = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", tekst)
    return re.sub(r"\d{4}-\d\d-\d\dT[0-9:.]+(Z|[+-]\d\d:\d\d)?", "<tijd>", tekst)


def _doorloop(api: TestClient, locatie_id: str, run: str) -> list[tuple[Any, ...]]:
    antwoorden = []
    for pad, headers, body, query in STAPPEN:
        headers = {k: v.replace("{key}", f"{run}-sleutel") for k, v in headers.items()}
        url = f"/v1/spoedlocaties/{locatie_id}/{pad}{query}"
        if isinstance(body, bytes):
            headers = {"Content-Type": "application/json", **headers}
            response = api.post(url, content=body, headers=headers)
        else:
            response = api.post(url, json=body, headers=headers)
        koppen = ("content-type", "etag", "location", "content-crs", "www-authenticate")
        antwoorden.append(
            (
                pad,
                response.status_code,
                _zonder(response.text, locatie_id),
                [_zonder(response.headers.get(k, ""), locatie_id) for k in koppen],
            )
        )
    return antwoorden


def test_the_lean_path_answers_every_request_as_fastapi_does(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    snel, traag = registreer(api, ZH), registreer(api, ZH)
    met = _doorloop(api, snel, "snel")
    monkeypatch.setattr(Commandoroute, "snelpad", False)
    zonder = _doorloop(api, traag, "traag")
    assert [a[1] for a in met] == [
        *[428, 400, 400, 400, 401, 401, 401, 403, 400, 400, 400, 400, 400, 400, 400, 400],
        *[400, 409, 400, 400, 201, 201, 422, 412, 201, 201],
    ]
    for stap, (a, b) in enumerate(zip(met, zonder, strict=True)):
        assert a == b, f"stap {stap}: {STAPPEN[stap]}"


def test_a_valid_command_skips_fastapis_dependency_resolution(
    api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    locatie_id = registreer(api, ZH)
    opgelost: list[object] = []
    origineel = fastapi.routing.solve_dependencies

    async def tellend(*args: Any, **kwargs: Any) -> Any:
        opgelost.append(kwargs.get("dependant"))
        return await origineel(*args, **kwargs)

    monkeypatch.setattr(fastapi.routing, "solve_dependencies", tellend)
    url = f"/v1/spoedlocaties/{locatie_id}/statuswijzigingen"
    ok = api.post(url, json=STATUS, headers={**ZH, "If-Match": '"1"'})
    assert ok.status_code == 201 and ok.headers["etag"] == '"2"', ok.text
    assert opgelost == []
    missing = api.post(url, json=VERDER, headers=ZH)  # FastAPI's handler judges it
    assert missing.status_code == 428 and len(opgelost) == 1


def test_a_command_route_declaring_more_than_it_reads_is_refused() -> None:
    router = APIRouter(route_class=Commandoroute)

    async def met_query(
        locatie_id: LocatieId,
        body: schemas.Statuswijziging,
        v: Annotated[Verzoek, Depends(verzoek)],
        dry_run: Annotated[bool, Query(alias="dryRun")] = False,
    ) -> None:
        """Een parameter die het snelle pad niet leest."""

    with pytest.raises(TypeError, match="geen commandoroute"):
        router.post("/{locatieId}/proef")(met_query)

    async def nog_een_controle() -> None:
        """Een afhankelijkheid zonder parameters, die het snelle pad zou overslaan."""

    async def met_afhankelijkheid(
        locatie_id: LocatieId,
        body: schemas.Statuswijziging,
        v: Annotated[Verzoek, Depends(verzoek)],
    ) -> None:
        """Een extra afhankelijkheid."""

    with pytest.raises(TypeError, match="nog_een_controle"):
        extra = [Depends(nog_een_controle)]
        router.post("/{locatieId}/proef", dependencies=extra)(met_afhankelijkheid)
