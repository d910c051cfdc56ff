"""Names and free texts: NFC, trimmed, no bidi or control characters, not empty."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from functools import partial

import pytest
from pydantic import BaseModel, Field, ValidationError

from shared.tekst import (
    REGELTEKENS,
    Naam,
    OptioneleTekst,
    Tekst,
    controleer_tekens,
    naam,
    optionele_tekst,
    tekst,
)


class Vorm(BaseModel):
    naam: Naam
    tekst: Tekst
    opmerking: OptioneleTekst = ""


def test_names_are_normalised_to_nfc_and_trimmed() -> None:
    assert naam("  Goude\u0301 \n") == "Goud\u00e9"
    assert tekst("regel een\r\nregel twee\t(tab)") == "regel een\nregel twee\t(tab)"
    assert optionele_tekst("   ") == ""
    # Zero-width joiners belong to emoji and scripts; only direction controls are refused.
    assert naam("Team 👩\u200d🔬") == "Team 👩\u200d🔬"


@pytest.mark.parametrize(
    "waarde",
    [
        "",
        "   ",
        "\u00a0\t",
        "abc\u202edef",  # right-to-left override
        "\u2067abc\u2069",  # right-to-left isolate
        "abc\u200f",  # right-to-left mark
        "a\x00b",
        "a\x1bb",  # escape
        "a\ud800b",  # lone surrogate
        "regel\nregel",  # a line break in a name
    ],
)
def test_names_with_control_or_bidi_characters_or_nothing_in_them_are_refused(
    waarde: str,
) -> None:
    with pytest.raises(ValueError):
        naam(waarde)


def test_the_pydantic_types_report_the_field() -> None:
    with pytest.raises(ValidationError) as exc:
        Vorm.model_validate({"naam": "x\u202ey", "tekst": " ", "opmerking": "\u2066"})
    assert {e["loc"][0] for e in exc.value.errors()} == {"naam", "tekst", "opmerking"}
    assert Vorm.model_validate({"naam": " a ", "tekst": "b\n"}).model_dump() == {
        "naam": "a",
        "tekst": "b",
        "opmerking": "",
    }


def _oordeel(controle: Callable[[str], object], waarde: str) -> str | None:
    """Why ``controle`` refuses ``waarde`` (its message), or None when it accepts it."""
    try:
        controle(waarde)
    except ValueError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("plek", ["{}", "a{}b", "Locatie {} 12"])
def test_every_ascii_character_gets_the_same_verdict_as_the_character_rule(plek: str) -> None:
    """Printable ASCII skips the check per character; every ASCII character, alone and amid
    text, in a name and in a free text, is accepted or refused (with the same reason) as that
    check says of the trimmed text (ASCII is its own NFC)."""
    for code in range(128):
        waarde = plek.format(chr(code))
        for controle, toegestaan in ((naam, frozenset[str]()), (tekst, REGELTEKENS)):
            gekregen = _oordeel(controle, waarde)
            if not waarde.strip():
                assert gekregen is not None and "leeg" in gekregen
                continue
            per_teken = partial(controleer_tekens, toegestaan=toegestaan)
            verwacht = _oordeel(per_teken, waarde.replace("\r\n", "\n").strip())
            assert gekregen == verwacht, (code, plek, controle.__name__)


class Begrensd(BaseModel):
    naam: Naam = Field(min_length=1, max_length=200)
    opmerking: OptioneleTekst = Field("", max_length=10)


def test_a_field_s_length_counts_the_text_as_stored() -> None:
    """NFC makes U+FB2A two characters: 200 of them are a name of 400, more than the field (and
    its column) holds; white space trimmed off does not count; a non-text stays refused."""
    assert len(unicodedata.normalize("NFC", "\ufb2a")) == 2
    with pytest.raises(ValidationError) as exc:
        Begrensd.model_validate({"naam": "\ufb2a" * 200})
    assert [e["type"] for e in exc.value.errors()] == ["string_too_long"]
    assert Begrensd.model_validate({"naam": "\ufb2a" * 100}).naam == "\u05e9\u05c1" * 100
    assert (
        Begrensd.model_validate({"naam": f"  {'a' * 200}  ", "opmerking": " x "}).naam == "a" * 200
    )
    with pytest.raises(ValidationError) as exc:
        Begrensd.model_validate({"naam": 5})
    assert [e["type"] for e in exc.value.errors()] == ["string_type"]
