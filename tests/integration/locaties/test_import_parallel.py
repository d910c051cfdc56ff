"""``bodemregie import --parallel 4`` against the service on PostgreSQL (the ASGI app, parts
over concurrent requests): what it records is what a serial import of the same file records
(the same events per stream in the same order, the same answer per line, numbered registrations
numbered alike), positions stay gap-free, and running it again records nothing."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from bodemregie.importeren import importeer
from shared.auth import Rol, mint_dev_token
from shared.eventstore.tables import events
from tests.integration.locaties.test_import import _regels
from tests.support.infra import postgres_database
from tests.support.locaties import NIEUW, SECRET, locaties_client

TOKEN = mint_dev_token(SECRET, "importeur", Rol.BEVOEGD_GEZAG, "ZH")


def _historie(seed: int) -> list[dict[str, Any]]:
    """Sixteen sites' histories interleaved at random (each in its own order), registrations
    the service numbers (gemeente 0484) among them, a refused line (and the three of its site
    that build on it: 412) and a line sent twice (answered from its key)."""
    rnd = random.Random(seed)
    per_site = [_regels(f"ZH0513{n:05d}") for n in range(1, 17)]
    per_site[5][3] = {**per_site[5][3], "body": {"bedragEuro": "veel"}}
    per_site.append(
        [
            {"soort": "registratie", "body": {**NIEUW, "gemeentecode": "0484", "naam": f"N{n}"}}
            for n in range(5)
        ]
    )
    uit: list[dict[str, Any]] = []
    while any(per_site):
        uit.append(rnd.choice([s for s in per_site if s]).pop(0))
    uit.insert(len(uit) // 2, uit[len(uit) // 3])
    return uit


@pytest.fixture
def twee() -> Iterator[tuple[TestClient, Engine, TestClient, Engine]]:
    with (
        postgres_database() as serieel_db,
        postgres_database() as parallel_db,
        locaties_client(serieel_db) as serieel,
        locaties_client(parallel_db) as parallel,
    ):
        yield serieel, serieel_db, parallel, parallel_db


def _importeer(
    api: TestClient, bestand: Path, delen: int
) -> tuple[dict[str, int], list[dict[str, Any]], list[dict[str, Any]]]:
    geweigerd, uitslagen = io.StringIO(), io.StringIO()
    telling = importeer(
        bestand,
        "",
        TOKEN,
        geweigerd,
        per_verzoek=9,
        client=api,
        voortgang=False,
        parallel=delen,
        uitslagen=uitslagen,
    )
    return (
        dict(telling),
        [json.loads(r) for r in uitslagen.getvalue().splitlines()],
        [json.loads(r) for r in geweigerd.getvalue().splitlines()],
    )


def _log(engine: Engine) -> tuple[list[int], dict[str, list[tuple[int, str, Any]]]]:
    """The positions in order, and per stream its events (version, type, data) in order."""
    with engine.connect() as conn:
        rijen = conn.execute(
            select(
                events.c.position,
                events.c.stream_id,
                events.c.version,
                events.c.event_type,
                events.c.data,
            ).order_by(events.c.position)
        ).all()
    per_stream: dict[str, list[tuple[int, str, Any]]] = {}
    for _, stream, versie, soort, data in rijen:
        per_stream.setdefault(stream, []).append((versie, soort, data))
    return [r[0] for r in rijen], per_stream


def test_a_parallel_import_records_what_a_serial_one_does(
    twee: tuple[TestClient, Engine, TestClient, Engine], tmp_path: Path
) -> None:
    serieel, serieel_db, parallel, parallel_db = twee
    regels = _historie(seed=12)
    bestand = tmp_path / "historie.ndjson"
    bestand.write_text("".join(json.dumps(r) + "\n" for r in regels), encoding="utf-8")

    telling_s, uitslagen_s, geweigerd_s = _importeer(serieel, bestand, 1)
    telling_p, uitslagen_p, geweigerd_p = _importeer(parallel, bestand, 4)

    assert telling_p == telling_s
    assert telling_s == {"vastgelegd": len(regels) - 5, "al vastgelegd": 1, "geweigerd": 4}
    assert uitslagen_p == uitslagen_s
    assert [u["regel"] for u in uitslagen_p] == list(range(1, len(regels) + 1))
    assert geweigerd_p == geweigerd_s
    _, log_s = _log(serieel_db)
    posities_p, log_p = _log(parallel_db)
    assert log_p == log_s  # the same events per stream, in the same order
    assert sorted(s for s in log_p if s.startswith("ZH0484")) == [
        f"ZH0484{n:05d}" for n in range(1, 6)
    ]
    assert posities_p == list(range(1, len(posities_p) + 1))  # gap-free
    assert all([v for v, _, _ in s] == list(range(1, len(s) + 1)) for s in log_p.values())

    # Again: nothing new, every recorded line answered from its key.
    telling_2, uitslagen_2, _ = _importeer(parallel, bestand, 4)
    assert telling_2 == {"al vastgelegd": len(regels) - 4, "geweigerd": 4}
    assert [(u["regel"], u.get("locatieId"), u.get("versie")) for u in uitslagen_2] == [
        (u["regel"], u.get("locatieId"), u.get("versie")) for u in uitslagen_p
    ]
    assert _log(parallel_db) == (posities_p, log_p)


def test_keys_holding_unicode_line_separators_are_answered_one_line_each(tmp_path: Path) -> None:
    """The service echoes a line's key as it is (U+2028, U+2029, NEL): the client reads the
    answer by newlines only."""
    sleutels = ["a\u2028b", "c\u2029d", "e\x85f"]
    regels = [
        {**r, "sleutel": s}
        for r, s in zip(
            [{"soort": "registratie", "body": {**NIEUW, "naam": s}} for s in "xyz"],
            sleutels,
            strict=True,
        )
    ]
    bestand = tmp_path / "historie.ndjson"
    bestand.write_text("".join(json.dumps(r) + "\n" for r in regels), encoding="utf-8")
    with postgres_database() as db, locaties_client(db) as api:
        geweigerd, uitslagen = io.StringIO(), io.StringIO()
        telling = importeer(
            bestand, "", TOKEN, geweigerd, client=api, voortgang=False, uitslagen=uitslagen
        )
    assert telling == {"vastgelegd": 3}, geweigerd.getvalue()
    alles = [json.loads(r) for r in uitslagen.getvalue().split("\n")[:-1]]
    assert [u["sleutel"] for u in alles] == sleutels


def _randgevallen() -> bytes:
    """A file in the shapes a real export takes: a BOM, CRLF line ends, blank and whitespace
    lines, an id in a registration's body in snake_case, numbered registrations among which an
    explicit id lands on a number, a key reused for another site, a line repeated without a key,
    an unknown soort, bytes that are not UTF-8, and a last line without a newline."""
    per_site = {n: _regels(f"ZH0513{n:05d}") for n in range(1, 7)}
    eerste = per_site[3][0]
    per_site[3][0] = {
        **{k: v for k, v in eerste.items() if k != "locatieId"},
        "body": {**eerste["body"], "locatie_id": eerste["locatieId"]},
    }
    per_site[5][2] = {**per_site[5][2], "sleutel": per_site[4][2]["sleutel"]}  # refused: 422
    per_site[6].insert(2, per_site[6][1])  # the same line again, its key and all: 'herhaald'
    genummerd: list[dict[str, Any]] = [
        {"soort": "registratie", "body": {**NIEUW, "gemeentecode": "0484", "naam": f"N{n}"}}
        for n in range(4)
    ]
    expliciet = {**NIEUW, "gemeentecode": "0484", "naam": "expliciet"}
    genummerd.insert(1, {"soort": "registratie", "locatieId": "ZH048400002", "body": expliciet})
    genummerd.append(
        {
            "soort": "statuswijzigingen",
            "locatieId": "ZH048400004",
            "versie": 1,
            "body": {"naar": "onderzocht", "besluitdatum": "2011-01-01"},
        }
    )
    rnd = random.Random(5)
    stromen: list[list[bytes]] = [
        [json.dumps(r).encode() + (b"\r\n" if n == 2 else b"\n") for r in regels]
        for n, regels in per_site.items()
    ]
    stromen.append([json.dumps(r).encode() + b"\n" for r in genummerd])
    stromen.append(
        [b"\n", b"   \t\r\n", b'{"soort": "registraties", "body": {}}\n', b'{"sleutel": "\xff"}\n']
    )
    regels: list[bytes] = []
    while any(stromen):
        regels.append(rnd.choice([s for s in stromen if s]).pop(0))
    regels[0] = b"\xef\xbb\xbf" + regels[0]
    regels[-1] = regels[-1].rstrip(b"\r\n")
    return b"".join(regels)


def test_a_parallel_import_of_an_untidy_file_records_what_a_serial_one_does(
    twee: tuple[TestClient, Engine, TestClient, Engine], tmp_path: Path
) -> None:
    serieel, serieel_db, parallel, parallel_db = twee
    bestand = tmp_path / "historie.ndjson"
    bestand.write_bytes(_randgevallen())

    telling_s, uitslagen_s, geweigerd_s = _importeer(serieel, bestand, 1)
    telling_p, uitslagen_p, geweigerd_p = _importeer(parallel, bestand, 4)

    assert (telling_p, uitslagen_p, geweigerd_p) == (telling_s, uitslagen_s, geweigerd_s)
    assert telling_s["al vastgelegd"] == 1 and telling_s["geweigerd"] >= 5
    # No 409: a numbered registration passes over the number the explicit id holds.
    assert {f["status"] for f in geweigerd_s} >= {400, 422}
    assert 409 not in {f["status"] for f in geweigerd_s}
    assert _log(parallel_db)[1] == _log(serieel_db)[1]
    log_p = _log(parallel_db)[1]
    assert "ZH051300003" in log_p and "ZH048400004" in log_p

    # Again, both: every recorded line answered from its key, in both alike.
    telling_2s, uitslagen_2s, _ = _importeer(serieel, bestand, 1)
    telling_2p, uitslagen_2p, _ = _importeer(parallel, bestand, 4)
    assert (telling_2p, uitslagen_2p) == (telling_2s, uitslagen_2s)
    assert telling_2p["al vastgelegd"] == telling_p["vastgelegd"] + telling_p["al vastgelegd"]
    assert [
        (u["regel"], u["locatieId"], u["versie"]) for u in uitslagen_2p if u.get("herhaald")
    ] == [(u["regel"], u["locatieId"], u["versie"]) for u in uitslagen_p if u["status"] == 201]
    assert _log(parallel_db)[1] == _log(serieel_db)[1]
