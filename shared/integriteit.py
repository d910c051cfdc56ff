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
import math
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


def lees_json(raw: bytes) -> Any:
    """Parse UTF-8 JSON as ``json.loads`` does, mostly with orjson. orjson reads an integer of
    more than 64 bits as a float (which would change the hash) and refuses NaN and infinities:
    an integer of 19 digits or more, or a refusal, sends the document to the standard
    library."""
    if _groot_getal(raw) or raw.lstrip()[:1] in _BEGIN_GETAL:
        return json.loads(raw.decode())
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw.decode())


def _groot_getal(raw: bytes) -> bool:
    # C-speed translate and find; Python only at a hit, to see where it ends (the OIN in every
    # event's ``source`` is one, and goes on with ':'). A regular expression doing both scans
    # several times slower.
    tekens = raw.translate(_GETAL_VORM)
    j = tekens.find(_LANG)
    while j != -1:
        rest = tekens[j + 1 : j + 65]
        cijfers = len(rest) - len(rest.lstrip(b"0"))
        if cijfers == len(rest):  # 64 digits or more, or up to the end: take the slow path
            return True
        if raw[j + 1 + cijfers] in _EINDE_GETAL:
            return True
        j = tekens.find(_LANG, j + 1 + cijfers)
    return False


def canoniek(inhoud: dict[str, Any]) -> bytes:
    """The canonical JSON the hash is defined over: sorted keys, no whitespace, UTF-8."""
    return json.dumps(inhoud, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def canoniek_snel(inhoud: dict[str, Any]) -> bytes:
    """:func:`canoniek`, byte for byte, several times faster: orjson writes the same bytes for
    everything JSON holds except some floats (and integers beyond 64 bits, which it refuses);
    those take the definition's own path, and so does anything that is not plain JSON data."""
    try:
        snel = orjson.dumps(inhoud, option=_ALLEEN_JSON)
    except orjson.JSONEncodeError:
        return canoniek(inhoud)
    if _misschien_anders(snel) or (b"null" in snel and _niet_eindig(inhoud)):
        return canoniek(inhoud)
    return snel


def _niet_eindig(waarde: Any) -> bool:
    """Whether a NaN or infinity is in it: orjson writes those as ``null``, ``json`` as
    ``NaN`` / ``Infinity``. Only looked for when orjson wrote a ``null``."""
    if isinstance(waarde, float):
        return not math.isfinite(waarde)
    if isinstance(waarde, dict):
        return any(_niet_eindig(v) for v in waarde.values())
    if isinstance(waarde, list | tuple):
        return any(_niet_eindig(v) for v in waarde)
    return False


_ALLEEN_JSON = (
    orjson.OPT_SORT_KEYS
    | orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)
# In ``_EXPONENT_VORM`` every digit and '.' becomes '0', '+' becomes '-' and what may precede a
# number (':', ',', '[') becomes '#': an exponent of a number then reads "#0...0e-" or
# "#-0...0e-".
_EXPONENT_VORM = bytes.maketrans(b"123456789.+:,[", b"0000000000-###")
# A number of 19 digits or more: inside an object or array a number follows ':', ',', '[' or
# whitespace (then perhaps a minus), and an integer ends at ',', '}', ']' or whitespace. In
# ``_GETAL_VORM`` those all become '#' and every digit '0'. Digits inside a string that look
# like one only cost the slow path. A document that is a bare number always takes it.
_GETAL_VORM = bytes.maketrans(b"123456789:,[- \t\r\n", b"000000000########")
_LANG = b"#" + b"0" * 19
_EINDE_GETAL = frozenset(b",}] \t\r\n")
_BEGIN_GETAL = frozenset(bytes([c]) for c in b"-0123456789")


def _misschien_anders(snel: bytes) -> bool:
    """Whether orjson's bytes may hold a float ``json`` writes differently. Below 1e-4 ``json``
    writes an exponent ("1e-05") where orjson writes "0.00001", and orjson's exponents may have
    one digit ("1e-7" against "1e-07"); every other float is written alike. So: any "0.0000",
    and any exponent of a number (digits, then e- or e+, after ':', ',', '[' or a minus sign).
    A string that merely looks like one costs the slow path, nothing else. This runs for every
    event an auditor checks: C-speed ``translate`` and ``in`` first, Python only on a hit."""
    if b"0.0000" in snel:
        return True
    vorm = snel.translate(_EXPONENT_VORM)
    j = vorm.find(b"0e-")
    while j != -1:
        # the digits before the e (at most 24 in any float's shortest form), then what precedes
        voor = vorm[max(0, j - 32) : j + 1].rstrip(b"0")
        if voor.endswith((b"#", b"#-")):
            return True
        j = vorm.find(b"0e-", j + 3)
    return False


def lees_met_hash(raw: bytes) -> tuple[dict[str, Any], str]:
    """One line of an exported log, read as :func:`lees_json` reads it, and the hash of its
    content by the definition: ``(event, event_hash(event))``, the event without the transport
    attributes (``source``, ``specversion``, ``datacontenttype``; ``hash`` is kept). For the
    verifier's workers, faster than the two apart: orjson parses and encodes, and only where its
    bytes may differ from the definition's does the line take the standard library's path. That
    test runs on the encoded content, not the raw line: orjson reads an integer beyond 64 bits as
    a float, and it writes every float of that size with an exponent, which
    :func:`_misschien_anders` sees; NaN and infinities orjson refuses to read."""
    try:
        ev = orjson.loads(raw)
    except orjson.JSONDecodeError:
        ev = None
    if type(ev) is dict:
        pop = ev.pop
        pop("source", None)
        pop("specversion", None)
        pop("datacontenttype", None)
        zegel = pop("hash", _GEEN)
        if zegel is _GEEN or type(zegel) is str:
            try:
                snel = orjson.dumps(ev, option=_ALLEEN_JSON)
            except orjson.JSONEncodeError:  # pragma: no cover - parsed JSON always encodes
                snel = b"0e-"
            if not _misschien_anders(snel):
                if zegel is not _GEEN:
                    ev["hash"] = zegel
                return ev, _sha256(snel).hexdigest()
    # the definition's own path: the standard library reads and encodes
    ev = json.loads(raw.decode())
    if not isinstance(ev, dict):
        raise ValueError("een regel is geen JSON-object")
    for veld in ("source", "specversion", "datacontenttype"):
        ev.pop(veld, None)
    inhoud = dict(ev)
    inhoud.pop("hash", None)
    return ev, hashlib.sha256(canoniek(inhoud)).hexdigest()


_GEEN = object()
_sha256 = hashlib.sha256


def event_hash(cloudevent: dict[str, Any]) -> str:
    """The hash of an event given as a CloudEvent dict that includes ``prevhash`` and
    ``streamprevhash``; any ``hash`` attribute in it is ignored."""
    snel = _hash_met_data_apart(cloudevent)
    if snel is not None:
        return snel
    inhoud = dict(cloudevent)
    for veld in NIET_GEHASHT:
        inhoud.pop(veld, None)
    return inhoud_hash(inhoud)


def _hash_met_data_apart(cloudevent: dict[str, Any]) -> str | None:
    """:func:`event_hash` for the usual event, or None. Only ``data`` can hold what orjson
    writes otherwise than the definition (floats, integers beyond 64 bits, NaN): the other
    attributes are texts and integers, which both write alike. So only ``data``'s bytes are
    searched for those (the search over the whole document cost more than its encoding) and go
    into the document as they are. An attribute of any other type, or ``data`` that may differ,
    gives None. ``data`` must be an object: the search knows a number by what precedes it."""
    gecodeerd = data_canoniek(cloudevent.get("data"))
    if gecodeerd is None:
        return None
    inhoud: dict[str, Any] = {}
    for veld, waarde in cloudevent.items():
        if veld in _NIET_GEHASHT_OF_DATA:
            continue
        soort = type(waarde)
        if soort is not str and (soort is not int or not _MIN_INT <= waarde <= _MAX_INT):
            return None
        inhoud[veld] = waarde
    inhoud["data"] = orjson.Fragment(gecodeerd)  # written as it is: its keys are sorted
    try:
        return _sha256(orjson.dumps(inhoud, option=orjson.OPT_SORT_KEYS)).hexdigest()
    except orjson.JSONEncodeError:  # a text that is not UTF-8 (a lone surrogate)
        return None


def data_canoniek(data: Any) -> bytes | None:
    """An event's ``data`` as the hash's definition writes it (sorted keys), when orjson writes
    it so, else None: ``data`` that is not an object (the search for what orjson writes
    otherwise knows a number by what precedes it), or that holds what orjson writes otherwise
    or refuses (some floats, integers beyond 64 bits, NaN and infinities)."""
    if type(data) is not dict:
        return None
    try:
        gecodeerd = orjson.dumps(data, option=_ALLEEN_JSON)
    except orjson.JSONEncodeError:
        return None
    if _misschien_anders(gecodeerd) or (b"null" in gecodeerd and _niet_eindig(data)):
        return None
    return gecodeerd


_NIET_GEHASHT_OF_DATA = frozenset((*NIET_GEHASHT, "data"))
_MIN_INT, _MAX_INT = -(2**63), 2**63 - 1


def inhoud_hash(inhoud: dict[str, Any]) -> str:
    """:func:`event_hash` of a CloudEvent dict without the attributes it does not cover (for a
    caller that owns the dict and removed them itself, saving the copy)."""
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
