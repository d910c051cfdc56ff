"""Tamper evidence for the event log: hash chains, Merkle anchors, Ed25519 signatures.

Every event's hash covers its CloudEvent content (id, type, subject, time, sequence, data and the
extensions, not the transport attributes ``source``, ``specversion`` and ``datacontenttype``),
the hash of the previous event in the whole log (``prevhash``) and of the previous event of the
same stream (``streamprevhash``). Changing, inserting, deleting or reordering any event breaks the
chain from that event on. Periodically an *anchor* is recorded as an event: the Merkle root over
the hashes of the events since the previous anchor, chained with that anchor's root (so it
commits to everything up to its position), optionally signed with Ed25519. Rewriting history
consistently (recomputing every later hash) then still fails the signed anchors, which only the
holder of the private key can make; verification needs only the public key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

NUL = "0" * 64
ANKER_TYPE = "logboek-verankerd"
ANKER_STREAM = "logboek-ankers"
ANKER_STREAM_TYPE = "logboek"
ZEGEL_VELDEN = ("hash", "prevhash", "streamprevhash")
NIET_GEHASHT = {"source", "specversion", "datacontenttype", "hash"}


# A number that orjson may write differently from ``json``: below 1e-4 ``json`` switches to an
# exponent ("1e-05") where orjson writes "0.00001", and orjson's small exponents have one digit
# ("1e-7" against "1e-07"). In compact JSON every number follows ':', ',' or '['. A string that
# happens to match only costs the slow path.
_ANDERS_GESCHREVEN = re.compile(rb"[:,\[]-?(?:0\.0000|\d+(?:\.\d+)?[eE])")


def canoniek(inhoud: dict[str, Any]) -> bytes:
    """The canonical JSON the hash is defined over: sorted keys, no whitespace, UTF-8."""
    return json.dumps(inhoud, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canoniek_snel(inhoud: dict[str, Any]) -> bytes:
    """:func:`canoniek`, byte for byte, about ten times faster: orjson writes the same bytes
    for everything JSON holds except some floats (and integers beyond 64 bits, which it
    refuses); those take the definition's own path."""
    try:
        snel = orjson.dumps(inhoud, option=orjson.OPT_SORT_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return canoniek(inhoud)
    return canoniek(inhoud) if _ANDERS_GESCHREVEN.search(snel) else snel


def event_hash(cloudevent: dict[str, Any]) -> str:
    """The hash of an event given as a CloudEvent dict that includes ``prevhash`` and
    ``streamprevhash``; any ``hash`` attribute in it is ignored."""
    inhoud = {k: v for k, v in cloudevent.items() if k not in NIET_GEHASHT}
    return hashlib.sha256(canoniek_snel(inhoud)).hexdigest()


def merkle_root(hashes: Sequence[str]) -> str:
    """Root over hex leaf hashes in order; an odd node is paired with itself."""
    if not hashes:
        return NUL
    laag = [bytes.fromhex(h) for h in hashes]
    while len(laag) > 1:
        if len(laag) % 2:
            laag.append(laag[-1])
        laag = [hashlib.sha256(laag[i] + laag[i + 1]).digest() for i in range(0, len(laag), 2)]
    return laag[0].hex()


def anker_root(vorige_root: str, hashes: Sequence[str]) -> str:
    """An anchor's root: the previous anchor's root chained with the Merkle root of the events
    since then, so each anchor commits to the whole log while hashing only what is new."""
    return hashlib.sha256(
        bytes.fromhex(vorige_root) + bytes.fromhex(merkle_root(hashes))
    ).hexdigest()


def anker_bericht(tot_en_met: int, root: str) -> bytes:
    return f"bodemregie-anker:{tot_en_met}:{root}".encode()


def laad_privesleutel(pem: bytes) -> Ed25519PrivateKey:
    sleutel = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(sleutel, Ed25519PrivateKey):
        raise ValueError("de ankersleutel moet een Ed25519-sleutel zijn")
    return sleutel


def laad_publieke_sleutel(pem: bytes) -> Ed25519PublicKey:
    sleutel = serialization.load_pem_public_key(pem)
    if not isinstance(sleutel, Ed25519PublicKey):
        raise ValueError("de publieke sleutel moet een Ed25519-sleutel zijn")
    return sleutel


def sleutel_id(publiek: Ed25519PublicKey) -> str:
    raw = publiek.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def onderteken(sleutel: Ed25519PrivateKey, tot_en_met: int, root: str) -> str:
    return base64.b64encode(sleutel.sign(anker_bericht(tot_en_met, root))).decode()


def handtekening_klopt(
    publiek: Ed25519PublicKey, tot_en_met: int, root: str, handtekening: str
) -> bool:
    try:
        publiek.verify(base64.b64decode(handtekening), anker_bericht(tot_en_met, root))
    except (InvalidSignature, ValueError):
        return False
    return True


def nieuwe_sleutel() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as (private PEM, public PEM)."""
    sleutel = Ed25519PrivateKey.generate()
    prive = sleutel.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    publiek = sleutel.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return prive, publiek
