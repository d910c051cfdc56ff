"""Every municipality a site can be registered in has its name in the code list."""

from __future__ import annotations

from shared import gemeenten
from shared.bevoegde_gezagen import BEVOEGDE_GEZAGEN


def test_every_municipality_of_the_bevoegde_gezagen_has_a_name() -> None:
    codes = {c for b in BEVOEGDE_GEZAGEN for c in b.gemeentecodes}
    assert codes - gemeenten.GEMEENTEN.keys() == set()
    assert set(gemeenten.GEMEENTEN) == codes, "only the municipalities the data uses"


def test_the_gemeente_bevoegd_gezag_carries_its_own_municipalitys_name() -> None:
    for b in BEVOEGDE_GEZAGEN:
        if b.soort == "gemeente":
            assert b.naam == f"Gemeente {gemeenten.naam(b.gemeentecodes[0])}", b
