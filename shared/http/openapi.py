"""Shapes FastAPI's generated OpenAPI document to the NL API Design Rules.

- the base path ``/v1`` moves into ``servers`` (paths are relative to it);
- every 2xx/3xx response documents the ``API-Version`` header;
- FastAPI's 422 becomes a 400 ``application/problem+json``, and every operation documents its
  errors as problem+json with ``status``, ``title`` and ``detail``;
- every rate-limited operation documents its 429 with ``Retry-After``, and every write that
  names a rule of the authorisation policy (``x-beleid``) its 403.
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
            for code, response in responses.items():
                if code[0] in "23":
                    response.setdefault("headers", {})["API-Version"] = {
                        "$ref": "#/components/headers/API-Version"
                    }
                elif code[0] in "45":
                    described = response.get("description") or TITLES.get(int(code), "Fout")
                    responses[code] = {**_problem_response(int(code)), "description": described}
            has_params = bool(op.get("parameters")) or "requestBody" in op
            if method not in {"get", "delete"} or has_params:
                responses.setdefault("400", _problem_response(400))
            if relative not in NIET_BEGRENSD:
                responses.setdefault("429", _te_veel())
            responses.setdefault("500", _problem_response(500))
    doc["paths"] = paths
    app.openapi_schema = doc
    return doc
