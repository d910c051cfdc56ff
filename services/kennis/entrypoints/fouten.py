"""The kennis service's domain exceptions and the problem each becomes: one table, used by the
app's exception handlers."""

from __future__ import annotations

from services.kennis.domain.model import Conflict, OngeldigeInvoer
from shared.aggregate import NotFound
from shared.privacy import GelijktijdigNieuw

DOMEINFOUTEN: dict[type[Exception], int | tuple[int, str]] = {
    NotFound: 404,
    Conflict: 409,
    GelijktijdigNieuw: 409,
    OngeldigeInvoer: 400,
}
