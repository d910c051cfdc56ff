"""Typed corrections: a corrected value passes the request schema of the command that recorded
the event it corrects.

The correction is merged into that event's other values and the whole is validated by the
command's own schema, so there is one set of rules for a value however it arrives (a name is
normalised, a date lies between 1987 and today, a geometry is valid and Dutch). The domain then
checks that the corrected history still keeps every rule of the lifecycle and of the money
(``Spoedlocatie.corrigeer``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError
from pydantic.alias_generators import to_camel, to_snake

from services.locaties.domain.events import (
    BudgetToegekend,
    KnelpuntVastgesteld,
    KostenGeboekt,
    RisicoBeoordeeld,
    SpoedlocatieGeregistreerd,
    StatusGewijzigd,
    registry,
)
from services.locaties.domain.geometrie import OngeldigeGeometrie, naar_rd
from services.locaties.domain.model import CORRIGEERBAAR, OngeldigeWaarde
from services.locaties.entrypoints import schemas
from shared.http.problems import InvalidParam, ProblemError

# The request schema of the command that records each kind of event.
SCHEMA: dict[type[Any], type[schemas.Model]] = {
    SpoedlocatieGeregistreerd: schemas.NieuweSpoedlocatie,
    StatusGewijzigd: schemas.Statuswijziging,
    RisicoBeoordeeld: schemas.Risicobeoordeling,
    KnelpuntVastgesteld: schemas.KnelpuntIn,
    BudgetToegekend: schemas.Budgettoekenning,
    KostenGeboekt: schemas.Kostenboeking,
}


def _ongeldig(detail: str, params: list[InvalidParam]) -> ProblemError:
    namen = ", ".join(p.name for p in params)
    return ProblemError(400, f"{detail}: {namen}.", invalid_params=params)


def valideer(doel: Any, correctie: Mapping[str, Any], crs: str) -> dict[str, Any]:
    """``correctie`` (API names, JSON values, a geometry in ``crs``) of the event ``doel``,
    as the event's fields in their stored form. Raises a 400 naming every wrong field as
    ``body.correctie.<veld>``."""
    schema = SCHEMA.get(type(doel))
    toegestaan = CORRIGEERBAAR.get(type(doel), frozenset())
    if schema is None or not toegestaan:
        raise OngeldigeWaarde("gecorrigeerdeVersie", f"een {doel.TYPE} is niet te corrigeren")
    wel = ", ".join(sorted(to_camel(v) for v in toegestaan))
    fout = [
        InvalidParam(
            name=f"body.correctie.{sleutel}",
            reason=f"niet corrigeerbaar in een {doel.TYPE}; corrigeerbaar zijn: {wel}",
        )
        for sleutel in correctie
        if to_snake(sleutel) not in toegestaan or to_camel(to_snake(sleutel)) != sleutel
    ]
    if fout:
        raise _ongeldig("Deze velden zijn niet te corrigeren", fout)
    _, _, opgeslagen = registry.encode(doel)
    origineel = {to_camel(k): v for k, v in opgeslagen.items() if k in schema.model_fields}
    try:
        gecorrigeerd = schema.model_validate({**origineel, **correctie})
    except ValidationError as exc:
        # An error in a field the client did not send is stored data from before today's
        # rules: named all the same, so it can be corrected along with the rest.
        raise _ongeldig(
            "De correctie is ongeldig",
            [
                InvalidParam(
                    name="body.correctie." + ".".join(str(p) for p in e["loc"]), reason=e["msg"]
                )
                for e in exc.errors(include_url=False)
            ],
        ) from exc
    waarden = gecorrigeerd.model_dump(mode="json")
    uit = {to_snake(sleutel): waarden[to_snake(sleutel)] for sleutel in correctie}
    if uit.get("geometrie") is not None:
        try:
            uit["geometrie"] = naar_rd(uit["geometrie"], crs)
        except OngeldigeGeometrie as exc:
            raise _ongeldig(
                "De geometrie is ongeldig",
                [InvalidParam(name="body.correctie.geometrie", reason=str(exc))],
            ) from exc
    return uit
