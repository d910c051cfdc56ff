"""Names and free texts as the registry stores them: one rule set for every service's input.

Text reaches reports to parliament, CSV files and other systems, so what is stored must read the
same everywhere: Unicode NFC (the same name typed on two keyboards compares equal), trimmed, and
without characters that change how the text around them looks. Bidi overrides and isolates
(U+202A..U+202E, U+2066..U+2069) and the direction marks make ``evil.exe`` read as ``exe.live``
(the "Trojan Source" trick); control characters break lines and cells. Zero-width joiners and
the like (used inside emoji and some scripts) are left alone.

Use the pydantic types (``Naam``, ``Tekst``, ``OptioneleTekst``) in request schemas; the
functions raise ``ValueError`` with a Dutch reason, which pydantic reports per field.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

RICHTINGSTEKENS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]  # embeddings and overrides
    + [chr(c) for c in range(0x2066, 0x206A)]  # isolates
    + ["\u200e", "\u200f", "\u061c"]  # left-to-right, right-to-left and Arabic letter marks
)
# Line breaks and tabs belong in a free text; in a name they are a mistake.
REGELTEKENS = frozenset("\n\t")


def _controleer(waarde: str, toegestaan: frozenset[str], mag_leeg: bool) -> str:
    tekst = unicodedata.normalize("NFC", waarde.replace("\r\n", "\n")).strip()
    if not tekst and not mag_leeg:
        raise ValueError("mag niet leeg zijn of alleen uit witruimte bestaan")
    for teken in tekst:
        if teken in RICHTINGSTEKENS:
            raise ValueError(f"bevat het richtingsteken U+{ord(teken):04X}")
        soort = unicodedata.category(teken)
        # Cc: control characters; Cs: lone surrogates (JSON can carry them, no database can).
        if soort in ("Cc", "Cs") and teken not in toegestaan:
            raise ValueError(f"bevat het stuurteken U+{ord(teken):04X}")
    return tekst


def naam(waarde: str) -> str:
    """A name or title: one line, not empty."""
    return _controleer(waarde, frozenset(), mag_leeg=False)


def tekst(waarde: str) -> str:
    """A free text: lines and tabs allowed, not empty."""
    return _controleer(waarde, REGELTEKENS, mag_leeg=False)


def optionele_tekst(waarde: str) -> str:
    """A free text that may be left out: the same rules, but empty (or only spaces) is ''."""
    return _controleer(waarde, REGELTEKENS, mag_leeg=True)


Naam = Annotated[str, AfterValidator(naam)]
Tekst = Annotated[str, AfterValidator(tekst)]
OptioneleTekst = Annotated[str, AfterValidator(optionele_tekst)]
