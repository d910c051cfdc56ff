"""The README's description of the import's lines names every ``soort`` the import takes (it
once left out ``planningen``), and no other."""

from __future__ import annotations

import re
from pathlib import Path

from services.locaties.entrypoints.routes_import import Soort

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_lists_every_kind_of_import_line() -> None:
    tekst = README.read_text(encoding="utf-8")
    blok = re.search(r"- `soort` is `registratie` .*?\);", tekst, re.S)
    assert blok, "README.md no longer describes the import's `soort`"
    genoemd = set(re.findall(r"`([a-z]+)`", blok.group(0))) - {"soort"}
    assert genoemd == set(Soort.__args__)  # type: ignore[attr-defined]
