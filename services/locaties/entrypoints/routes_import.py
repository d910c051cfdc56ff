"""POST /v1/spoedlocaties/import: a bevoegd gezag's history in one NDJSON stream.

Every line is one of the single API's commands, in the same shape: ``soort`` names the
resource (``registratie``, or the command's sub-resource such as ``statuswijzigingen``),
``locatieId`` and ``versie`` stand for the path and If-Match, ``body`` is the request body. The
line's body goes through the command's own request schema (pydantic, the very validation of the
single command's route), the command through its own
handler (service_layer/importeren.py), so an import can record nothing that the single commands
would refuse. The answer streams one result line per input line, in order.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal, TypeVar

import anyio
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Receive, Scope, Send

from services.locaties.domain.geometrie import (
    CRS84,
    RD,
    Omgerekend,
    OngeldigeGeometrie,
    crs_naam,
    reken_om,
)
from services.locaties.entrypoints import schemas
from services.locaties.entrypoints.dependencies import ContentCrs, CurrentActor, Services
from services.locaties.entrypoints.fouten import DOMEINFOUTEN
from services.locaties.entrypoints.routes_commandos import commando
from services.locaties.entrypoints.routes_spoedlocaties import ERRORS, registratie
from services.locaties.service_layer import handlers
from services.locaties.service_layer.importeren import (
    GelijktijdigGewijzigd,
    Gelukt,
    Importeur,
    ImportRegel,
    NietVerwerkt,
    RegelGewijzigd,
    Uitkomst,
    WaardeGeweigerd,
)
from shared import beleid, gc_tuning
from shared.http.middleware import heeft_nul
from shared.http.problems import (
    TITLES,
    InvalidParam,
    Problem,
    ProblemError,
    domain_problem,
)

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)

router = APIRouter(prefix="/spoedlocaties", tags=["Spoedlocaties"])

PAD = "/v1/spoedlocaties/import"
NDJSON = "application/x-ndjson"
REGISTRATIE = "registratie"
BATCH_REGELS = 1000  # lines per transaction
BATCH_BYTES = 4_000_000  # and at most this much input held at once

# The single API's command sub-resources and their request bodies.
_COMMANDOS: dict[str, type[BaseModel]] = {
    "statuswijzigingen": schemas.Statuswijziging,
    "risicobeoordelingen": schemas.Risicobeoordeling,
    "knelpunten": schemas.KnelpuntIn,
    "budgettoekenningen": schemas.Budgettoekenning,
    "kostenboekingen": schemas.Kostenboeking,
    "overdrachten": schemas.Overdracht,
    "planningen": schemas.Planning,
    "correcties": schemas.Correctie,
}
Soort = Literal[
    "registratie",
    "statuswijzigingen",
    "risicobeoordelingen",
    "knelpunten",
    "budgettoekenningen",
    "kostenboekingen",
    "overdrachten",
    "planningen",
    "correcties",
]
assert set(Soort.__args__) == {REGISTRATIE, *_COMMANDOS}  # type: ignore[attr-defined]


class ImportRegelIn(BaseModel):
    """Eén regel van een import: een commando zoals de losse API het kent."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    sleutel: str | None = Field(
        None,
        min_length=1,
        max_length=255,
        description="Sleutel van de regel (bijvoorbeeld het id in het eigen systeem). Een "
        "regel die met dezelfde sleutel al is vastgelegd, legt niets nieuws vast en krijgt "
        "hetzelfde antwoord. Zonder sleutel is de hash van de regel de sleutel.",
    )
    soort: Soort = Field(
        description="`registratie` (POST /spoedlocaties) of de subresource van het commando "
        "(POST /spoedlocaties/{locatieId}/{soort})."
    )
    locatieId: str | None = Field(None, pattern=r"^[A-Z]{2}[0-9]{9}$")
    versie: int | None = Field(
        None,
        ge=1,
        description="Verplicht bij een commando: de versie waarop het commando voortbouwt, "
        "zoals If-Match (de registratie is versie 1, elk commando telt er één bij).",
    )
    contentCrs: str | None = Field(
        None, description="CRS van een geometrie in deze regel; standaard de header Content-Crs."
    )
    body: dict[str, Any]


