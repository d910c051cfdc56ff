"""/v1/personen and /v1/vergeetverzoeken: what the store holds of a pseudonym, and erasure
(AVG art. 17), for the programme. Every service with a person store mounts this router; each
erases in its own database (a person has another pseudonym in every store)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from shared import beleid
from shared.auth import CurrentPrincipal
from shared.http.idempotency import IdempotenteRoute
from shared.http.problems import ProblemError
from shared.privacy import diensten
from shared.privacy.diensten import MetPersonen
from shared.privacy.store import PSEUDONIEM


def _container(request: Request) -> MetPersonen:
    container: MetPersonen = request.app.state.container
    return container


Store = Annotated[MetPersonen, Depends(_container)]
Pseudoniem = Annotated[str, Path(pattern=PSEUDONIEM.pattern, max_length=40)]
FOUTEN: dict[int | str, dict[str, Any]] = {
    401: {"description": "Geen of een ongeldig token"},
    403: {"description": "Alleen het uitvoeringsprogramma"},
    404: {"description": "Deze persoon is hier niet bekend"},
}


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class PersoonOut(_Model):
    pseudoniem: str
    login: str = Field(description='De login, of "verwijderd" na een vergeetverzoek.')
    verwijderd: bool
    verwijderd_op: datetime | None


class Vergeetverzoek(_Model):
    persoon: str = Field(
        min_length=1,
        max_length=300,
        description="De login (in de body, zodat hij in geen URL of toegangslog komt) of het "
        "pseudoniem van wie vergeten wil worden.",
    )


def _vergeten(pseudoniem: str, moment: datetime) -> PersoonOut:
    return PersoonOut(
        pseudoniem=pseudoniem, login="verwijderd", verwijderd=True, verwijderd_op=moment
    )


router = APIRouter(tags=["Personen"], route_class=IdempotenteRoute)


@router.get(
    "/personen/{pseudoniem}",
    response_model=PersoonOut,
    summary="Persoonsgegevens achter een pseudoniem",
    openapi_extra=beleid.openapi_extra("privacy.lees"),
    responses={**FOUTEN, 410: {"description": "Deze persoon is vergeten (vergeetverzoek)"}},
)
def lees(pseudoniem: Pseudoniem, store: Store, principal: CurrentPrincipal) -> PersoonOut:
    """Wie achter een pseudoniem uit het logboek zit (de `actor` van een gebeurtenis). Na een
    vergeetverzoek 410 Gone met het moment van vergeten: de gegevens bestaan niet meer (in
    rapporten en lijsten staat dan "verwijderd"). Het logboek zelf bevat alleen pseudoniemen."""
    persoon = diensten.lees(store, principal, pseudoniem)
    if persoon is None:
        raise ProblemError(404, f"Persoon {pseudoniem} is hier niet bekend.")
    if persoon.verwijderd:
        moment = persoon.verwijderd_op.isoformat() if persoon.verwijderd_op else "onbekend"
        raise ProblemError(410, f"Persoon {pseudoniem} is vergeten op {moment}.")
    return PersoonOut(
        pseudoniem=pseudoniem,
        login=persoon.login,
        verwijderd=persoon.verwijderd,
        verwijderd_op=persoon.verwijderd_op,
    )


@router.delete(
    "/personen/{pseudoniem}",
    status_code=204,
    summary="Vergeet een persoon",
    openapi_extra=beleid.openapi_extra("privacy.vergeet"),
    responses=FOUTEN,
)
def vergeet(pseudoniem: Pseudoniem, store: Store, principal: CurrentPrincipal) -> Response:
    """Vernietigt de sleutel, de versleutelde gegevens en de zoekwaarde van de persoon. De
    gebeurtenissen blijven ongewijzigd (ze bevatten alleen het pseudoniem): de hashketen en
    elk gepubliceerd rapport blijven kloppen; overal waar de persoon getoond werd staat nu
    "verwijderd". Herhalen mag."""
    if diensten.vergeet(store, principal, pseudoniem) is None:
        raise ProblemError(404, f"Persoon {pseudoniem} is hier niet bekend.")
    return Response(status_code=204)


@router.post(
    "/vergeetverzoeken",
    status_code=201,
    response_model=PersoonOut,
    summary="Vergeet een persoon op login",
    openapi_extra=beleid.openapi_extra("privacy.vergeet"),
    responses=FOUTEN,
)
def vergeetverzoek(
    body: Vergeetverzoek, store: Store, principal: CurrentPrincipal, response: Response
) -> PersoonOut:
    """Een verzoek tot vergeten (AVG art. 17) op login of pseudoniem. Elke dienst heeft een
    eigen personenregister met eigen pseudoniemen: stuur het verzoek aan elke dienst, of
    gebruik `bodemregie privacy vergeet`, dat alle databases afgaat."""
    vergeten = diensten.vergeet_op_login(store, principal, body.persoon)
    if vergeten is None:
        raise ProblemError(404, "Deze persoon is hier niet bekend (of al vergeten).")
    pseudoniem, moment = vergeten
    response.headers["Location"] = f"/v1/personen/{pseudoniem}"
    return _vergeten(pseudoniem, moment)
