"""The fast canonical encoding is the hash's definition, byte for byte: on a generated sealed log
and on documents made to find where orjson and ``json`` part (floats of every magnitude, control
characters, non-ASCII keys, integers beyond 64 bits)."""

from __future__ import annotations

import hashlib
import json
import random
import struct
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bench.verzegeld_logboek import logboek
from shared import integriteit


def _hash_zoals_gedefinieerd(cloudevent: dict[str, Any]) -> str:
    """The definition as it was written before the fast path (shared/integriteit.py)."""
    inhoud = {k: v for k, v in cloudevent.items() if k not in integriteit.NIET_GEHASHT}
    canoniek = json.dumps(inhoud, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canoniek.encode()).hexdigest()


def _float(rng: random.Random) -> float:
    while True:
        if rng.random() < 0.5:
            waarde = rng.choice([1, -1]) * 10 ** rng.uniform(-30, 30)
        else:
            waarde = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
        if waarde == waarde and abs(waarde) != float("inf"):
            return float(waarde)


def _tekst(rng: random.Random) -> str:
    tekens = [
        *(chr(c) for c in range(0, 0x30)),
        "e",
        "E",
        "-",
        "+",
        "0",
        "é",
        "\u2028",
        "\x7f",
        "😀",
        "中",
    ]
    return "".join(rng.choice(tekens) for _ in range(rng.randrange(12)))


def _document(rng: random.Random, diepte: int = 0) -> Any:
    soort = rng.randrange(9 if diepte < 3 else 6)
    if soort == 0:
        return _float(rng)
    if soort == 1:
        return rng.choice([0, -1, 2**63 - 1, -(2**63), 2**64 - 1, 2**64, 2**70, -(2**70)])
    if soort == 2:
        return _tekst(rng)
    if soort == 3:
        return rng.choice([True, False, None])
    if soort == 4:
        return rng.choice([0.0, -0.0, 1e-4, 1e-5, 0.00012, 1e16, 1e15, 123.456, 5e-324])
    if soort == 5:
        return rng.randrange(-(10**6), 10**6)
    if soort == 6:
        return [_document(rng, diepte + 1) for _ in range(rng.randrange(4))]
    return {_tekst(rng): _document(rng, diepte + 1) for _ in range(rng.randrange(5))}


def test_the_fast_encoding_equals_the_definition_on_a_sealed_log() -> None:
    events = list(logboek(3_000, Ed25519PrivateKey.generate(), anker_elke=250))
    for ev in events:
        inhoud = {k: v for k, v in ev.items() if k not in integriteit.NIET_GEHASHT}
        assert integriteit.canoniek_snel(inhoud) == integriteit.canoniek(inhoud)
        assert integriteit.event_hash(ev) == _hash_zoals_gedefinieerd(ev) == ev["hash"]
    # and the fast path is the one taken for ordinary events, or this proves little
    snel = [
        integriteit._misschien_anders(
            integriteit.canoniek({k: v for k, v in ev.items() if k != "hash"}).replace(b" ", b"")
        )
        for ev in events
    ]
    assert snel.count(True) < len(events) / 100


def test_the_fast_encoding_equals_the_definition_where_orjson_and_json_differ() -> None:
    rng = random.Random(20261130)
    verschillend = 0
    for _ in range(20_000):
        doc = {"data": _document(rng), _tekst(rng): _document(rng), "position": 1}
        verwacht = integriteit.canoniek(doc)
        assert integriteit.canoniek_snel(doc) == verwacht, doc
        try:
            import orjson

            verschillend += orjson.dumps(doc, option=orjson.OPT_SORT_KEYS) != verwacht
        except TypeError:
            verschillend += 1
    assert verschillend > 1_000  # the documents did reach the cases that need the slow path


def test_what_is_read_back_is_what_the_standard_library_reads() -> None:
    rng = random.Random(7)
    documenten = [
        b'{"a": 1e-05, "b": [1.5, -0.0, 1E400, -1e400]}',
        b'{"n": 123456789012345678901234567890, "m": -9300000000000000000}',
        b'{"u": 18446744073709551615, "dubbel": 1, "dubbel": 2}',
        *(json.dumps({"x": _document(rng)}).encode() for _ in range(5_000)),
        *(f'{{"f": {_float(rng)!r}}}'.encode() for _ in range(5_000)),
    ]
    for raw in documenten:
        gelezen = integriteit.lees_json(raw)
        assert gelezen == json.loads(raw), raw
        assert integriteit.canoniek(gelezen) == integriteit.canoniek(json.loads(raw))
    nan = integriteit.lees_json(b'{"x": NaN}')["x"]
    assert nan != nan