_VELDEN = frozenset(ImportRegelIn.model_fields)
_SOORTEN = frozenset(Soort.__args__)  # type: ignore[attr-defined]
_LOCATIE_ID = re.compile(r"[A-Z]{2}[0-9]{9}")


# A line's envelope as ``_lees`` uses it: (sleutel, soort, locatieId, versie, contentCrs, body).
Envelop = tuple[str | None, str, str | None, int | None, str | None, dict[str, Any]]


def _gewoon(data: Any) -> Envelop | None:
    """The envelope of a line in the plain shape (known fields, exact types, an ASCII
    locatieId), exactly as ``ImportRegelIn.model_validate`` would leave it; None for any other
    line (pydantic decides those)."""
    if type(data) is dict and data.keys() <= _VELDEN and type(data.get("body")) is dict:
        soort = data.get("soort")
        sleutel = data.get("sleutel")
        locatie_id = data.get("locatieId")
        versie = data.get("versie")
        crs = data.get("contentCrs")
        if (
            type(soort) is str
            and soort in _SOORTEN
            and (sleutel is None or (type(sleutel) is str and 1 <= len(sleutel) <= 255))
            and (
                locatie_id is None
                or (type(locatie_id) is str and _LOCATIE_ID.fullmatch(locatie_id) is not None)
            )
            and (versie is None or (type(versie) is int and versie >= 1))
            and (crs is None or type(crs) is str)
        ):
            return sleutel, soort, locatie_id, versie, crs, data["body"]
    return None


def _envelop(data: Any) -> Envelop:
    """The line's envelope as ``ImportRegelIn.model_validate`` leaves it: a line in the plain
    shape (``_gewoon``) is taken as it is, without pydantic's ~8 µs and without building the
    model; any other line goes to pydantic, which decides and names the error (ValidationError).
    Only lines pydantic accepts unchanged take the short way (no coercion such as "2" or 2.0 for
    a version), so the verdicts are the same; tests compare them."""
    gewoon = _gewoon(data)
    if gewoon is not None:
        return gewoon
    r = ImportRegelIn.model_validate(data)
    return r.sleutel, r.soort, r.locatieId, r.versie, r.contentCrs, r.body


class ImportResultaat(BaseModel):
    """Het resultaat van één regel: vastgelegd (status 201) of een probleem."""

    regel: int = Field(description="Regelnummer in de invoer (vanaf 1).")
    sleutel: str | None = None
    status: int
    locatieId: str | None = None
    versie: int | None = None
    herhaald: bool | None = Field(
        None, description="De regel was al vastgelegd: er is niets nieuws vastgelegd."
    )
    probleem: Problem | None = None


