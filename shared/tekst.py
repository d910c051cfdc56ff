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
from collections.abc import Callable
from typing import Annotated

from pydantic import BeforeValidator, Field

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
    if not (tekst.isascii() and tekst.isprintable()):
        # Printable ASCII holds no direction mark (none is ASCII) and no control character
        # (in ASCII exactly the ones isprintable refuses): the common text skips the check per
        # character. A test runs every ASCII character through both.
        controleer_tekens(tekst, toegestaan)
    return tekst


def controleer_tekens(tekst: str, toegestaan: frozenset[str]) -> None:
    """The rule per character: no direction mark, no control character but ``toegestaan``."""
    for teken in tekst:
        if teken in RICHTINGSTEKENS:
            raise ValueError(f"bevat het richtingsteken U+{ord(teken):04X}")
        soort = unicodedata.category(teken)
        # Cc: control characters; Cs: lone surrogates (JSON can carry them, no database can).
        if soort in ("Cc", "Cs") and teken not in toegestaan:
            raise ValueError(f"bevat het stuurteken U+{ord(teken):04X}")


def naam(waarde: str) -> str:
    """A name or title: one line, not empty."""
    return _controleer(waarde, frozenset(), mag_leeg=False)


def tekst(waarde: str) -> str:
    """A free text: lines and tabs allowed, not empty."""
    return _controleer(waarde, REGELTEKENS, mag_leeg=False)


def optionele_tekst(waarde: str) -> str:
    """A free text that may be left out: the same rules, but empty (or only spaces) is ''."""
    return _controleer(waarde, REGELTEKENS, mag_leeg=True)


# The same rules as patterns for the OpenAPI documents (only there: the functions above decide),
# so generated clients and contract tests know them: no control or direction characters (a line
# break and a tab only in free texts, CR only before LF), and something besides white space.
_VERBODEN = r"\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_WIT = (
    r" \t\n\u000b\u000c\r\u001c-\u001f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
)
_REGEL = rf"(?:[^{_VERBODEN}\r]|\r\n)"
NAAM_PATROON = rf"^[^{_VERBODEN}\t\n\r]*[^{_VERBODEN}{_WIT}][^{_VERBODEN}\t\n\r]*$"
TEKST_PATROON = rf"^{_REGEL}*[^{_VERBODEN}{_WIT}]{_REGEL}*$"
OPTIONELE_TEKST_PATROON = rf"^{_REGEL}*$"


def _vooraf(regel: Callable[[str], str]) -> BeforeValidator:
    """``regel`` before the type's own checks, so a field's ``max_length`` counts the text as
    stored: NFC can make a text longer (U+FB2A, excluded from composition, becomes two
    characters; U+FB2C three), and a length checked before it let a name through that its
    column cannot hold (a 500 on PostgreSQL). Anything but a string is left to those checks."""
    return BeforeValidator(lambda waarde: regel(waarde) if isinstance(waarde, str) else waarde)


Naam = Annotated[str, _vooraf(naam), Field(json_schema_extra={"pattern": NAAM_PATROON})]
Tekst = Annotated[str, _vooraf(tekst), Field(json_schema_extra={"pattern": TEKST_PATROON})]
OptioneleTekst = Annotated[
    str,
    _vooraf(optionele_tekst),
    Field(json_schema_extra={"pattern": OPTIONELE_TEKST_PATROON}),
]
