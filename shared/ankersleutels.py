"""The anchor keys: Ed25519 key pairs that sign the log's anchors, their key ids and JWK sets.

A key id (``kid``, written in every anchor as ``sleutelId``) is the RFC 7638 JWK thumbprint of
the public key, so anyone holding the public key can compute it. The public keys are served as a
JWK set (OKP/Ed25519 JWKs, RFC 8037): the current signing key and the retired ones. A retired key
signs nothing new but stays in the set, so anchors signed before a rotation stay verifiable.

Key files: the current private key as PEM (``BODEMREGIE_ANKER_SLEUTEL``); retired public keys as
PEM, JWK or JWK set files, or a directory of them (``BODEMREGIE_ANKER_OUDE_SLEUTELS``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from shared import integriteit as i

PRIVE = "anker.pem"
PUBLIEK = "anker.pub.pem"
OUD = "oud"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw(publiek: Ed25519PublicKey) -> bytes:
    return publiek.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def sleutel_id(publiek: Ed25519PublicKey) -> str:
    """The RFC 7638 thumbprint: sha256 over the required members in lexicographic order."""
    leden = {"crv": "Ed25519", "kty": "OKP", "x": _b64url(_raw(publiek))}
    canoniek = json.dumps(leden, sort_keys=True, separators=(",", ":"))
    return _b64url(hashlib.sha256(canoniek.encode()).digest())


def als_jwk(publiek: Ed25519PublicKey) -> dict[str, str]:
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": _b64url(_raw(publiek)),
        "kid": sleutel_id(publiek),
        "alg": "EdDSA",
        "use": "sig",
    }


def uit_jwk(jwk: dict[str, Any]) -> Ed25519PublicKey:
    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519" or not isinstance(jwk.get("x"), str):
        raise ValueError("een ankersleutel is een OKP-JWK met crv Ed25519 en x")
    x = str(jwk["x"])
    publiek = Ed25519PublicKey.from_public_bytes(base64.urlsafe_b64decode(x + "=" * (-len(x) % 4)))
    if "kid" in jwk and jwk["kid"] != sleutel_id(publiek):
        raise ValueError(f"kid {jwk['kid']} is niet de thumbprint van de sleutel")
    return publiek


@dataclass(frozen=True)
class Sleutelset:
    """Public anchor keys by key id."""

    sleutels: dict[str, Ed25519PublicKey]

    @classmethod
    def van(cls, sleutels: Iterable[Ed25519PublicKey]) -> Sleutelset:
        return cls({sleutel_id(s): s for s in sleutels})

    def kies(self, kid: str | None) -> Ed25519PublicKey | None:
        """The key an anchor names. A set of one key also checks anchors that name another id
        (or none): the signature then decides, as a single key did before key ids."""
        if kid is not None and kid in self.sleutels:
            return self.sleutels[kid]
        if len(self.sleutels) == 1:
            return next(iter(self.sleutels.values()))
        return None

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [als_jwk(s) for s in self.sleutels.values()]}

    def __iter__(self) -> Iterator[str]:
        return iter(self.sleutels)

    def __len__(self) -> int:
        return len(self.sleutels)


def _uit_bytes(data: bytes) -> list[Ed25519PublicKey]:
    """Public keys from a PEM (public or private key), a JWK or a JWK set."""
    tekst = data.strip()
    if tekst.startswith(b"-----BEGIN"):
        if b"PRIVATE KEY" in tekst:
            return [i.laad_privesleutel(tekst).public_key()]
        return [i.laad_publieke_sleutel(tekst)]
    try:
        doc = json.loads(tekst)
    except ValueError as exc:
        raise ValueError("geen PEM, JWK of JWK-set") from exc
    if isinstance(doc, dict) and isinstance(doc.get("keys"), list):
        return [uit_jwk(k) for k in doc["keys"]]
    if isinstance(doc, dict):
        return [uit_jwk(doc)]
    raise ValueError("geen PEM, JWK of JWK-set")


def laad(bron: str, timeout: float = 10.0) -> Sleutelset:
    """A key set from a file (PEM, JWK or JWK set), a directory of such files, or a URL that
    serves a JWK set (e.g. ``http://localhost:8001/v1/ankersleutels``)."""
    if bron.startswith(("http://", "https://")):
        antwoord = httpx.get(bron, timeout=timeout)
        antwoord.raise_for_status()
        return Sleutelset.van(_uit_bytes(antwoord.content))
    return Sleutelset.van(_bestanden(Path(bron)))


def _bestanden(pad: Path) -> list[Ed25519PublicKey]:
    if pad.is_dir():
        return [
            s
            for f in sorted(pad.iterdir())
            if f.suffix in (".pem", ".json", ".jwk", ".jwks")
            for s in _uit_bytes(f.read_bytes())
        ]
    return _uit_bytes(pad.read_bytes())


def gediend(anker_sleutel: str, oude_sleutels: str) -> Sleutelset:
    """What a service serves: the public part of its signing key and every retired key
    (``oude_sleutels``: comma-separated files or directories)."""
    sleutels: list[Ed25519PublicKey] = []
    if anker_sleutel:
        sleutels.append(i.laad_privesleutel(Path(anker_sleutel).read_bytes()).public_key())
    for deel in filter(None, (p.strip() for p in oude_sleutels.split(","))):
        sleutels.extend(_bestanden(Path(deel)))
    return Sleutelset.van(sleutels)


def _schrijf_paar(map_: Path) -> Ed25519PrivateKey:
    prive_pem, publiek_pem = i.nieuwe_sleutel()
    map_.mkdir(parents=True, exist_ok=True)
    prive = map_ / PRIVE
    # Created with mode 0600 from the start: never readable by others, not even briefly.
    fd = os.open(prive, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(prive_pem)
    prive.chmod(0o600)
    (map_ / PUBLIEK).write_bytes(publiek_pem)
    return i.laad_privesleutel(prive_pem)


def maak_paar(map_: Path) -> Path:
    """A new key pair in ``map_`` (``anker.pem`` 0600 and ``anker.pub.pem``)."""
    _schrijf_paar(map_)
    return map_ / PRIVE


def ontwikkelsleutel(map_: Path) -> Path:
    """The development signing key under ``map_``, made on first use; returns its path."""
    if not (map_ / PRIVE).exists():
        _schrijf_paar(map_)
    return map_ / PRIVE


def roteer(map_: Path) -> tuple[str, str]:
    """Retire the current key (its public key moves to ``oud/<kid>.pub.pem``, still served)
    and make a new one; returns (old kid, new kid)."""
    huidige = i.laad_privesleutel((map_ / PRIVE).read_bytes()).public_key()
    oud_kid = sleutel_id(huidige)
    (map_ / OUD).mkdir(parents=True, exist_ok=True)
    (map_ / OUD / f"{oud_kid}.pub.pem").write_bytes(
        huidige.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    nieuw = _schrijf_paar(map_)
    return oud_kid, sleutel_id(nieuw.public_key())
