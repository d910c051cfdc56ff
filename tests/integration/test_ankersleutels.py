"""The anchor keys served by the services that sign anchors, and the key ids in the anchors."""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from auditor import export, verify
from auditor.cli import main as audit
from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared import ankersleutels as a
from shared import integriteit as i
from shared.auth import Rol
from tests.support.locaties import NIEUW, SECRET, locaties_client, token, verzegeld

UP = token(Rol.UITVOERINGSPROGRAMMA, None)
ZH = token(Rol.BEVOEGD_GEZAG, "ZH")  # NIEUW is a ZH site: only ZH writes it


def _kid(prive: Path) -> str:
    return a.sleutel_id(i.laad_privesleutel(prive.read_bytes()).public_key())


def test_locaties_serves_current_and_retired_keys_and_anchors_name_them(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    map_ = tmp_path / "sleutels"
    oud = _kid(a.maak_paar(map_))
    oud_nieuw = a.roteer(map_)
    assert oud_nieuw[0] == oud
    with locaties_client(
        sqlite_engine,
        anker_elke=2,
        anker_sleutel=str(map_ / "anker.pem"),
        anker_oude_sleutels=str(map_ / "oud"),
    ) as api:
        antwoord = api.get("/v1/ankersleutels")  # public: no token
        assert antwoord.status_code == 200
        for _ in range(3):
            api.post("/v1/spoedlocaties", json=NIEUW, headers=ZH)
        verzegeld(api)  # the feed serves only what the relay sealed
        log = export.uit_api("", UP["Authorization"].split()[1], toon=False, client=api)
    jwks = antwoord.json()
    assert {k["kid"] for k in jwks["keys"]} == {oud, oud_nieuw[1]}
    assert all(k["kty"] == "OKP" and k["crv"] == "Ed25519" for k in jwks["keys"])
    ankers = [e["data"] for e in log if e["type"].endswith(i.ANKER_TYPE)]
    assert ankers and {x["sleutelId"] for x in ankers} == {oud_nieuw[1]}
    served = a.Sleutelset.van(a.uit_jwk(k) for k in jwks["keys"])
    uitslag = verify.controleer(log, served)
    assert uitslag.in_orde and uitslag.ondertekend == len(ankers)


def test_kennis_and_rapportage_serve_their_keys(tmp_path: Path) -> None:
    """Every service that writes a log serves its key: rapportage too, since it signs the
    anchors of its publications' log."""
    prive = a.maak_paar(tmp_path / "kennis")
    kennis = KennisSettings(
        database_url=f"sqlite:///{tmp_path / 'kennis.sqlite'}",
        jwt_secret=SECRET,
        kafka_enabled=False,
        anker_sleutel=str(prive),
    )
    with TestClient(kennis_app(kennis)) as api:
        assert [k["kid"] for k in api.get("/v1/ankersleutels").json()["keys"]] == [_kid(prive)]
    rapportage_sleutel = a.maak_paar(tmp_path / "rapportage")
    rapportage = RapportageSettings(
        database_url=f"sqlite:///{tmp_path / 'rapportage.sqlite'}",
        jwt_secret=SECRET,
        kafka_enabled=False,
        anker_sleutel=str(rapportage_sleutel),
    )
    with TestClient(rapportage_app(rapportage)) as api:
        sleutels = api.get("/v1/ankersleutels").json()["keys"]
        assert [k["kid"] for k in sleutels] == [_kid(rapportage_sleutel)]


def test_without_a_key_the_set_is_empty(sqlite_engine: Engine) -> None:
    with locaties_client(sqlite_engine) as api:
        assert api.get("/v1/ankersleutels").json() == {"keys": []}


def test_the_auditor_fetches_the_key_set_from_a_url(tmp_path: Path) -> None:
    prive = a.maak_paar(tmp_path / "sleutel")
    (tmp_path / "ankersleutels").write_text(
        json.dumps(a.gediend(str(prive), "").jwks()), encoding="utf-8"
    )
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/ankersleutels"
        assert list(a.laad(url)) == [_kid(prive)]
    finally:
        server.shutdown()
        server.server_close()


def test_replay_refuses_a_file_that_is_no_served_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "log.jsonl"
    log.write_text("")
    for inhoud in ("<html></html>", "[]", '{"rapport": "voortgang"}'):
        (tmp_path / "r.json").write_text(inhoud)
        code = audit(["replay", str(log), "--publicatie", str(tmp_path / "r.json"), "--stil"])
        assert code == 2
        assert "geen gepubliceerd rapport" in capsys.readouterr().err
