"""The relay's seal hash (``shared.zegel.zegel_hash``, which looks only at the attributes the
CloudEvent builder takes as they come) is the hash's definition, byte for byte: on events built
from generated rows with tricky values in every column the builder passes through (``data``,
subject, stream type, the metadata's extras, store id, previous hashes) and in ``data`` above
all (floats of every magnitude, integers beyond 64 bits, NaN, control characters, non-ASCII,
lone surrogates), compared with the definition as written before any fast path and with
``integriteit.event_hash``; and ordinary events take the fast path."""

from __future__ import annotations

import hashlib
import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from shared import integriteit as i
from shared import zegel
from tests.unit.test_canoniek import _document, _tekst

SOURCE = "urn:nld:oin:00000001003214345000:systeem:test"
MOMENT = datetime(2026, 12, 2, 1, 2, 3, 456_789, tzinfo=UTC)


def _definitie(cloudevent: dict[str, Any]) -> str:
    """The hash as defined: sorted keys, no whitespace, UTF-8, of the covered attributes."""
    inhoud = {k: v for k, v in cloudevent.items() if k not in i.NIET_GEHASHT}
    canoniek = json.dumps(inhoud, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canoniek.encode()).hexdigest()


def _uitkomst(hash_van: Any, doc: dict[str, Any]) -> tuple[str, str]:
    """The hash, or the kind of failure (a lone surrogate cannot be UTF-8)."""
    try:
        return ("hash", hash_van(doc))
    except (ValueError, TypeError) as exc:
        return ("fout", type(exc).__name__)


def _waarde(rng: random.Random) -> Any:
    """Something for an attribute the builder takes as it comes: mostly texts, also what is
    not one (integers within and beyond 64 bits, floats, booleans, lists, objects)."""
    soort = rng.randrange(6)
    if soort < 3:
        return _tekst(rng) + rng.choice(["", "\ud800", "é", "\u2028", '"\\'])
    if soort == 3:
        return rng.choice([0, 7, -(2**63), 2**63 - 1, 2**63, 2**64 - 1, -(2**70), True, False])
    return _document(rng)


def _rij(rng: random.Random, n: int) -> tuple[Any, ...]:
    """A row as the relay reads it (the columns of ``events``), tricky where the builder lets
    values through."""
    meta: dict[str, Any] = {"actor": rng.choice(["prs-1", "bodemregie", "é\ud800", 7])}
    for sleutel in ("organisation", "role", "correlation_id", "causation_id"):
        if rng.random() < 0.6:
            meta[sleutel] = _waarde(rng) if rng.random() < 0.4 else f"{sleutel}-{n}"
    if rng.random() < 0.7:
        data: Any = {_tekst(rng): _document(rng) for _ in range(rng.randrange(6))}
    else:
        data = _document(rng)
    return (
        n,
        str(UUID(int=rng.getrandbits(128))),
        _waarde(rng) if rng.random() < 0.2 else f"ZH0513{n:05d}",
        _waarde(rng) if rng.random() < 0.1 else "spoedlocatie",
        rng.randrange(1, 50),
        rng.choice(["spoedlocatie-status-gewijzigd", "x-é", "nl.overheid.bodem.y"]),
        rng.randrange(1, 4),
        data,
        meta,
        MOMENT - timedelta(days=rng.randrange(5000)),
        MOMENT,
    )


def test_the_seal_hash_is_the_definition_on_tricky_events() -> None:
    rng = random.Random(20261202)
    langzaam = 0
    for n in range(1, 20_001):
        store = _waarde(rng) if rng.random() < 0.05 else "0b3c6d7e-0000-4000-8000-000000000001"
        vorige = _waarde(rng) if rng.random() < 0.05 else "a" * 64
        stroom = _waarde(rng) if rng.random() < 0.05 else i.NUL
        doc = zegel.cloudevent(_rij(rng, n), SOURCE, store, vorige, stroom)
        verwacht = _uitkomst(_definitie, doc)
        assert _uitkomst(zegel.zegel_hash, doc) == verwacht, doc
        assert _uitkomst(i.event_hash, doc) == verwacht, doc
        langzaam += i.data_canoniek(doc["data"]) is None
    # the events did reach the cases that leave the fast path, and not only those
    assert 2_000 < langzaam < 18_000


def test_ordinary_events_take_the_fast_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Or the test above proves little about the path the relay takes."""

    def niet(_doc: dict[str, Any]) -> str:
        raise AssertionError("the definition's path was taken")

    rng = random.Random(5)
    docs = []
    for n in range(1, 201):
        meta = {"actor": "prs-1", "organisation": "ZH", "correlation_id": f"c-{n}"}
        data = {"naar": "onderzocht", "besluitdatum": "2012-03-01", "bedrag": n * 1.25}
        if n % 2:
            data["ligging"] = {"x": rng.uniform(0, 3e5), "y": [1, None, "é\u2028"]}
        rij = (n, str(UUID(int=n)), "ZH051300001", "spoedlocatie", n, "t", 1, data, meta)
        doc = zegel.cloudevent((*rij, MOMENT, MOMENT), SOURCE, "s", "a" * 64, i.NUL)
        docs.append((doc, _definitie(doc)))
    monkeypatch.setattr(i, "event_hash", niet)
    for doc, verwacht in docs:
        assert zegel.zegel_hash(doc) == verwacht


class _Tx:
    def __init__(self) -> None:
        self.sql: list[str] = []

    def defer(self, sql: str) -> None:
        self.sql.append(sql)


@pytest.mark.parametrize("fout", ["ab'); DROP TABLE events; --", "ab,cd", "", "A" * 64, "a" * 129])
def test_only_hashes_reach_the_seals_query_string(fout: str) -> None:
    """A round's few seals go into the query string as literals (``_schrijf_zegels``): what
    is not lowercase hex of 1-128 digits, in any of the three places, is refused."""
    goed = (7, "a" * 64, "b" * 64, i.NUL)
    tx = _Tx()
    zegel._schrijf_zegels(None, [goed, goed], tx)  # type: ignore[arg-type]
    assert tx.sql == [
        zegel._ZEGELS_LITERAAL + ", ".join([f"(7, '{'a' * 64}', '{'b' * 64}', '{i.NUL}')"] * 2)
    ]
    for plek in (1, 2, 3):
        slecht: list[Any] = list(goed)
        slecht[plek] = fout
        zegels = [goed, (7, slecht[1], slecht[2], slecht[3])]
        with pytest.raises(ValueError, match="not a hash"):
            zegel._schrijf_zegels(None, zegels, _Tx())  # type: ignore[arg-type]
