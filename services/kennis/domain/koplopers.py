"""Koplopers (front-runners) derived from facts: bevoegde gezagen ahead in the remediation
track, and organisations that answer many questions from the field."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from shared.vocabulaire import AFGEHANDELD, BEVESTIGD_VANAF

MIN_LOCATIES = 3
VOORSPRONG = 10.0  # percentage points above the national share dealt with
MIN_ANTWOORDEN = 2


@dataclass(frozen=True)
class Koploper:
    organisatie: str
    redenen: tuple[str, ...]


def bepaal(statussen: list[tuple[str, str]], antwoorden: Counter[str]) -> list[Koploper]:
    """``statussen``: (bevoegd gezag, status) of every site; ``antwoorden``: answers given per
    organisation. Sorted by organisation code."""
    bevestigd: Counter[str] = Counter()
    afgehandeld: Counter[str] = Counter()
    for gezag, status in statussen:
        if status in BEVESTIGD_VANAF:
            bevestigd[gezag] += 1
            afgehandeld[gezag] += status in AFGEHANDELD
    landelijk = 100 * sum(afgehandeld.values()) / max(1, sum(bevestigd.values()))
    redenen: dict[str, list[str]] = {}
    for gezag, n in bevestigd.items():
        aandeel = 100 * afgehandeld[gezag] / n
        if n >= MIN_LOCATIES and aandeel >= landelijk + VOORSPRONG:
            redenen.setdefault(gezag, []).append(
                f"voorop in de sanering: {aandeel:.0f}% van {n} spoedlocaties afgehandeld, "
                f"landelijk {landelijk:.0f}%"
            )
    for organisatie, aantal in antwoorden.items():
        if aantal >= MIN_ANTWOORDEN:
            redenen.setdefault(organisatie, []).append(
                f"actieve beantwoorder: {aantal} antwoorden op vragen uit het veld"
            )
    return [Koploper(k, tuple(v)) for k, v in sorted(redenen.items())]
