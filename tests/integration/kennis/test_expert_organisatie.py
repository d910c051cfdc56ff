"""An expert's organisation is one of the 42 bevoegde gezagen, not just two capitals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shared.auth import Rol
from tests.support.kennis import kennis_client
from tests.support.locaties import token

UP = token(Rol.UITVOERINGSPROGRAMMA, None)


@pytest.fixture
def api(sqlite_engine: Engine) -> Iterator[TestClient]:
    with kennis_client(sqlite_engine) as client:
        yield client


def _expert(organisatie: str | None) -> dict[str, object]:
    return {
        "naam": "Bodemenergieteam",
        "themas": ["bodemenergie-wko"],
        "contact": "info@example.org",
        "organisatie": organisatie,
    }


@pytest.mark.parametrize("organisatie", ["XX", "QQ", "ZZ"])
def test_an_unknown_code_is_a_400_naming_the_field_and_nothing_is_stored(
    api: TestClient, organisatie: str
) -> None:
    antwoord = api.post("/v1/experts", headers=UP, json=_expert(organisatie))
    assert antwoord.status_code == 400
    assert antwoord.headers["content-type"].startswith("application/problem+json")
    namen = [p["name"] for p in antwoord.json()["invalidParams"]]
    assert any(n.endswith("organisatie") for n in namen), namen
    assert organisatie in antwoord.text
    assert api.get("/v1/experts", headers=UP).json() == []


@pytest.mark.parametrize("organisatie", ["ZL", "AM", None])
def test_a_known_code_or_none_is_accepted(api: TestClient, organisatie: str | None) -> None:
    antwoord = api.post("/v1/experts", headers=UP, json=_expert(organisatie))
    assert antwoord.status_code == 201, antwoord.text
    assert antwoord.json()["organisatie"] == organisatie
