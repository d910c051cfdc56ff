"""Bad input never gives a 500 and never stores anything, on every operation of every API.

For each operation in a service's own OpenAPI document: path parameters that do not exist or are
malformed, bodies that are no JSON or the wrong shape, and each body field in turn replaced by
awkward values of its own type (NUL characters, 100,000 characters, numbers beyond 64 bits, dates
at the ends of the calendar, long lists) and of the wrong type. Every answer must be below 500,
an error must be application/problem+json, and an error must leave the event log as it was.
Runs on SQLite and PostgreSQL (which refuses NUL characters and integers beyond 64 bits).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints.app import create_app as locaties_app
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared.auth import Rol
from shared.eventstore.tables import events
from shared.http.problems import PROBLEM_JSON
from tests.support.locaties import NIEUW, SECRET, token

PROGRAMMA = token(Rol.UITVOERINGSPROGRAMMA, None)
ZH = token(Rol.BEVOEGD_GEZAG, "ZH")

RAAR_TEKST = ["", "\x00", "a" * 100_000, "é🙂\u202e", "'; DROP TABLE events; --", "%00", " "]
RAAR_GETAL = [-1, 0, 2**63, -(2**63) - 1, 10**30, 1.5]
RAAR_DATUM = ["0001-01-01", "9999-12-31", "2013-02-30", "2013-13-01", "13-01-2013", ""]
FOUT_TYPE: list[Any] = [None, True, {"a": 1}, [1, 2], "tekst", 12]
QUERY_RAAR = ["x", "-1", "0", "2013-02-30", "\x00", "a" * 300, "9" * 30, "2999-01-01"]


def _schema(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Resolve $ref and Optional (anyOf with null) to the schema that carries the type."""
    while True:
        if "$ref" in schema:
            naam = schema["$ref"].rsplit("/", 1)[-1]
            schema = spec["components"]["schemas"][naam]
        elif "anyOf" in schema:
            schema = next((s for s in schema["anyOf"] if s.get("type") != "null"), {})
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def _rare_waarden(spec: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    s = _schema(spec, schema)
    soort = s.get("type")
    if soort == "string" and s.get("format") == "date":
        return RAAR_DATUM
    if soort == "string":
        return RAAR_TEKST
    if soort in ("integer", "number"):
        return RAAR_GETAL
    if soort == "array":
        item = _rare_waarden(spec, s.get("items", {}))[:3]
        return [[], item, ["x"] * 10_000]
    return []


def _geldig(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A plausible value (enums, dates, numbers), for the fields not being mutated."""
    if schema.get("examples"):
        return schema["examples"][0]
    s = _schema(spec, schema)
    if s.get("examples"):
        return s["examples"][0]
    if "enum" in s:
        return s["enum"][-1]
    soort = s.get("type")
    if soort == "string":
        return "2013-01-15" if s.get("format") == "date" else "tekst"
    if soort == "integer":
        return 1
    if soort == "number":
        return 1.0
    if soort == "boolean":
        return True
    if soort == "array":
        return [_geldig(spec, s.get("items", {}))]
    if soort == "object":  # the required fields only: optional ones may conflict (an id)
        verplicht = s.get("required", [])
        return {k: _geldig(spec, v) for k, v in s.get("properties", {}).items() if k in verplicht}
    return None


def _lichamen(spec: dict[str, Any], op: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(description, body) pairs; body ``bytes`` are sent as they are."""
    inhoud = op.get("requestBody", {}).get("content", {}).get("application/json")
    if inhoud is None:
        return
    schema = _schema(spec, inhoud["schema"])
    basis = _geldig(spec, schema)
    yield "geen JSON", b'{"kapot'
    vormen: list[Any] = [[], "x", None, 12]
    for vorm in vormen:
        yield f"lichaam {vorm!r}", vorm
    for veld, veldschema in schema.get("properties", {}).items():
        for waarde in _rare_waarden(spec, veldschema) + FOUT_TYPE:
            yield f"{veld}={str(waarde)[:20]!r}", {**basis, veld: waarde}


@contextmanager
def _service(naam: str, engine: Engine) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app with one of each thing in it; returns path parameter values that exist."""
    url = engine.url.render_as_string(hide_password=False)
    instellingen: dict[str, Any] = {
        "database_url": url,
        "jwt_secret": SECRET,
        "kafka_enabled": False,
    }
    maak: dict[str, Callable[[], FastAPI]] = {
        "locaties": lambda: locaties_app(LocatiesSettings(**instellingen)),
        "kennis": lambda: kennis_app(KennisSettings(**instellingen)),
        "rapportage": lambda: rapportage_app(RapportageSettings(**instellingen)),
    }
    with TestClient(maak[naam](), raise_server_exceptions=False) as api:
        bestaand = {"versie": "1", "code": "ZH"}
        if naam == "locaties":
            r = api.post("/v1/spoedlocaties", json=NIEUW, headers=ZH)
            bestaand["locatieId"] = r.json()["locatieId"]
        if naam == "kennis":
            vraag = {
                "titel": "WKO",
                "tekst": "Mag WKO in een pluim?",
                "themas": ["bodemenergie-wko"],
            }
            r = api.post("/v1/kennisvragen", json=vraag, headers=ZH)
            bestaand["vraagId"] = r.json()["vraagId"]
        yield api, bestaand


def _aantal(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(events)).scalar_one())


@pytest.mark.parametrize("naam", ["locaties", "kennis", "rapportage"])
def test_bad_input_gets_a_problem_and_stores_nothing(naam: str, sql_engine: Engine) -> None:
    fouten: list[str] = []
    gezien: dict[int, int] = {}
    with _service(naam, sql_engine) as (api, bestaand):
        spec = api.get("/v1/openapi.json").json()
        for pad, methoden in spec["paths"].items():
            for methode, op in methoden.items():
                params = {p["name"]: p for p in op.get("parameters", []) if p["in"] == "path"}
                echt = "/v1" + pad.format(**{p: bestaand.get(p, "X") for p in params})
                gevallen: list[tuple[str, str, Any]] = [
                    (echt, omschrijving, lichaam) for omschrijving, lichaam in _lichamen(spec, op)
                ]
                for p in params:  # each path parameter unknown or malformed, with a fair body
                    for waarde in ("ZZ999999999", "%00", "x" * 300, "-1"):
                        kapot = "/v1" + pad.format(
                            **{q: bestaand.get(q, "X") for q in params} | {p: waarde}
                        )
                        gevallen.append((kapot, f"{p}={waarde[:12]!r}", None))
                for q in (p for p in op.get("parameters", []) if p["in"] == "query"):
                    for waarde in _rare_waarden(spec, q.get("schema", {})) + QUERY_RAAR:
                        query = urlencode({q["name"]: str(waarde)[:5000]})
                        gevallen.append(
                            (f"{echt}?{query}", f"?{q['name']}={str(waarde)[:12]!r}", None)
                        )
                for url, omschrijving, lichaam in gevallen:
                    if methode == "post" and "{locatieId}" in pad and bestaand.get("locatieId"):
                        # A command on a fresh site (version 1), so it gets past If-Match.
                        nieuw = api.post("/v1/spoedlocaties", json=NIEUW, headers=ZH).json()
                        url = url.replace(bestaand["locatieId"], nieuw["locatieId"])
                    voor = _aantal(sql_engine)
                    # Someone the policy lets write there, so bad input reaches the domain.
                    schrijver = ZH if naam == "locaties" else PROGRAMMA
                    headers = {**schrijver, "If-Match": '"1"'}
                    if isinstance(lichaam, bytes):
                        headers["Content-Type"] = "application/json"
                        r = api.request(methode, url, content=lichaam, headers=headers)
                    elif lichaam is None and methode == "get":
                        r = api.request(methode, url, headers=headers)
                    else:
                        r = api.request(methode, url, json=lichaam, headers=headers)
                    wat = f"{methode.upper()} {pad} {omschrijving}: {r.status_code}"
                    gezien[r.status_code] = gezien.get(r.status_code, 0) + 1
                    if r.status_code >= 500:
                        fouten.append(f"{wat} {r.text[:200]}")
                    elif r.status_code >= 400:
                        if r.headers.get("content-type") != PROBLEM_JSON:
                            fouten.append(f"{wat} is no problem+json")
                        if _aantal(sql_engine) != voor:
                            fouten.append(f"{wat} stored events")
    assert gezien.get(201, 0) + gezien.get(200, 0) > 0 or naam == "rapportage"  # reached the domain
    assert not fouten, "\n".join(fouten[:40])
