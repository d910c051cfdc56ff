"""The rapportage service's domain exceptions and the problem each becomes: one table, used by
the app's exception handlers. The reports themselves only read; these are the publications'
refusals."""

from __future__ import annotations

from services.rapportage.adapters.publicaties import GeschondenPublicatie
from services.rapportage.domain.publicaties import (
    AlVervangen,
    OngeldigePublicatie,
    PublicatieNietGevonden,
)
from shared.eventstore import ConcurrencyError

DOMEINFOUTEN: dict[type[Exception], int | tuple[int, str]] = {
    PublicatieNietGevonden: 404,
    AlVervangen: 409,
    OngeldigePublicatie: 400,
    ConcurrencyError: (409, "Tegelijk gepubliceerd: probeer het opnieuw"),
    GeschondenPublicatie: 500,
}
