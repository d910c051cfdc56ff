"""A registered spoedlocatie for the domain's unit tests (no I/O)."""

from __future__ import annotations

from datetime import date

from services.locaties.domain.model import Spoedlocatie


def nieuwe_locatie() -> Spoedlocatie:
    """Gasfabriek ZH051300001, registered on 4 Jan 2010 (version 1)."""
    return Spoedlocatie.registreer(
        "ZH051300001",
        "ZH",
        "0513",
        "Gasfabriek",
        "landbodem",
        ("pak",),
        None,
        date(2010, 1, 4),
    )
