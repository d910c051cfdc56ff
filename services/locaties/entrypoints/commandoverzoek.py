"""What every command route needs besides its body, and the lean path that reads it.

FastAPI resolves a command route's dependencies (the unknown-query check, token, actor,
If-Match, both CRS headers, Idempotency-Key, path and body: eleven nodes) anew for every
request, with much generic work per node; profiled, that was over half of the event loop's
time per status change. A request whose every part is valid takes a lean path instead: the
headers are read once, each value is validated by the very field FastAPI would validate it
with, the same dependency functions build the :class:`Verzoek`, and the endpoint is called
with the same arguments. Anything else (a header missing or malformed, a query, a body that
does not parse or validate, a token that does not verify, a refusal by a dependency) goes
through FastAPI's own handler, so every error answer stays exactly what it was. The OpenAPI
document is still built from the declared dependencies.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, ClassVar

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.security import HTTPBearer
from pydantic import BaseModel

from services.locaties.bootstrap import Container
from services.locaties.domain import commands
from services.locaties.entrypoints import dependencies
from services.locaties.entrypoints.dependencies import (
    AcceptCrs,
    ContentCrs,
    CurrentActor,
    ExpectedVersion,
    Services,
)
from services.locaties.entrypoints.uitvoering import voer_uit
from services.locaties.service_layer.unit_of_work import Actor
from shared.auth import PRINCIPAL_STATE, Principal, TokenVerifier, current_principal
from shared.http.idempotency import IdempotenteRoute, idempotentie_sleutel
from shared.http.problems import ProblemError
from shared.http.queryparameters import weiger_onbekende


@dataclass(frozen=True)
class Verzoek:
    """What every command route needs besides its body."""

    services: Container
    actor: Actor
    versie: int  # If-Match
    crs: str  # Accept-Crs: the answer's
    crs_in: str  # Content-Crs: the body's

    async def voer_uit(self, cmd: commands.Commando) -> Response:
        return await voer_uit(self.services, cmd, self.actor, self.crs)


async def verzoek(
    services: Services,
    actor: CurrentActor,
    versie: ExpectedVersion,
    crs: AcceptCrs,
    crs_in: ContentCrs,
) -> Verzoek:
    return Verzoek(services, actor, versie, crs, crs_in)


Handler = Callable[[Request], Coroutine[Any, Any, Response]]
# The endpoint's arguments as the lean path read them: path, body, the rest.
Gelezen = tuple[str, BaseModel, Verzoek]

# What a command route declares, besides its one body: the lean path reads exactly these.
KOPPEN = frozenset({"x-correlation-id", "if-match", "accept-crs", "content-crs", "idempotency-key"})
PAD = "locatieId"
_GELEZEN = frozenset({*(k.encode() for k in KOPPEN), b"authorization", b"content-type"})


class Commandoroute(IdempotenteRoute):
    """A command route (``POST /spoedlocaties/{locatieId}/<pad>`` with a body and a
    :class:`Verzoek`) with the lean path described in the module docstring."""

    snelpad: ClassVar[bool] = True  # tests compare the answers of both paths

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        # Before FastAPI's init: it builds the handler, which reads these per request.
        self._koppen: dict[str, Any] = {}
        self._pad: Any = None
        self._body: Any = None
        self._namen: tuple[str, str, str] = ("", "", "")
        super().__init__(path, endpoint, **kwargs)
        if "POST" in (self.methods or set()):
            self._leer_kennen(self.dependant)

    def _leer_kennen(self, dependant: Dependant) -> None:
        """The fields the lean path validates with, found in the route's own declaration; a
        route that declares anything else is refused here rather than half-checked later."""
        koppen, paden, overig, beveiliging = {}, {}, [], []
        for d in _alle(dependant):
            koppen.update({f.alias.lower(): f for f in d.header_params})
            paden.update({f.alias: f for f in d.path_params})
            overig += [*d.query_params, *d.cookie_params]
            beveiliging += [s.call for s in d.dependencies if isinstance(s.call, HTTPBearer)]
        verzoeken = [d.name for d in dependant.dependencies if d.call is verzoek]
        onbekend = [
            d.call
            for d in _alle(dependant)[1:]
            if d.call not in _BEKEND and not isinstance(d.call, HTTPBearer)
        ]
        if (
            onbekend
            or set(koppen) != KOPPEN
            or set(paden) != {PAD}
            or overig
            or len(dependant.body_params) != 1
            or len(beveiliging) != 1
            or len(verzoeken) != 1
            or any(f.field_info.is_required() for k, f in koppen.items() if k != "if-match")
        ):
            raise TypeError(
                f"{self.path} is geen commandoroute: {sorted(koppen)}, {overig}, {onbekend}"
            )
        body = dependant.body_params[0]
        self._koppen, self._pad, self._body = koppen, paden[PAD], body
        # The endpoint's own parameter names, to call it as FastAPI would.
        self._namen = (dependant.path_params[0].name, body.name, str(verzoeken[0]))

    def handler_zonder_sleutel(self) -> Handler:
        fastapi_handler = super().handler_zonder_sleutel()

        async def handler(request: Request) -> Response:
            gelezen = await self.lees(request) if self.snel else None
            if gelezen is None:
                return await fastapi_handler(request)
            return await self.roep(gelezen)

        return handler

    @property
    def snel(self) -> bool:
        """Whether this route takes the lean path (a POST whose declaration it knows)."""
        return Commandoroute.snelpad and bool(self._koppen)

    async def roep(self, gelezen: Gelezen) -> Response:
        """The endpoint called with what :meth:`lees` read, as FastAPI would call it."""
        return await self.endpoint(**dict(zip(self._namen, gelezen, strict=True)))

    async def lees(self, request: Request) -> Gelezen | None:
        """The endpoint's arguments, or None when FastAPI's handler must judge the request."""
        scope = request.scope
        if scope.get("query_string"):
            return None  # the unknown-query check answers it: no command takes a query
        koppen: dict[bytes, str] = {}
        for naam, waarde in scope["headers"]:
            if naam in _GELEZEN and naam not in koppen:  # the first, as Starlette reads
                koppen[naam] = waarde.decode("latin-1")
        waarden: dict[str, Any] = {}
        for naam, veld in self._koppen.items():
            ruw = koppen.get(naam.encode())
            if ruw is None:
                if naam == "if-match":
                    return None  # 428
                waarden[naam] = None
                continue
            waarden[naam], fouten = veld.validate(ruw, loc=("header", veld.alias))
            if fouten:
                return None
        locatie_id, fouten = self._pad.validate(request.path_params.get(PAD), loc=("path", PAD))
        principal = _principal(request, koppen.get(b"authorization"))
        if fouten or principal is None:
            return None
        body = await _body(request, koppen.get(b"content-type"))
        if body is None:
            return None
        inhoud, fouten = self._body.validate(body, loc=("body",))
        if fouten:
            return None
        try:
            actor = await dependencies.actor(principal, waarden["x-correlation-id"])
            v = Verzoek(
                request.app.state.container,
                actor,
                await dependencies.verwachte_versie(waarden["if-match"]),
                await dependencies.accept_crs(waarden["accept-crs"]),
                await dependencies.content_crs(waarden["content-crs"]),
            )
        except ProblemError:
            return None
        return locatie_id, inhoud, v


# The dependencies the lean path stands in for (besides the bearer scheme); any other would
# be skipped by it, so a route with one is refused.
_BEKEND: tuple[Callable[..., Any], ...] = (
    verzoek,
    dependencies.container,
    dependencies.actor,
    current_principal,
    dependencies.verwachte_versie,
    dependencies.accept_crs,
    dependencies.content_crs,
    idempotentie_sleutel,
    weiger_onbekende,
)


def _alle(dependant: Dependant) -> list[Dependant]:
    return [dependant, *(d for sub in dependant.dependencies for d in _alle(sub))]


def _principal(request: Request, autorisatie: str | None) -> Principal | None:
    """As ``shared.auth.current_principal`` after ``HTTPBearer``: the rate limiter's verified
    principal, else the token verified (cached); None where they would answer 401."""
    schema, _, token = (autorisatie or "").partition(" ")
    token = token.strip()
    if not schema or not token or schema.lower() != "bearer":
        return None
    verified = request.scope.get("state", {}).get(PRINCIPAL_STATE)
    if isinstance(verified, Principal):
        return verified
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return verifier.verify(token)
    except ProblemError:
        return None


async def _body(request: Request, content_type: str | None) -> Any:
    """The JSON body as FastAPI decodes it (the standard library's ``json``: it keeps big
    integers exact), for ``application/json`` only; None for anything else."""
    if content_type is None or content_type.split(";", 1)[0].strip().lower() != (
        "application/json"
    ):
        return None
    try:
        ruw = await request.body()
        return json.loads(ruw) if ruw else None
    except Exception:  # FastAPI's handler reads it again and answers as it always has
        return None
