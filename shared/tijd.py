"""Business time (peildatum) and record time (kennisdatum): the two time axes of every read."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta


def begin_van(datum: date) -> datetime:
    """The business time of something that happened on ``datum``: the start of that day (UTC)."""
    return datetime.combine(datum, time(0), tzinfo=UTC)


def kennismoment(kennisdatum: date) -> datetime:
    """The end of the kennisdatum (UTC): what was recorded before it was known on that day."""
    return datetime.combine(kennisdatum + timedelta(days=1), time(0), tzinfo=UTC)


def controleer_tijdreis(peildatum: date | None, kennisdatum: date | None) -> None:
    """Raise ValueError("<parameter>: <reason>") for an impossible combination."""
    vandaag = datetime.now(UTC).date()
    if peildatum is not None and peildatum > vandaag:
        raise ValueError(f"peildatum: {peildatum} ligt in de toekomst")
    if kennisdatum is not None and kennisdatum > vandaag:
        raise ValueError(f"kennisdatum: {kennisdatum} ligt in de toekomst")
    if peildatum is not None and kennisdatum is not None and peildatum > kennisdatum:
        raise ValueError(
            f"peildatum: {peildatum} ligt na de kennisdatum {kennisdatum}; wat "
            "daarna gebeurde kon toen niet bekend zijn"
        )