def test_nan_and_infinity_are_written_as_the_definition_writes_them() -> None:
    """orjson writes them as null; the hash is defined over json's NaN / Infinity."""
    for waarde in (float("nan"), float("inf"), -float("inf")):
        doc = {"data": {"x": [1, {"y": waarde}], "z": None}}
        assert integriteit.canoniek_snel(doc) == integriteit.canoniek(doc)
    assert integriteit.canoniek_snel({"z": None, "w": 1.5}) == b'{"w":1.5,"z":null}'


def _regels(rng: random.Random) -> list[bytes]:
    """Lines of a log as a verifier meets them: sealed events, and events whose content holds
    what orjson reads or writes differently, in every attribute (the hash included)."""
    sleutel = Ed25519PrivateKey.generate()
    regels = [json.dumps(ce).encode() for ce in logboek(300, sleutel, anker_elke=50)]
    basis = {"id": "x", "source": "urn:s", "specversion": "1.0", "position": 1, "hash": "ab"}
    for _ in range(5_000):
        ev = dict(basis)
        veld = rng.choice(["data", "position", "sequence", "hash", "subject", "source", "nieuw"])
        ev[veld] = _document(rng)
        if rng.random() < 0.2:
            del ev["hash"]
        regels.append(json.dumps(ev).encode())
    regels += [
        b'{"id": "a", "position": 18446744073709551617, "hash": "ab"}',
        b'{"id": "a", "data": {"x": -9223372036854775809}}',
        b'{"id": "a", "hash": 123456789012345678901234567890}',
        b'{"id": "a", "data": [1E400, NaN, -Infinity], "hash": null}',
        b'{"id": "a", "data": {"klein": 1e-05, "kleiner": 1.5e-7, "groot": 1e16}}',
        b'{"id": "a", "dubbel": 1, "dubbel": 2}',
    ]
    return regels


def test_a_line_read_with_its_hash_is_the_definition() -> None:
    """The verifier's workers read and hash a line in one step (``lees_met_hash``): the event
    must be what ``json.loads`` reads and the hash the definition's, also where orjson parts."""
    for raw in _regels(random.Random(11)):
        gelezen, berekend = integriteit.lees_met_hash(raw)
        verwacht = json.loads(raw)
        assert berekend == _hash_zoals_gedefinieerd(verwacht), raw
        for veld in ("source", "specversion", "datacontenttype"):
            verwacht.pop(veld, None)
        assert integriteit.canoniek(gelezen) == integriteit.canoniek(verwacht), raw
        assert {k: type(v) for k, v in gelezen.items()} == {
            k: type(v) for k, v in verwacht.items()
        }, raw


def test_an_event_hash_is_the_definition_whatever_its_attributes_hold() -> None:
    """``event_hash`` encodes ``data`` apart and checks only its bytes for what orjson writes
    otherwise: every attribute (``data`` too, as an object or not) holding what the two write
    differently still gives the definition's hash."""
    rng = random.Random(20261201)
    basis = {
        "specversion": "1.0",
        "id": "e1",
        "source": "urn:s",
        "subject": "ZH051300001",
        "position": 7,
        "prevhash": "a" * 64,
        "data": {"naar": "onderzocht"},
    }
    for _ in range(20_000):
        ev = dict(basis)
        veld = rng.choice(["data", "data", "data", "position", "subject", "nieuw", "source"])
        waarde = _document(rng)
        if veld == "data" and rng.random() < 0.8:
            waarde = {"x": waarde, _tekst(rng): _document(rng)}
        ev[veld] = waarde
        assert integriteit.event_hash(ev) == _hash_zoals_gedefinieerd(ev), ev


def test_a_sealed_logs_events_take_the_data_apart_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """The path that encodes ``data`` apart is the one ordinary events take, or the test above
    proves little about it."""
    events = list(logboek(500, Ed25519PrivateKey.generate(), anker_elke=100))
    volledig: list[dict[str, Any]] = []

    def inhoud_hash(inhoud: dict[str, Any]) -> str:
        volledig.append(inhoud)
        return ""

    monkeypatch.setattr(integriteit, "inhoud_hash", inhoud_hash)
    for ev in events:
        assert integriteit.event_hash(ev) == ev["hash"]
    assert volledig == []