class _Resultaatstroom(StreamingResponse):
    """Streams the result lines while the endpoint still reads the request body. Starlette's
    own streaming response (before ASGI 2.4) listens for a disconnect on ``receive`` meanwhile,
    which would take the body's messages away from the reader; here the reader itself notices
    a client that went away (``request.stream()`` raises ClientDisconnect)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.stream_response(send)


def _probleem(status: int, detail: str, params: list[InvalidParam] | None = None) -> Problem:
    return Problem(
        title=TITLES.get(status, "Fout"), status=status, detail=detail, invalidParams=params
    )


def _als_probleem(exc: Exception) -> Problem:
    if isinstance(exc, ProblemError):
        return Problem(
            title=exc.title, status=exc.status, detail=exc.detail, invalidParams=exc.invalid_params
        )
    if isinstance(exc, ValidationError):
        params = [
            InvalidParam(
                name=".".join(str(p) for p in e.get("loc", ())), reason=str(e.get("msg", ""))
            )
            for e in exc.errors()
        ]
        return _probleem(400, f"De regel is ongeldig: {', '.join(p.name for p in params)}.", params)
    if isinstance(exc, RegelGewijzigd | WaardeGeweigerd):
        return domain_problem(exc, 422)
    if isinstance(exc, GelijktijdigGewijzigd):
        return domain_problem(exc, 409)
    if isinstance(exc, NietVerwerkt):
        return _probleem(503, str(exc))
    for soort, weergave in DOMEINFOUTEN.items():
        if isinstance(exc, soort):
            status, title = weergave if isinstance(weergave, tuple) else (weergave, None)
            return domain_problem(exc, status, title)
    raise exc  # not a refusal of the line: a failure of the service


class _Regelfout(Exception):
    def __init__(self, probleem: Problem) -> None:
        super().__init__(probleem.detail)
        self.probleem = probleem


def _body_fout(exc: ValidationError) -> _Regelfout:
    """A body that fails the command's schema, named as the single command names it."""
    params = [
        InvalidParam(
            name=".".join(["body", *(str(p) for p in e.get("loc", ()))]),
            reason=str(e.get("msg", "")),
        )
        for e in exc.errors()
    ]
    return _Regelfout(
        _probleem(400, f"De invoer is ongeldig: {', '.join(p.name for p in params)}.", params)
    )


@dataclass(frozen=True)
class _Registratie:
    """A registration line read and validated up to its geometry's conversion to RD, which
    ``_lees_batch`` does for all of a batch's registrations in one call (``_registreer``)."""

    sleutel: str
    vingerafdruk: str
    body: schemas.NieuweSpoedlocatie
    crs: str


def _lees(ruw: bytes, standaard_crs: str) -> ImportRegel | _Registratie:
    """Parse and validate one line into a runnable command (a registration: up to its
    geometry's conversion); _Regelfout when it is invalid."""
    # The middleware's own test, run only when a NUL can be there at all: it can only match
    # where a raw NUL or "\u0000" occurs, and the substring test is C-speed (the pattern with
    # its look-behind costs ~50 µs on a line).
    if (b"\x00" in ruw or b"\\u0000" in ruw) and heeft_nul(ruw):
        raise _Regelfout(
            _probleem(
                400,
                "De regel bevat een NUL-teken (U+0000); dat is in geen enkel veld toegestaan.",
                [InvalidParam(name="regel", reason="bevat een NUL-teken (U+0000)")],
            )
        )
    try:
        data = orjson.loads(ruw)
    except orjson.JSONDecodeError as exc:
        raise _Regelfout(
            _probleem(
                400,
                f"De regel is geen JSON: {exc}.",
                [InvalidParam(name="regel", reason="geen JSON")],
            )
        ) from exc
    try:
        sleutel, soort, locatie_id, versie, content_crs, body = _envelop(data)
    except ValidationError as exc:
        raise _Regelfout(_als_probleem(exc)) from exc
    crs = _crs(content_crs, standaard_crs)
    # The line with its CRS, keys sorted: ``{**data, "contentCrs": crs}``, written into the
    # line's own dict (read for the last time here) instead of a copy of it.
    data["contentCrs"] = crs
    try:
        afdruk = hashlib.sha256(orjson.dumps(data, option=orjson.OPT_SORT_KEYS)).hexdigest()
    except orjson.JSONEncodeError as exc:
        # orjson reads JSON nested up to 1024 levels but writes only 254: a line nested deeper
        # (no schema takes such a value) is refused here, not failing its whole batch.
        raise _Regelfout(
            _probleem(
                400,
                "De regel is te diep genest.",
                [InvalidParam(name="regel", reason="te diep genest")],
            )
        ) from exc
    if soort == REGISTRATIE:
        return _Registratie(
            sleutel or afdruk, afdruk, _registratie_body(locatie_id, versie, body), crs
        )
    return _commando(sleutel or afdruk, afdruk, soort, locatie_id, versie, body, crs)


def _crs(waarde: str | None, standaard: str) -> str:
    if waarde is None:
        return standaard
    try:
        return crs_naam(waarde, CRS84)
    except OngeldigeGeometrie as exc:
        raise _Regelfout(
            _probleem(400, str(exc), [InvalidParam(name="contentCrs", reason=str(exc))])
        ) from exc


