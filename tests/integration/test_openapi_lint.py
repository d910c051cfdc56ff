"""Every service's OpenAPI document passes the NL API Design Rules linter without errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from tests.support.infra import ROOT
from tests.support.locaties import locaties_client

ADR = ROOT / "deploy" / "adr"
SPECTRAL = ADR / "node_modules" / ".bin" / "spectral"


def _openapi(service: str, engine: Engine) -> dict[str, Any]:
    if service == "locaties":
        with locaties_client(engine) as api:
            doc: dict[str, Any] = api.get("/v1/openapi.json").json()
            return doc
    if service == "kennis":
        kennis = KennisSettings(database_url=str(engine.url), kafka_enabled=False)
        with TestClient(kennis_app(kennis)) as api:
            doc = api.get("/v1/openapi.json").json()
            return doc
    settings = RapportageSettings(database_url=str(engine.url), kafka_enabled=False)
    with TestClient(rapportage_app(settings)) as api:
        doc = api.get("/v1/openapi.json").json()
        return doc


@pytest.mark.parametrize("service", ["locaties", "rapportage", "kennis"])
def test_the_openapi_document_has_no_adr_linter_errors(
    service: str, sqlite_engine: Engine, tmp_path: Path
) -> None:
    assert SPECTRAL.exists(), "run `make test` (it installs the linter with npm)"
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(_openapi(service, sqlite_engine)))
    result = subprocess.run(
        [
            str(SPECTRAL),
            "lint",
            "-r",
            str(ADR / "ruleset.yaml"),
            "--fail-severity",
            "error",
            "-f",
            "json",
            str(spec),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    problems = json.loads(result.stdout or "[]")
    errors = [p for p in problems if p["severity"] == 0]
    assert errors == [], errors
    assert result.returncode == 0, result.stderr
