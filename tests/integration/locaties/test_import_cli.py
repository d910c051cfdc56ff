"""``bodemregie import FILE``: counts every line, writes the refused ones with their problem,
and a second run (after a stop, or as a check) records nothing new."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bodemregie import cli
from bodemregie.importeren import importeer
from shared.auth import Rol, mint_dev_token
from tests.integration.locaties.test_import import _regels
from tests.support.locaties import SECRET, locaties_client
from tests.support.locaties_lezen import aantal_events

TOKEN = mint_dev_token(SECRET, "importeur", Rol.BEVOEGD_GEZAG, "ZH")


@pytest.fixture
def api(sql_engine: Engine) -> Iterator[TestClient]:
    with locaties_client(sql_engine) as client:
        yield client


def test_import_counts_refuses_and_resumes(
    api: TestClient, sql_engine: Engine, tmp_path: Path
) -> None:
    regels = [r for i in range(1, 6) for r in _regels(f"ZH0513{i:05d}")]
    regels[3] = {**regels[3], "body": {"bedragEuro": "veel"}}  # refused, and the 2 after it (412)
    bestand = tmp_path / "historie.ndjson"
    bestand.write_text("".join(json.dumps(r) + "\n" for r in regels[:20]) + "\n", encoding="utf-8")
    # A first run that stops half-way (the first 20 lines), then the whole file.
    eerste = importeer(
        bestand, "", TOKEN, io.StringIO(), per_verzoek=6, client=api, voortgang=False
    )
    assert eerste == {"vastgelegd": 20 - 4, "geweigerd": 4}
    bestand.write_text("".join(json.dumps(r) + "\n" for r in regels), encoding="utf-8")
    geweigerd = io.StringIO()
    tweede = importeer(bestand, "", TOKEN, geweigerd, per_verzoek=7, client=api, voortgang=False)
    assert tweede == {"al vastgelegd": 16, "vastgelegd": len(regels) - 20, "geweigerd": 4}
    fouten = [json.loads(r) for r in geweigerd.getvalue().splitlines()]
    assert [(f["regel"], f["status"]) for f in fouten] == [(4, 400), (5, 412), (6, 412), (7, 412)]
    assert json.loads(fouten[0]["invoer"]) == regels[3]
    assert aantal_events(sql_engine) == len(regels) - 4


def test_the_command_needs_a_token_and_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BODEMREGIE_TOKEN", raising=False)
    assert cli.main(["import", str(tmp_path / "x.ndjson")]) == 2
    assert cli.main(["import", str(tmp_path / "x.ndjson"), "--token", "t"]) == 2
