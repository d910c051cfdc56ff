"""/v1/bevoegde-gezagen: the reference list of the 42 competent authorities."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from services.locaties.entrypoints.schemas import BevoegdGezagOut
from shared.bevoegde_gezagen import BEVOEGDE_GEZAGEN, BevoegdGezag, get
from shared.http.problems import ProblemError

router = APIRouter(prefix="/bevoegde-gezagen", tags=["Bevoegde gezagen"])


def _out(b: BevoegdGezag) -> BevoegdGezagOut:
    return BevoegdGezagOut(
        code=b.code,
        naam=b.naam,
        soort=b.soort,
        provincie=b.provincie,
        gemeentecodes=list(b.gemeentecodes),
    )


@router.get("", response_model=list[BevoegdGezagOut], summary="De 42 bevoegde gezagen")
def lijst() -> list[BevoegdGezagOut]:
    """De twaalf provincies en dertig gemeenten met bodembevoegdheid, met hun SIKB0101-code."""
    return [_out(b) for b in BEVOEGDE_GEZAGEN]


@router.get(
    "/{code}",
    response_model=BevoegdGezagOut,
    summary="Eén bevoegd gezag",
    responses={404: {"description": "Onbekende code"}},
)
def een(code: Annotated[str, Path(pattern=r"^[A-Z]{2}$")]) -> BevoegdGezagOut:
    """Eén bevoegd gezag met zijn gemeenten."""
    gezag = get(code)
    if gezag is None:
        raise ProblemError(404, f"Er is geen bevoegd gezag met code {code}.")
    return _out(gezag)
