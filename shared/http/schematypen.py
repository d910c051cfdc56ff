"""Types and markers that make the OpenAPI documents say exactly what the server accepts.

- :data:`Datum`: a date as the document says it (``format: date``), and nothing else: pydantic
  would also take a number of seconds since 1970 (``peildatum=0`` as 1970-01-01), which the
  document does not offer, so a typo would answer for another day than asked.
- :func:`domeinregel`: a rule of the domain that JSON Schema cannot say (it depends on today's
  date, on another field, or on the state of a resource). It is written in the field's
  description and, machine-readably, in ``x-domeinregel`` on the field's schema; a request that
  breaks one gets 400 naming that field. The contract test (tests/contract/) holds the server to
  it: a schema-valid request may only be refused with 400 for fields that carry such a rule.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator

DOMEINREGEL = "x-domeinregel"
_ISO_DATUM = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_datum(waarde: Any) -> Any:
    if isinstance(waarde, date) and not isinstance(waarde, datetime):
        return waarde
    if isinstance(waarde, str) and _ISO_DATUM.match(waarde):
        return waarde  # pydantic parses it (and refuses 2013-02-30)
    raise ValueError("verwacht een datum als JJJJ-MM-DD")


Datum = Annotated[date, BeforeValidator(_iso_datum)]


def domeinregel(omschrijving: str) -> dict[str, Any]:
    """``json_schema_extra`` for a field or parameter with a rule JSON Schema cannot say."""
    return {DOMEINREGEL: omschrijving}
