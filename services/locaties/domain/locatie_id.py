"""Site ids in the national format: bevoegd gezag letters + CBS municipality code + number."""

from __future__ import annotations

import re

PATROON = re.compile(r"^(?P<bg>[A-Z]{2})(?P<gemeente>\d{4})(?P<nummer>\d{5})$")


def maak(bevoegd_gezag: str, gemeentecode: str, nummer: int) -> str:
    if not 0 < nummer < 100_000:
        raise ValueError(f"volgnummer {nummer} past niet in vijf cijfers")
    return f"{bevoegd_gezag}{gemeentecode}{nummer:05d}"


def is_geldig(locatie_id: str) -> bool:
    return PATROON.match(locatie_id) is not None
