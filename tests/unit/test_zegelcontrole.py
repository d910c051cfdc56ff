"""What a record proves alone: the checks a consumer makes on arrival, before any database."""

from __future__ import annotations

import json
from typing import Any

import pytest

from shared import integriteit
from shared.messaging.record import Record
from shared.messaging.zegelcontrole import Zegelcontrole, Zegelfout
from tests.support.rapportage import SOURCE, registratie, verzegel

CONTROLE = Zegelcontrole("test", SOURCE)


def _record(doc: dict[str, Any] | bytes) -> Record:
    value = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return Record("t", 0, 0, b"k", value)


def _verzegeld(position: int = 1) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(verzegel(registratie(position, "ZH051300001"))[0])
    return doc


def _herzegel(doc: dict[str, Any]) -> dict[str, Any]:
    """A forger's seal: the right hash over whatever the document now says."""
    return {**doc, "hash": integriteit.event_hash(doc)}


def test_a_sealed_event_from_the_expected_source_is_received() -> None:
    doc = _verzegeld()
    ontvangen = CONTROLE.ontvang(_record(doc))
    assert (ontvangen.positie, ontvangen.hash) == (1, doc["hash"])
    assert (ontvangen.prevhash, ontvangen.streamprevhash) == (integriteit.NUL, integriteit.NUL)
    assert ontvangen.event.subject == "ZH051300001"


def test_the_attack_from_the_issue_an_all_zero_hash_is_refused() -> None:
    doc = {**_verzegeld(), "subject": "ZH051399999", "position": 2, "hash": integriteit.NUL}
    with pytest.raises(Zegelfout, match="zegel gebroken"):
        CONTROLE.ontvang(_record(doc))


def test_changed_content_breaks_the_seal() -> None:
    doc = _verzegeld()
    doc["data"]["naam"] = "iets anders"
    with pytest.raises(Zegelfout, match="zegel gebroken"):
        CONTROLE.ontvang(_record(doc))


@pytest.mark.parametrize("veld", integriteit.ZEGEL_VELDEN)
def test_an_unsealed_event_is_refused(veld: str) -> None:
    doc = _verzegeld()
    del doc[veld]
    with pytest.raises(Zegelfout, match="niet verzegeld"):
        CONTROLE.ontvang(_record(doc))


def test_a_seal_that_is_no_sha256_is_refused() -> None:
    with pytest.raises(Zegelfout, match="niet verzegeld"):
        CONTROLE.ontvang(_record({**_verzegeld(), "prevhash": "0" * 63}))


def test_an_event_from_another_source_is_refused_even_with_a_good_seal() -> None:
    doc = _herzegel({**_verzegeld(), "source": "urn:nld:oin:1:systeem:indringer"})
    with pytest.raises(Zegelfout, match="onbekende bron"):
        CONTROLE.ontvang(_record(doc))


@pytest.mark.parametrize("positie", [None, "1", 0, True])
def test_a_sealed_event_needs_a_position(positie: object) -> None:
    doc = _herzegel({**_verzegeld(), "position": positie})
    with pytest.raises(Zegelfout, match="positie"):
        CONTROLE.ontvang(_record(doc))


@pytest.mark.parametrize("value", [b"not json", b"[1]", b'{"specversion": "1.0"}', b"\xff{}"])
def test_what_is_no_cloudevent_is_refused(value: bytes) -> None:
    with pytest.raises(Zegelfout, match="ongeldige CloudEvent"):
        CONTROLE.ontvang(_record(value))


def _met_data(data: str) -> bytes:
    """A sealed event whose ``data`` is this JSON text (valid JSON, whatever it holds)."""
    doc = _verzegeld()
    doc["data"] = {"x": "PLEK"}
    return json.dumps(doc).encode().replace(b'"PLEK"', data.encode())


@pytest.mark.parametrize(
    ("data", "waarom"),
    [
        # a lone surrogate: valid JSON, but no UTF-8 text, so nothing to hash
        ('"\\udc80"', "not hashable"),
        # read, but (on this Python) too deep to encode for the hash; or else a broken seal
        ("[" * 990 + "]" * 990, "not hashable|zegel gebroken"),
        ("[" * 100_000 + "]" * 100_000, "not JSON|not hashable"),  # too deep to read
    ],
    ids=["lone surrogate", "deep to encode", "deep to read"],
)
def test_a_record_no_producer_could_seal_is_refused_not_raised(data: str, waarom: str) -> None:
    """Kafka input is untrusted: a record whose content cannot be hashed is refused like any
    forgery (and dead-lettered), not raised past the consumer, which would roll back its batch
    and meet the same record again on every poll."""
    with pytest.raises(Zegelfout, match=waarom):
        CONTROLE.ontvang(_record(_met_data(data)))
