"""Site ids in the national format: bevoegd gezag letters + CBS municipality code + number."""

from __future__ import annotations


def maak(bevoegd_gezag: str, gemeentecode: str, nummer: int) -> str:
    if not 0 < nummer < 100_000:
        raise ValueError(f"volgnummer {nummer} past niet in vijf cijfers")
    return f"{bevoegd_gezag}{gemeentecode}{nummer:05d}"
