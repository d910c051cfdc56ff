"""Shapes FastAPI's generated OpenAPI document to the NL API Design Rules.

- the base path ``/v1`` moves into ``servers`` (paths are relative to it);
- every 2xx/3xx response documents the ``API-Version`` header;
- FastAPI's 422 becomes a 400 ``application/problem+json``, and every operation documents its
  errors as problem+json with ``status``, ``title`` and ``detail``;
- every rate-limited operation documents its 429 with ``Retry-After``, and every write that
  names a rule of the authorisation policy (``x-beleid``) its 403;
- the errors every operation of a kind can give are added from one table (:func:`_standaard`):
  400 everywhere (unknown query parameters), 401 where a token is needed, 404 where the path
  names a resource, 413 where there is a body, 412 and 428 where ``If-Match`` is required.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from shared.beleid import OPENAPI_SLEUTEL
from shared.http.problems import PROBLEM_JSON, TITLES, Problem

RETRY_AFTER_HEADER = {
    "description": "Na hoeveel seconden je het opnieuw kunt proberen.",
    "schema": {"type": "integer", "minimum": 1, "example": 12},
}
# Probes are never rate limited (shared/http/ratelimit.py).
NIET_BEGRENSD = {"/health", "/ready"}
NUL_REGEL = (
    "\n\nGeen enkel veld, geen parameter en geen pad neemt het NUL-teken (U+0000) aan: zo'n "
    "verzoek krijgt 400. Een queryparameter die een operatie niet kent ook."
)
API_VERSION_HEADER = {
    "description": "De volledige versie van de API (semver).",
    "schema": {"type": "string", "example": "1.0.0"},
}


def _problem_response(status: int) -> dict[str, Any]:
    return {
        "description": TITLES.get(status, "Fout"),
        "headers": {"API-Version": {"$ref": "#/components/headers/API-Version"}},
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _te_veel() -> dict[str, Any]:
    antwoord = _problem_response(429)
    antwoord["description"] = "Te veel verzoeken met dit token; zie Retry-After"
    antwoord["headers"]["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
    return antwoord


def _zonder_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter is left out or has a value; FastAPI's ``anyOf [X, null]`` for an optional
    one would let a client send the text ``null``."""
    varianten = schema.get("anyOf")
    if not varianten:
        return schema
    echt = [v for v in varianten if v.get("type") != "null"]
    if len(echt) != 1 or len(echt) == len(varianten):
        return schema
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    return {**echt[0], **rest}


def _koppel(paths: dict[str, Any], schemas: dict[str, Any]) -> None:
    """OpenAPI links from what a POST creates to what can be done with it next: an id in the
    201 body that names a path parameter leads to every operation under that id (its commands,
    its history), with the ETag as If-Match where that is required. Clients (and the contract
    test's stateful runs) follow them: register -> command -> history."""
    for pad, item in paths.items():
        gemaakt = item.get("post", {}).get("responses", {}).get("201")
        ref = (gemaakt or {}).get("content", {}).get("application/json", {}).get("schema", {})
        velden = schemas.get(str(ref.get("$ref", "")).rsplit("/", 1)[-1], {}).get("properties", {})
        koppelingen: dict[str, Any] = {}
        for veld in velden:
            basis = pad.split(f"/{{{veld}}}")[0] + f"/{{{veld}}}"
            for doel, doel_item in paths.items():
                if not (doel == basis or doel.startswith(basis + "/")):
                    continue
                for methode, op in doel_item.items():
                    if methode not in {"get", "post", "put", "patch", "delete"}:
                        continue
                    params = {f"path.{veld}": f"$response.body#/{veld}"}
                    if any(
                        q.get("name") == "If-Match" and q.get("required")
                        for q in op.get("parameters", [])
                    ):
                        params["header.If-Match"] = "$response.header.ETag"
                    koppelingen[op["operationId"]] = {
                        "operationId": op["operationId"],
                        "parameters": params,
                    }
        if gemaakt is not None and koppelingen:
            gemaakt["links"] = koppelingen


def _standaard(relative: str, op: dict[str, Any]) -> dict[str, str]:
    """The errors an operation gives by its kind, whatever its route declares."""
    params = op.get("parameters", [])
    headers = {p["name"].lower() for p in params if p.get("in") == "header" and p.get("required")}
    fouten = {"400": "Ongeldige invoer, of een queryparameter die deze operatie niet kent"}
    if op.get("security"):
        fouten["401"] = "Geen of een ongeldig token"
    if any(p.get("in") == "path" for p in params):
        fouten["404"] = "Niet gevonden"
    if "requestBody" in op:
        fouten["413"] = "Body te groot"
    if "if-match" in headers:
        fouten["412"] = "If-Match hoort bij een oudere versie"
        fouten["428"] = "If-Match ontbreekt"
    return fouten


def nl_gov_openapi(
    app: FastAPI, base_path: str, contact: dict[str, str], server_url: str
) -> dict[str, Any]:
    if app.openapi_schema:
        return app.openapi_schema
    doc = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        contact=contact,
        tags=app.openapi_tags,
    )
    doc["info"]["description"] = (doc["info"].get("description") or "") + NUL_REGEL
    doc["servers"] = [{"url": server_url.rstrip("/") + base_path, "description": "Deze omgeving"}]
    components = doc.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    problem_schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in problem_schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas["Problem"] = problem_schema
    components.setdefault("headers", {})["API-Version"] = API_VERSION_HEADER
    components["headers"]["Retry-After"] = RETRY_AFTER_HEADER

    paths: dict[str, Any] = {}
    for path, item in doc.get("paths", {}).items():
        relative = path[len(base_path) :] if path.startswith(base_path) else path
        paths[relative or "/"] = item
        for method, op in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            responses = op.setdefault("responses", {})
            if responses.get("422", {}).get("description") == "Validation Error":
                responses.pop("422")  # FastAPI's own: our validation errors are 400s
            if OPENAPI_SLEUTEL in op:  # a write guarded by the one policy can answer 403
                responses.setdefault("403", {"description": "Het beleid staat dit niet toe"})
            for param in op.get("parameters", []):
                param["schema"] = _zonder_null(param.get("schema", {}))
            for code, omschrijving in _standaard(relative, op).items():
                responses.setdefault(code, {"description": omschrijving})
            for code, response in responses.items():
                if code[0] in "23":
                    response.setdefault("headers", {})["API-Version"] = {
                        "$ref": "#/components/headers/API-Version"
                    }
                elif code[0] in "45":
                    described = response.get("description") or TITLES.get(int(code), "Fout")
                    responses[code] = {**_problem_response(int(code)), "description": described}
            if relative not in NIET_BEGRENSD:
                responses.setdefault("429", _te_veel())
            responses.setdefault("500", _problem_response(500))
    _koppel(paths, schemas)
    doc["paths"] = paths
    app.openapi_schema = doc
    return doc
