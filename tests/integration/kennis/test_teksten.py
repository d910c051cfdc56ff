"""Kennis holds its texts to the shared rules (shared/tekst.py): a title with a bidi override or
a text of only spaces is a 400 naming the field, nothing stored; a name in NFD is stored NFC."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from shared.auth import Rol
from shared.http.problems import PROBLEM_JSON
from tests.support.kennis import kennis_client
from tests.support.locaties import token
from tests.support.locaties_lezen import aantal_events

ZL = token(Rol.BEVOEGD_GEZAG, "ZL")
VRAAG = {"titel": "WKO", "tekst": "Mag WKO in een pluim?", "themas": ["bodemenergie-wko"]}


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with kennis_client(sql_engine) as client:
        yield client


@pytest.mark.parametrize(
    ("velden", "veld"),
    [
        ({"titel": "WKO \u202egevaar"}, "body.titel"),
        ({"titel": "\u2066WKO\u2069"}, "body.titel"),
        ({"titel": "   "}, "body.titel"),
        ({"tekst": " \n\t "}, "body.tekst"),
        ({"tekst": "regel\x1b[31m rood"}, "body.tekst"),
    ],
)
def test_bad_texts_in_a_question_are_refused(
    api: TestClient, sql_engine: Engine, velden: dict[str, Any], veld: str
) -> None:
    r = api.post("/v1/kennisvragen", json={**VRAAG, **velden}, headers=ZL)
    assert r.status_code == 400, r.text
    assert r.headers["content-type"] == PROBLEM_JSON
    assert veld in [p["name"] for p in r.json()["invalidParams"]]
    assert aantal_events(sql_engine) == 0


def test_texts_are_stored_normalised(api: TestClient) -> None:
    r = api.post(
        "/v1/kennisvragen",
        json={**VRAAG, "titel": "  Cafe\u0301 en WKO ", "tekst": "eerste regel\r\ntweede"},
        headers=ZL,
    )
    assert r.status_code == 201, r.text
    vraag = api.get(f"/v1/kennisvragen/{r.json()['vraagId']}", headers=ZL).json()
    assert vraag["titel"] == "Caf\u00e9 en WKO"
    assert vraag["tekst"] == "eerste regel\ntweede"
