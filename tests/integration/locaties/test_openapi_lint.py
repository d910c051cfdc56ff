"""The locaties OpenAPI document passes the NL API Design Rules linter without errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from sqlalchemy import Engine

from tests.support.infra import ROOT
from tests.support.locaties import locaties_client

ADR = ROOT / "deploy" / "adr"
SPECTRAL = ADR / "node_modules" / ".bin" / "spectral"


def test_the_openapi_document_has_no_adr_linter_errors(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    assert SPECTRAL.exists(), "run `make test` (it installs the linter with npm)"
    with locaties_client(sqlite_engine) as api:
        doc = api.get("/v1/openapi.json").json()
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(doc))
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
