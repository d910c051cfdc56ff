"""``bodemregie import FILE``: counts every line, writes the refused ones with their problem,
and a second run (after a stop, or as a check) records nothing new."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bodemregie import cli, importeren
from bodemregie.importeren import importeer
from services.locaties.adapters import importregels
from services.locaties.entrypoints import routes_import
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


def test_lines_the_service_did_not_process_ask_for_a_rerun_which_records_them(
    api: TestClient,
    sql_engine: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The service fails on one batch (one site's lines): those lines are answered 503, not
    recorded and not refused. The command counts them apart and exits 2 (run again, as after a
    stop), not 1 (fix the refused lines); run again, it records them and exits 0."""
    ids = [f"ZH0513{i:05d}" for i in range(1, 4)]
    per_site = [_regels(i) for i in ids]
    monkeypatch.setattr(routes_import, "BATCH_REGELS", len(per_site[0]))
    bestand = tmp_path / "historie.ndjson"
    bestand.write_text(
        "".join(json.dumps(r) + "\n" for regels in per_site for r in regels), encoding="utf-8"
    )
    bewaar = importregels.bewaar
    batches: list[int] = []

    def tweede_faalt(*args: Any) -> None:
        batches.append(1)
        if len(batches) == 2:
            raise RuntimeError("the service failed")
        bewaar(*args)

    monkeypatch.setattr(importregels, "bewaar", tweede_faalt)
    monkeypatch.setattr(importeren, "importeer", partial(importeer, client=api))
    opdracht = ["import", str(bestand), "--token", TOKEN, "--stil"]
    assert cli.main(opdracht) == 2
    uit = capsys.readouterr().out
    n = len(per_site[1])
    assert f"0 geweigerd, {n} niet verwerkt" in uit and "opnieuw uit" in uit
    assert not (tmp_path / "historie.ndjson.geweigerd.ndjson").exists()
    assert aantal_events(sql_engine) == len(per_site[0]) + len(per_site[2])

    monkeypatch.setattr(importregels, "bewaar", bewaar)
    assert cli.main(opdracht) == 0
    assert f"{n} regels vastgelegd" in capsys.readouterr().out
    assert aantal_events(sql_engine) == sum(len(r) for r in per_site)
