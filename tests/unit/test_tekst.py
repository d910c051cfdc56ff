"""Names and free texts: NFC, trimmed, no bidi or control characters, not empty."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from shared.tekst import Naam, OptioneleTekst, Tekst, naam, optionele_tekst, tekst


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
