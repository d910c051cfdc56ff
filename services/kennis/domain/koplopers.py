"""Koplopers (front-runners) derived from facts, on a peildatum: bevoegde gezagen ahead in the
remediation track, organisations that answer many questions from the field, and those who
reported successes (policy innovations) to the platform."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from shared.vocabulaire import AFGEHANDELD, BEVESTIGD_VANAF

MIN_LOCATIES = 3
VOORSPRONG = 10.0  # percentage points above the national share dealt with
MIN_ANTWOORDEN = 2
MIN_SUCCESSEN = 1  # each success reported is a podium (the platform's "podium voor koplopers")


@dataclass(frozen=True)
class Koploper:
    organisatie: str
    redenen: tuple[str, ...]


def standen_op(
    standen: Iterable[tuple[str, date | None, int, str, str]], peildatum: date
) -> list[tuple[str, str]]:
    """(bevoegd gezag, status) of every site on the peildatum, from the statuses it took:
    (site, business date, order of arrival, bevoegd gezag, status). The last one dated up to
    the peildatum counts (a later arrival wins on the same day); one without a date (from
    before they were kept) was taken before any peildatum."""
    laatste: dict[str, tuple[tuple[date, int], str, str]] = {}
    for locatie_id, datum, volgnummer, gezag, status in standen:
        if datum is not None and datum > peildatum:
            continue
        sleutel = (datum or date.min, volgnummer)
        if locatie_id not in laatste or sleutel > laatste[locatie_id][0]:
            laatste[locatie_id] = (sleutel, gezag, status)
    return [(gezag, status) for _, gezag, status in laatste.values()]


def tot_en_met(
    bijdragen: Iterable[tuple[str | None, date | None]], peildatum: date
) -> Counter[str]:
    """Contributions per organisation (organisation, date) up to the peildatum; undated ones
    count always, the programme's own (no organisation) never."""
    return Counter(
        organisatie
        for organisatie, datum in bijdragen
        if organisatie and (datum is None or datum <= peildatum)
    )


def bepaal(
    statussen: list[tuple[str, str]],
    antwoorden: Counter[str],
    successen: Counter[str] | None = None,
) -> list[Koploper]:
    """``statussen``: (bevoegd gezag, status) of every site; ``antwoorden`` and
    ``successen``: answers given and successes reported per organisation. Sorted by
    organisation code."""
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
    for organisatie, aantal in (successen or Counter()).items():
        if aantal >= MIN_SUCCESSEN:
            redenen.setdefault(organisatie, []).append(
                f"vernieuwer: {aantal} {'succes' if aantal == 1 else 'successen'} gemeld"
            )
    return [Koploper(k, tuple(v)) for k, v in sorted(redenen.items())]