def _registratie_body(
    locatie_id: str | None, versie: int | None, body: dict[str, Any]
) -> schemas.NieuweSpoedlocatie:
    """A registration line's body through the single registration's schema."""
    if versie is not None:
        raise _Regelfout(
            _probleem(
                400,
                "Een registratie begint een locatie: geef geen versie.",
                [InvalidParam(name="versie", reason="niet bij een registratie")],
            )
        )
    try:
        return _valideer(
            schemas.NieuweSpoedlocatie, {"locatieId": locatie_id, **body} if locatie_id else body
        )
    except ValidationError as exc:
        raise _body_fout(exc) from exc


def _valideer(schema: type[M], body: Any) -> M:
    """``schema.model_validate(body)``: the very validator it calls, called directly, without
    the classmethod's keyword arguments (all their defaults; ~1 µs a line)."""
    uit: M = schema.__pydantic_validator__.validate_python(body)
    return uit


def _registreer(regel: _Registratie, omgerekend: Omgerekend | None) -> ImportRegel:
    """The handler call for a registration line, built as the single registration's route
    builds it (``omgerekend``: its geometry's positions converted beforehand)."""
    try:
        cmd = registratie(regel.body, regel.crs, omgerekend)
    except ProblemError as exc:
        raise _Regelfout(_als_probleem(exc)) from exc
    ids = (cmd.locatie_id,) if cmd.locatie_id else ()
    return ImportRegel(regel.sleutel, regel.vingerafdruk, ids, partial(_handler(cmd), cmd))


def _omgerekend(registraties: list[_Registratie]) -> dict[str, Omgerekend]:
    """Per CRS, the positions of these registrations' geometries converted to RD, in one call
    of PROJ per CRS instead of one per position (``geometrie.reken_om``)."""
    per_crs: dict[str, list[Any]] = {}
    for r in registraties:
        if r.body.geometrie is not None and r.crs != RD:
            per_crs.setdefault(r.crs, []).append(r.body.geometrie.coordinates)
    return {crs: reken_om(coordinaten, crs, RD) for crs, coordinaten in per_crs.items()}


def _commando(
    sleutel: str,
    afdruk: str,
    soort: str,
    locatie_id: str | None,
    versie: int | None,
    body: dict[str, Any],
    crs: str,
) -> ImportRegel:
    """The handler call for a command line, built as the single command's route builds it."""
    if locatie_id is None or versie is None:
        ontbreekt = [n for n, w in (("locatieId", locatie_id), ("versie", versie)) if w is None]
        raise _Regelfout(
            _probleem(
                400,
                "Een commando noemt de locatie en de versie waarop het voortbouwt (zoals het pad "
                "en If-Match): " + ", ".join(ontbreekt) + " ontbreekt.",
                [InvalidParam(name=n, reason="verplicht bij een commando") for n in ontbreekt],
            )
        )
    try:
        body_in = _valideer(_COMMANDOS[soort], body)
    except ValidationError as exc:
        raise _body_fout(exc) from exc
    cmd = _bouwer(body_in)(body_in, locatie_id, versie, crs)
    return ImportRegel(sleutel, afdruk, (locatie_id,), partial(_handler(cmd), cmd))


# The functions ``commando`` and ``handlers.handle`` dispatch to, taken from their registries
# by the exact class instead of through ``singledispatch``'s call on every line (its cache is a
# WeakKeyDictionary in Python: ~1 µs a call, two calls a line). The registries are live, so a
# registration made later counts here as it counts for the single command; a class registered
# only through a base class goes the general way. The same functions run.
_COMMANDO_REGISTER = commando.registry
_HANDLER_REGISTER = handlers.handle.registry


def _bouwer(body: Any) -> Callable[..., Any]:
    """``commando``'s implementation for this body."""
    return _COMMANDO_REGISTER.get(type(body)) or commando.dispatch(type(body))


