"""``Idempotency-Key`` on every POST (draft-ietf-httpapi-idempotency-key-header).

A router opts in with ``APIRouter(route_class=IdempotenteRoute)``; its POST operations then
document the header (and the 409 and 422 below) and run through :func:`_idempotent`:

- a key seen before from the same caller (``sub``) with the same request (method, path,
  ``Content-Crs`` and the canonical JSON body) gets the stored answer again: status, headers
  (``Location``, ``ETag``, ...) and body, and nothing new is recorded;
- the same key with another request: 422 problem+json; a retry while the first request is still
  in progress: 409 problem+json (PostgreSQL; SQLite's single writer makes the retry wait and
  then get the stored answer);
- only a recorded decision (2xx) is stored, in the transaction of its events
  (``shared/idempotency.py``); a refused request (4xx) recorded nothing, so its retry is simply
  judged again; 5xx is never stored;
- keys are kept ``BODEMREGIE_IDEMPOTENTIE_BEWAARTIJD_UREN`` (at least 24) hours; expired ones
  are deleted now and then by the requests that use keys.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from shared import idempotency_store as store
from shared.db.direct_async import AsyncStatements
from shared.http.problems import InvalidParam, ProblemError
from shared.idempotency import AlBeantwoord, InBehandeling, Verzoek, herstel, zet

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
_SLEUTEL = re.compile(r'^"?([\x21\x23-\x5b\x5d-\x7e]{1,255})"?$')
_OPRUIM_INTERVAL_S = 900.0
_laatst_opgeruimd: dict[int, float] = {}

IN_BEHANDELING = "een verzoek met dezelfde Idempotency-Key is nog in behandeling"
ANDERS_GEBRUIKT = {
    "description": "De Idempotency-Key is al gebruikt voor een ander verzoek (andere body of "
    "ander pad)"
}


async def idempotentie_sleutel(
    sleutel: Annotated[
        str | None,
        Header(
            alias=HEADER,
            max_length=257,
            pattern=_SLEUTEL.pattern,
            description="Maakt een POST veilig om te herhalen (draft-ietf-httpapi-idempotency-"
            "key-header): een herhaling met dezelfde sleutel en dezelfde body krijgt het "
            "oorspronkelijke antwoord terug en legt niets opnieuw vast. Een sleutel hoort bij "
            "de aanroeper (het token) en wordt minstens 24 uur bewaard. Bijvoorbeeld een UUID.",
            examples=["8e03978e-40d5-43e8-bc93-6894a57f9324"],
        ),
    ] = None,
) -> str | None:
    """Only here to document and type the header; :func:`_idempotent` does the work."""
    return sleutel


class IdempotenteRoute(APIRoute):
    """A route whose POST takes an ``Idempotency-Key`` (see the module docstring)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if "POST" in {m.upper() for m in kwargs.get("methods") or ()}:
            dependencies: Sequence[DependsParam] = kwargs.get("dependencies") or []
            # include_router builds the route again from its own attributes: add once.
            if not any(d.dependency is idempotentie_sleutel for d in dependencies):
                kwargs["dependencies"] = [*dependencies, Depends(idempotentie_sleutel)]
            responses = dict(kwargs.get("responses") or {})
            conflict = dict(responses.get(409, {"description": "Conflict"}))
            if IN_BEHANDELING not in conflict["description"]:
                conflict["description"] += f"; of: {IN_BEHANDELING}"
            responses[409] = conflict
            responses.setdefault(422, ANDERS_GEBRUIKT)
            kwargs["responses"] = responses
        super().__init__(path, endpoint, **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        origineel = self.handler_zonder_sleutel()
        if "POST" not in (self.methods or set()):
            return origineel

        async def handler(request: Request) -> Response:
            return await _idempotent(request, origineel)

        return handler

    def handler_zonder_sleutel(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The handler the Idempotency-Key wraps: FastAPI's own, unless a subclass has a
        leaner one."""
        return super().get_route_handler()


def _sleutel(ruw: str) -> str:
    match = _SLEUTEL.match(ruw.strip())
    if match is None:
        raise ProblemError(
            400,
            f"{HEADER} moet 1 tot 255 zichtbare ASCII-tekens zijn (bijvoorbeeld een UUID), "
            "eventueel tussen aanhalingstekens.",
            invalid_params=[InvalidParam(name=f"header.{HEADER}", reason="ongeldige sleutel")],
        )
    return match.group(1)


def _scope(request: Request) -> str | None:
    """The caller's scope: a hash of the token's ``sub``. None without a valid token (the
    endpoint then answers 401 itself)."""
    autorisatie = request.headers.get("Authorization", "")
    schema, _, token = autorisatie.partition(" ")
    if schema.lower() != "bearer" or not token.strip():
        return None
    try:
        principal = request.app.state.token_verifier.verify(token.strip())
    except ProblemError:
        return None
    return hashlib.sha256(f"sub\x00{principal.sub}".encode()).hexdigest()


def vingerafdruk(methode: str, pad: str, content_crs: str | None, body: bytes) -> str:
    """A hash of what the request asks: the same JSON in another key order or spacing is the
    same request; ``Content-Crs`` changes what the coordinates in the body mean."""
    try:
        canoniek = json.dumps(
            json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False
        ).encode()
    except ValueError:
        canoniek = body
    kop = f"{methode}\x00{pad}\x00{(content_crs or '').strip().upper()}\x00".encode()
    return hashlib.sha256(kop + canoniek).hexdigest()


def _herhaal(opgeslagen: store.Opgeslagen, afdruk: str) -> Response:
    if opgeslagen.vingerafdruk != afdruk:
        raise ProblemError(
            422,
            f"Deze {HEADER} is al gebruikt voor een ander verzoek (andere body of ander pad). "
            "Gebruik een nieuwe sleutel voor een nieuw verzoek.",
            invalid_params=[InvalidParam(name=f"header.{HEADER}", reason="al gebruikt")],
        )
    antwoord = opgeslagen.antwoord
    response = Response(content=antwoord.body, status_code=antwoord.status)
    response.raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in antwoord.headers]
    return response


def _lees(sessions: sessionmaker[Session], scope: str, sleutel: str) -> store.Opgeslagen | None:
    with sessions() as session:
        return store.lees(session, scope, sleutel, store.nu())


async def _opgeslagen(container: Any, scope: str, sleutel: str) -> store.Opgeslagen | None:
    """The stored answer for the key: awaited on the loop where the service has async
    statements (PostgreSQL: ``container.statements``), else read in a worker thread."""
    statements: AsyncStatements | None = getattr(container, "statements", None)
    if statements is not None:
        return await store.lees_op_lus(statements, scope, sleutel, store.nu())
    return await run_in_threadpool(_lees, container.sessions, scope, sleutel)


def _bewaar_los(
    sessions: sessionmaker[Session], verzoek: Verzoek, antwoord: store.Antwoord
) -> None:
    # A command that committed without a unit of work (e.g. a vergeetverzoek, idempotent by
    # itself): its answer is stored right after, in a transaction of its own.
    with sessions.begin() as session:
        store.bewaar(
            session,
            verzoek.scope,
            verzoek.sleutel,
            verzoek.vingerafdruk,
            antwoord,
            store.nu(),
            verzoek.bewaartijd,
        )


async def _verwerp(verzoek: Verzoek) -> None:
    """Roll back the held transaction, if the command left one (a hop only then)."""
    if verzoek.sessie is not None:
        await run_in_threadpool(verzoek.verwerp)


def ruim_op(sessions: sessionmaker[Session]) -> int:
    """Delete the expired keys of this database; returns how many."""
    with sessions.begin() as session:
        return store.ruim_op(session, store.nu())


def _opruimen_nodig(sessions: sessionmaker[Session]) -> bool:
    nu = time.monotonic()
    if nu - _laatst_opgeruimd.get(id(sessions), float("-inf")) < _OPRUIM_INTERVAL_S:
        return False
    _laatst_opgeruimd[id(sessions)] = nu
    return True


def _ruim_af_en_toe_op(sessions: sessionmaker[Session]) -> None:
    try:
        ruim_op(sessions)
    except Exception:  # the answer is sent anyway; the next interval tries again
        log.exception("verlopen Idempotency-Keys opruimen mislukt")


async def _idempotent(
    request: Request, origineel: Callable[[Request], Awaitable[Response]]
) -> Response:
    ruw = request.headers.get(HEADER)
    if ruw is None:
        return await origineel(request)
    sleutel = _sleutel(ruw)
    scope = _scope(request)
    if scope is None:
        return await origineel(request)
    container = request.app.state.container
    sessions: sessionmaker[Session] = container.sessions
    afdruk = vingerafdruk(
        request.method, request.url.path, request.headers.get("Content-Crs"), await request.body()
    )
    opgeslagen = await _opgeslagen(container, scope, sleutel)
    if opgeslagen is not None:
        return _herhaal(opgeslagen, afdruk)
    bewaartijd = timedelta(hours=container.settings.idempotentie_bewaartijd_uren)
    verzoek = Verzoek(scope, sleutel, afdruk, bewaartijd)
    token = zet(verzoek)
    try:
        response = await origineel(request)
    except InBehandeling:
        await _verwerp(verzoek)
        raise ProblemError(409, f"Er is al {IN_BEHANDELING}; probeer het zo nog eens.") from None
    except AlBeantwoord as antwoord:
        await _verwerp(verzoek)
        return _herhaal(antwoord.opgeslagen, afdruk)
    except Exception:
        await _verwerp(verzoek)
        # Without PostgreSQL's lock a concurrent first request can win while this one runs
        # (this one then fails, e.g. on its version check): the winner's answer counts.
        opgeslagen = await _opgeslagen(container, scope, sleutel)
        if opgeslagen is not None:
            return _herhaal(opgeslagen, afdruk)
        raise
    except BaseException:  # cancelled: give the held transaction back at once
        verzoek.verwerp()
        raise
    finally:
        herstel(token)
    return await _bewaar(response, verzoek, sessions)


async def _bewaar(
    response: Response, verzoek: Verzoek, sessions: sessionmaker[Session]
) -> Response:
    body = getattr(response, "body", None)
    vastgelegd = verzoek.sessie is not None or 200 <= response.status_code < 300
    if response.status_code >= 500 or not isinstance(body, bytes) or not vastgelegd:
        await _verwerp(verzoek)
        return response
    headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.raw_headers]
    antwoord = store.Antwoord(response.status_code, headers, body)
    try:
        if verzoek.sessie is not None:
            await run_in_threadpool(verzoek.rond_af, antwoord)
        else:
            await run_in_threadpool(_bewaar_los, sessions, verzoek, antwoord)
    except IntegrityError:
        opgeslagen = await run_in_threadpool(_lees, sessions, verzoek.scope, verzoek.sleutel)
        if opgeslagen is None:
            raise
        return _herhaal(opgeslagen, verzoek.vingerafdruk)
    if _opruimen_nodig(sessions):
        await run_in_threadpool(_ruim_af_en_toe_op, sessions)
    return response
