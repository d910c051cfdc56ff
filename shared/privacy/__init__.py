"""Personal data out of the sealed log: pseudonyms, a per-person encrypted store, erasure."""

from __future__ import annotations

from pathlib import Path

from shared.privacy.store import (
    ACCOUNT,
    ONBEKEND,
    VERWIJDERD,
    GelijktijdigNieuw,
    NieuwePersoon,
    Personen,
    Persoon,
    is_pseudoniem,
)

VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"

__all__ = [
    "ACCOUNT",
    "ONBEKEND",
    "VERSIONS",
    "VERWIJDERD",
    "GelijktijdigNieuw",
    "NieuwePersoon",
    "Personen",
    "Persoon",
    "is_pseudoniem",
]
