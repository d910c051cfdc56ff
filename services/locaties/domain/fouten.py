"""What the rules of the domain refuse; the API answers them as problems (400, 409)."""

from __future__ import annotations

from shared.vocabulaire import TRANSITIES, Status


class DomeinFout(Exception):
    """A command that the rules of the domain refuse."""


class OngeldigeTransitie(DomeinFout):
    def __init__(self, van: Status, naar: Status) -> None:
        toegestaan = sorted(TRANSITIES[van])
        wat = ", ".join(toegestaan) if toegestaan else "geen: dit is een eindstatus"
        super().__init__(
            f"Van status '{van}' kan een locatie niet naar '{naar}'. "
            f"Toegestaan vanaf '{van}': {wat}."
        )
        self.van = van
        self.naar = naar
        self.toegestaan = toegestaan


class OngeldigeWaarde(DomeinFout):
    def __init__(self, veld: str, reden: str) -> None:
        super().__init__(f"{veld}: {reden}")
        self.veld = veld
        self.reden = reden