def _handler(cmd: Any) -> Callable[[Any, Any], Any]:
    """``handlers.handle``'s implementation for this command."""
    return _HANDLER_REGISTER.get(type(cmd)) or handlers.handle.dispatch(type(cmd))


def _resultaat(nummer: int, sleutel: str | None, uitkomst: Uitkomst | Problem) -> bytes:
    if isinstance(uitkomst, Gelukt):
        return orjson.dumps(gelukt(nummer, sleutel, uitkomst), option=orjson.OPT_APPEND_NEWLINE)
    p = uitkomst if isinstance(uitkomst, Problem) else _als_probleem(uitkomst)
    r = ImportResultaat(regel=nummer, sleutel=sleutel, status=p.status, probleem=p)
    return orjson.dumps(r.model_dump(exclude_none=True), option=orjson.OPT_APPEND_NEWLINE)


def gelukt(nummer: int, sleutel: str | None, uitkomst: Gelukt) -> dict[str, Any]:
    """The result of a recorded line: ``ImportResultaat(...).model_dump(exclude_none=True)``,
    same fields in the same order, written directly (the common line; building and dumping the
    model cost ~20 µs a line). A test holds the two equal."""
    uit: dict[str, Any] = {"regel": nummer}
    if sleutel is not None:
        uit["sleutel"] = sleutel
    uit["status"] = 201
    uit["locatieId"] = uitkomst.locatie_id
    uit["versie"] = uitkomst.versie
    if uitkomst.herhaald:
        uit["herhaald"] = True
    return uit


Gelezen = tuple[dict[int, tuple[str | None, Problem]], list[tuple[int, ImportRegel]]]


def _lees_batch(regels: list[tuple[int, bytes | None]], crs: str, max_regel: int) -> Gelezen:
    """Parse and validate one batch of lines: the refused lines' problems by number, and the
    runnable lines. Reads no state of the import or the database, so it may run while the
    batch before it is being written."""
    klaar: dict[int, tuple[str | None, Problem]] = {}
    gelezen: list[tuple[int, bytes, ImportRegel | _Registratie]] = []
    for nummer, ruw in regels:
        if ruw is None:
            klaar[nummer] = (
                None,
                _probleem(
                    413,
                    f"De regel is langer dan {max_regel} bytes.",
                    [InvalidParam(name="regel", reason=f"langer dan {max_regel} bytes")],
                ),
            )
            continue
        try:
            gelezen.append((nummer, ruw, _lees(ruw, crs)))
        except _Regelfout as exc:
            klaar[nummer] = (_sleutel_uit(ruw), exc.probleem)
    # The registrations' geometries, all converted at once, then their commands.
    omgerekend = _omgerekend([r for _, _, r in gelezen if isinstance(r, _Registratie)])
    te_doen: list[tuple[int, ImportRegel]] = []
    for nummer, ruw, regel in gelezen:
        if isinstance(regel, _Registratie):
            try:
                regel = _registreer(regel, omgerekend.get(regel.crs))
            except _Regelfout as exc:
                klaar[nummer] = (_sleutel_uit(ruw), exc.probleem)
                continue
        te_doen.append((nummer, regel))
    return klaar, te_doen


def _voer_uit(
    importeur: Importeur, regels: list[tuple[int, bytes | None]], gelezen: Gelezen
) -> bytes:
    """Run a parsed batch; its result lines, in order."""
    klaar, te_doen = gelezen
    uitkomsten = importeur.verwerk([r for _, r in te_doen])
    gedaan = {n: (r.sleutel, u) for (n, r), u in zip(te_doen, uitkomsten, strict=True)}
    uit = bytearray()
    for nummer, _ in regels:
        sleutel, uitkomst = klaar.get(nummer) or gedaan[nummer]
        uit += _resultaat(nummer, sleutel, uitkomst)
    return bytes(uit)


def _scope(actor: handlers.Actor) -> str:
    """Whose line keys: a hash of the token's ``sub``, as for Idempotency-Key."""
    return hashlib.sha256(f"sub\x00{actor.principal.sub}".encode()).hexdigest()


