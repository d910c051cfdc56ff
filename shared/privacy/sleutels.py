"""The cryptography of the person store: keyed lookups, per-person keys, AES-GCM.

One server secret yields two keys (HKDF with a label each): the *lookup key*, an HMAC over the
normalised login, so the table can find a person by login without holding the login; and the
*wrapping key*, which encrypts every per-person key at rest, so a copy of the database alone
reveals nothing. Personal details are encrypted with the person's own key (AES-256-GCM, with
the pseudonym and the record name as associated data, so a ciphertext cannot be moved to
another person or record). Destroying a person's key makes every copy of their details
unreadable, backups included: crypto-shredding.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

NONCE_BYTES = 12
KEY_BYTES = 32


class OntsleutelFout(Exception):
    """A ciphertext does not open with this key: wrong key, wrong person or tampered."""


def normaliseer(login: str) -> str:
    """Logins and contact addresses compare without regard to case or surrounding spaces (an
    expert's contact address is the login they answer with)."""
    return login.strip().lower()


def _afgeleid(geheim: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=label).derive(geheim)


@dataclass(frozen=True)
class Sleutelring:
    """The two keys derived from the server secret."""

    zoeksleutel: bytes
    omhulsleutel: bytes

    @classmethod
    def uit_geheim(cls, geheim: bytes) -> Sleutelring:
        if len(geheim) < 16:
            raise ValueError("het privacygeheim is te kort (minstens 16 bytes)")
        return cls(
            _afgeleid(geheim, b"bodemregie-privacy-zoeksleutel"),
            _afgeleid(geheim, b"bodemregie-privacy-omhulsleutel"),
        )

    def zoekwaarde(self, login: str) -> str:
        """The keyed lookup of a login: stable for the same login, unguessable without the
        secret (a plain hash of an e-mail address is reversed by trying addresses)."""
        return hmac.new(self.zoeksleutel, normaliseer(login).encode(), hashlib.sha256).hexdigest()

    def omhul(self, pseudoniem: str, persoonsleutel: bytes) -> bytes:
        return versleutel(self.omhulsleutel, persoonsleutel, f"sleutel:{pseudoniem}")

    def onthul(self, pseudoniem: str, omhuld: bytes) -> bytes:
        return ontsleutel(self.omhulsleutel, omhuld, f"sleutel:{pseudoniem}")


def nieuwe_sleutel() -> bytes:
    return AESGCM.generate_key(bit_length=KEY_BYTES * 8)


def versleutel(sleutel: bytes, klaartekst: bytes, context: str) -> bytes:
    """nonce || ciphertext-with-tag; ``context`` is authenticated, not stored."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(sleutel).encrypt(nonce, klaartekst, context.encode())


def ontsleutel(sleutel: bytes, blob: bytes, context: str) -> bytes:
    try:
        return AESGCM(sleutel).decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context.encode())
    except Exception as exc:  # InvalidTag, or a blob too short to hold a tag
        raise OntsleutelFout(context) from exc


def versleutel_gegevens(
    sleutel: bytes, pseudoniem: str, ref: str, gegevens: dict[str, Any]
) -> bytes:
    inhoud = json.dumps(gegevens, sort_keys=True, ensure_ascii=False).encode()
    return versleutel(sleutel, inhoud, f"gegevens:{pseudoniem}:{ref}")


def ontsleutel_gegevens(sleutel: bytes, pseudoniem: str, ref: str, blob: bytes) -> dict[str, Any]:
    gegevens: dict[str, Any] = json.loads(ontsleutel(sleutel, blob, f"gegevens:{pseudoniem}:{ref}"))
    return gegevens