def _sleutel_uit(ruw: bytes) -> str | None:
    """The client's key of an invalid line, when it can be read, so the answer names it."""
    try:
        sleutel = orjson.loads(ruw).get("sleutel")
    except (orjson.JSONDecodeError, AttributeError):
        return None
    return sleutel if isinstance(sleutel, str) and len(sleutel) <= 255 else None


async def _batches(
    request: Request, max_regel: int
) -> AsyncIterator[list[tuple[int, bytes | None]]]:
    """The body's lines with their numbers (from 1) in batches of at most ``BATCH_REGELS``
    lines, a batch ending at the line that brings its bytes to ``BATCH_BYTES``; a line longer
    than ``max_regel`` comes as None, blank lines count but are left out. Holds no more of the
    body than a batch, the piece received and the line it ended in. Each piece is split into
    its lines at once (in C), not line by line in Python: ~0.3 instead of ~1.2 µs a line."""
    batch: list[tuple[int, bytes | None]] = []
    grootte = 0
    nummer = 0
    begonnen = bytearray()  # the line the previous piece ended in, or nothing
    te_lang = False  # that line is longer than max_regel already
    async for stuk in request.stream():
        delen = stuk.split(b"\n")
        laatste = delen.pop()  # the piece's unfinished line (b"" after a newline)
        for deel in delen:
            nummer += 1
            if begonnen or te_lang:
                if not te_lang:
                    begonnen += deel
                ruw: bytes | None = None if te_lang else bytes(begonnen)
                begonnen.clear()
                te_lang = False
            else:
                ruw = deel
            if ruw is not None and len(ruw) > max_regel:
                ruw = None
            elif ruw is not None and not ruw.strip():
                continue
            batch.append((nummer, ruw))
            if ruw is not None:
                grootte += len(ruw)
            if len(batch) >= BATCH_REGELS or grootte >= BATCH_BYTES:
                yield batch
                batch, grootte = [], 0
        if not te_lang:
            begonnen += laatste
            if len(begonnen) > max_regel:
                te_lang = True
                begonnen.clear()
    if te_lang or begonnen.strip():
        batch.append((nummer + 1, None if te_lang else bytes(begonnen)))
    if batch:
        yield batch


def _ingevuld(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its nested models written out (a streamed body or answer
    has no response model, so FastAPI puts none of them in the components)."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def vul(x: Any) -> Any:
        if isinstance(x, dict):
            if "$ref" in x:
                return vul(defs[x["$ref"].rsplit("/", 1)[1]])
            return {k: vul(v) for k, v in x.items()}
        if isinstance(x, list):
            return [vul(v) for v in x]
        return x

    uit: dict[str, Any] = vul(schema)
    return uit


@router.api_route("/import", methods=["GET", "PUT", "PATCH", "DELETE"], include_in_schema=False)
async def alleen_post() -> None:
    """Only POST: any other method would reach ``GET /spoedlocaties/{locatieId}`` as a site
    named "import" (a 400 instead of the 405 with ``Allow: POST`` it is)."""
    raise StarletteHTTPException(405)


@router.post(
    "/import",
    summary="Importeer een historie (NDJSON)",
    response_class=StreamingResponse,
    openapi_extra={
        **beleid.openapi_extra("locaties.importeer"),
        "requestBody": {
            "required": True,
            "content": {NDJSON: {"schema": _ingevuld(ImportRegelIn)}},
        },
    },
    responses={
        200: {
            "description": "Eén resultaatregel per invoerregel, in volgorde (NDJSON).",
            "content": {NDJSON: {"schema": _ingevuld(ImportResultaat)}},
        },
        401: ERRORS[401],
        403: {"description": "Alleen een bevoegd gezag importeert"},
        413: {"description": "Een regel is te lang (per regel in het resultaat)"},
        415: {"description": "De body is geen application/x-ndjson"},
    },
)
async def importeer(
    request: Request, services: Services, actor: CurrentActor, crs: ContentCrs
) -> StreamingResponse:
    """Importeert de historie van een bevoegd gezag uit het eigen bodeminformatiesysteem: een
    stroom NDJSON-regels, elk een registratie of een commando op een locatie, in dezelfde vorm
    en met dezelfde regels als de losse commando's (elke regel alleen op eigen locaties; een
    commando noemt locatieId en de versie waarop het voortbouwt, zoals If-Match). Het antwoord
    is een stroom met per invoerregel één resultaatregel: status 201 met locatieId en versie,
    of een probleem (RFC 9457) voor die regel. Een geweigerde regel legt niets vast en houdt de
    andere niet tegen; een regel die voortbouwt op een geweigerde regel krijgt 412 (de versie
    klopt dan niet) of 404 (de locatie bestaat niet). Opnieuw versturen is veilig: een regel
    met een sleutel die al is vastgelegd, legt niets nieuws vast en krijgt hetzelfde antwoord."""
    importeur = Importeur(
        actor,
        services.sessions,
        _scope(actor),
        services.settings.spoedlocaties_topic,
        personen=services.personen,
        on_commit=services.relay.wake if services.relay else None,
        correctiecontrole=services.correctiecontrole,
    )
    soort = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if soort != NDJSON:
        raise ProblemError(
            415,
            f"Stuur de regels als {NDJSON} (één JSON-object per regel).",
            invalid_params=[InvalidParam(name="header.Content-Type", reason=f"verwacht {NDJSON}")],
        )
    max_regel = services.settings.max_body_bytes

    async def resultaten() -> AsyncIterator[bytes]:
        # A pipeline of two: the next batch is read from the body and parsed while the one
        # before it is written (parsing is Python, writing waits on the database half of its
        # time). Batches still run one after the other, each only after the results of the one
        # before went out, so what is recorded and answered is as without it.
        # Collections tuned for bulk work while the request runs (shared/gc_tuning.py). Once
        # the last batch has run, the sites kept in memory are let go before the thresholds go
        # back: the collection the usual threshold then starts at once need not trace them.
        # (Not when the request ends otherwise: a batch may still be running in its thread.)
        with gc_tuning.bulk():
            lopend: asyncio.Task[bytes] | None = None
            async for batch in _batches(request, max_regel):
                gelezen = await _gelezen(batch)
                if lopend is not None:
                    yield await lopend
                lopend = asyncio.create_task(_uitgevoerd(batch, gelezen))
            if lopend is not None:
                yield await lopend
            importeur.laat_los()

    async def _gelezen(batch: list[tuple[int, bytes | None]]) -> Gelezen | Exception:
        try:
            return await anyio.to_thread.run_sync(_lees_batch, batch, crs, max_regel)
        except Exception as exc:
            return exc

    async def _uitgevoerd(
        batch: list[tuple[int, bytes | None]], gelezen: Gelezen | Exception
    ) -> bytes:
        try:
            if isinstance(gelezen, Exception):
                raise gelezen
            return await anyio.to_thread.run_sync(_voer_uit, importeur, batch, gelezen)
        except Exception:
            # Not a refused line: the service failed (a lost database). Each line of the batch
            # it ran says it was not recorded (with its key); sending the file again continues
            # where it stopped. A line refused as it was read keeps its own answer.
            log.exception("bulk import: a batch failed")
            return _niet_verwerkt(batch, gelezen)

    def _niet_verwerkt(
        batch: list[tuple[int, bytes | None]], gelezen: Gelezen | Exception
    ) -> bytes:
        p = _als_probleem(NietVerwerkt())
        klaar, te_doen = ({}, []) if isinstance(gelezen, Exception) else gelezen
        sleutels = {n: r.sleutel for n, r in te_doen}
        return b"".join(
            _resultaat(n, *klaar[n]) if n in klaar else _resultaat(n, sleutels.get(n), p)
            for n, _ in batch
        )

    return _Resultaatstroom(resultaten(), media_type=NDJSON)
