"""Run schemathesis' engine (what ``st run --checks all`` runs) against an app in this process.

Every check of the installed schemathesis runs, in every phase (examples, coverage, fuzzing,
stateful with the links schemathesis infers from ``Location`` headers and from the schema).
Three things are configured, each because the API follows a standard the defaults do not know:

- ``missing_required_header`` also accepts 428: a missing ``If-Match`` is answered with
  428 Precondition Required, the status RFC 6585 made for exactly that;
- ``positive_data_acceptance`` also accepts 412: a well-formed ``If-Match`` that names an older
  version is refused with 412 Precondition Failed (RFC 9110), a state conflict like the 409 the
  check already accepts;
- a schema-valid request refused with 400 is a failure unless every field the problem names
  carries ``x-domeinregel`` in the document: a rule JSON Schema cannot say (today's date, another
  field, the resource's state), documented on that field (shared/http/schematypen.py). The NL
  API Design Rules answer domain validation errors with 400; anything else still fails.

And the client keeps the one promise of ``Idempotency-Key`` the schema cannot say: a new key for
a new request (a generated key that is valid is made unique; an invalid one is left to be
refused).
"""

from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import schemathesis
from fastapi import FastAPI
from schemathesis.engine import events, from_schema
from schemathesis.python import asgi

from shared.http.idempotency import _SLEUTEL as SLEUTEL
from shared.http.idempotency import HEADER as IDEMPOTENTIE
from shared.http.schematypen import DOMEINREGEL

log = logging.getLogger(__name__)
# Kennis writes whose "datum" is the business date (a meeting's own "datum" is its day).
KENNIS_ACTIVITEITEN = (
    "POST /kennisvragen",
    "POST /vraaggroepen",
    "POST /documenten",
    "POST /successen",
    "POST /experts",
    "POST /bijeenkomsten/",
)
SEED = 16
EXTRA_GEACCEPTEERD = {
    # 410: a person erased on request (RFC 9110 15.5.11: the 404 of what existed once).
    "positive_data_acceptance": [
        *("2xx", "3xx", "401", "403", "404", "409", "410", "412", "429", "5xx"),
    ],
    "missing_required_header": ["400", "401", "403", "406", "415", "422", "428"],
}


_TELLER = itertools.count(1)


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx: Any, value: Any) -> bytes:
    """The import's body is NDJSON: the generated line (a generated list: a line each)."""
    if isinstance(value, bytes):
        return value
    regels = value if isinstance(value, list) else [value]
    return b"".join(json.dumps(regel).encode() + b"\n" for regel in regels)


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """A new Idempotency-Key for every new request, and plausible valid bodies (see
    :func:`aannemelijk`), right before sending (this hook can only be global)."""
    sleutel = (case.headers or {}).get(IDEMPOTENTIE)
    if isinstance(sleutel, str) and SLEUTEL.match(sleutel):
        case.headers[IDEMPOTENTIE] = f"contract-{next(_TELLER)}"
    meta = case.meta
    if meta is not None and meta.generation.mode.is_positive and isinstance(case.body, dict):
        case.body = aannemelijk(case.operation.label, case.body)


def aannemelijk(operatie: str, body: dict[str, Any]) -> dict[str, Any]:
    """A valid body made plausible for the domain, so that writes get past the policy and the
    date rules to the aggregate: for the seeded organisation (ZH, municipality 0513), dated
    after the registration of 2010-03-15 and without a drawn id or geometry; a kennis activity
    dated on the seeded meeting's day (a drawn date is almost never between 2009 and today).
    Only bodies that are valid already (positive cases), only fields they have: the checks see
    real answers."""
    body = dict(body)
    if operatie == "POST /spoedlocaties":
        body.update(bevoegdGezag="ZH", gemeentecode="0513", registratiedatum="2010-03-15")
        body.pop("locatieId", None)
        body.pop("geometrie", None)
    for veld in ("besluitdatum", "beoordelingsdatum", "datum"):
        if veld in body and operatie.startswith("POST /spoedlocaties/"):
            body[veld] = "2011-06-01"
    if "datum" in body and operatie.startswith(KENNIS_ACTIVITEITEN):
        body["datum"] = datetime.now(UTC).date().isoformat()
    return body


@dataclass(frozen=True)
class Fout:
    operatie: str
    check: str
    titel: str
    uitleg: str
    status: int | None
    antwoord: str
    curl: str

    def __str__(self) -> str:
        return (
            f"{self.operatie} [{self.check}] {self.titel}: {self.uitleg}\n"
            f"  -> {self.status} {self.antwoord}\n  {self.curl}"
        )


@contextmanager
def gestart(app: FastAPI) -> Iterator[Any]:
    """A client on schemathesis' own event loop and lifespan, so seeding and testing share one
    started app; the lifespan stops at the end."""
    try:
        with asgi.get_client(app) as client:  # type: ignore[arg-type]
            yield client
    finally:
        asgi.shutdown_lifespans()


def _velden_met_regel(doc: dict[str, Any], operatie: dict[str, Any]) -> set[str]:
    """``query.x``/``header.x``/``body.x`` for every field of the operation with a domain rule."""
    namen = {
        f"{p['in']}.{p['name']}"
        for p in operatie.get("parameters", [])
        if DOMEINREGEL in json.dumps(p.get("schema", {}))
    }
    inhoud = operatie.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = inhoud.get("schema", {})
    if "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    for naam, veld in schema.get("properties", {}).items():
        if DOMEINREGEL in json.dumps(veld) or _verwijst_naar_regel(doc, veld):
            namen.add(f"body.{naam}")
    return namen


def _verwijst_naar_regel(doc: dict[str, Any], veld: dict[str, Any]) -> bool:
    tekst = json.dumps(veld)
    for naam, sub in doc["components"]["schemas"].items():
        if f'"#/components/schemas/{naam}"' in tekst and DOMEINREGEL in json.dumps(sub):
            return True
    return False


def _domeinregel(doc: dict[str, Any], failure: Any, case: Any, response: Any) -> bool:
    """True when a refused valid request was refused for documented domain rules only."""
    if type(failure).__name__ != "RejectedPositiveData" or response.status_code != 400:
        return False
    try:
        genoemd = {
            p["name"].split(".")[0] + "." + p["name"].split(".")[1]
            for p in response.json().get("invalidParams", [])
        }
    except (ValueError, AttributeError, IndexError):
        return False
    operatie = doc["paths"][case.operation.path][case.method.lower()]
    return bool(genoemd) and genoemd <= _velden_met_regel(doc, operatie)


def _per_regel_geweigerd(failure: Any, response: Any) -> bool:
    """True when invalid data was refused in the documented form of a streamed answer: the
    bulk import answers 200 with a result line per input line (a bad line must not stop the
    others), so an invalid line is refused by its own problem line. Every result line must be
    a refusal for this to count."""
    if type(failure).__name__ != "AcceptedNegativeData" or response.status_code != 200:
        return False
    soort = response.headers.get("content-type") or [""]
    if not str(soort[0] if isinstance(soort, list) else soort).startswith("application/x-ndjson"):
        return False
    try:
        regels = [json.loads(regel) for regel in response.text.splitlines() if regel.strip()]
    except ValueError:
        return False
    return bool(regels) and all(
        isinstance(regel, dict) and int(regel.get("status", 0)) >= 400 and "probleem" in regel
        for regel in regels
    )


@contextmanager
def _zonder_lokale_constanten() -> Iterator[None]:
    """Hypothesis draws some values from the literals of the local modules loaded at that
    moment (its "local constants", ``hypothesis.internal.conjecture.providers``), so what a run
    generates depended on which of the project's modules were imported before it, not only on
    the seed: alone the locaties run reached a site's history, but with the whole suite
    collected (every test module imported) its stateful steps met only 400s there (2026-12-02).
    Without them the run is the same alone and in the suite. A private API: when a Hypothesis
    release moves it, this says so instead of silently generating differently."""
    from hypothesis.internal.conjecture import providers

    eerder = providers._get_local_constants
    leeg = providers.Constants()
    providers._get_local_constants = lambda: leeg
    providers.CONSTANTS_CACHE.cache.clear()
    try:
        yield
    finally:
        providers._get_local_constants = eerder
        providers.CONSTANTS_CACHE.cache.clear()


def voer_uit(
    app: FastAPI,
    token: str,
    *,
    max_examples: int,
) -> Uitslag:
    """Run all phases and checks: the failures, the scenarios per phase, the stateful steps."""
    config = schemathesis.Config.from_dict(
        {
            "seed": SEED,
            # Free texts carry a pattern (shared/tekst.py) that is slow to draw from, not wrong.
            "suppress-health-check": ["too_slow"],
            # As a security scheme, not a fixed header: the auth checks leave it out on purpose.
            "auth": {"openapi": {"HTTPBearer": {"bearer": token}}},
            # No request with U+0000 counts as valid: every API refuses it in any field with 400
            # (shared/http/middleware.py, said in each document's description).
            "generation": {
                "max-examples": max_examples,
                "deterministic": True,
                "allow-x00": False,
            },
            # Stateful runs are cheap and what reaches the domain: more of them. With the
            # programme's three operations in the locaties document, 6 steps x 12 examples no
            # longer reached a site's history reliably (it depended on what was imported before).
            "phases": {
                "stateful": {"max-steps": 10, "generation": {"max-examples": 8 * max_examples}}
            },
            "checks": {
                naam: {"expected-statuses": statussen}
                for naam, statussen in EXTRA_GEACCEPTEERD.items()
            },
        }
    )
    schema = schemathesis.openapi.from_asgi("/v1/openapi.json", app, config=config)
    doc: dict[str, Any] = app.openapi()

    @schema.hook("filter_failure")
    def _alleen_echte(context: Any, failure: Any, case: Any, response: Any) -> bool:
        return not (
            _domeinregel(doc, failure, case, response) or _per_regel_geweigerd(failure, response)
        )

    fouten: list[Fout] = []
    scenarios: dict[str, int] = {}
    stappen: set[tuple[str, int, bool]] = set()
    t0 = time.time()
    with _zonder_lokale_constanten():
        uitvoering = list(from_schema(schema).execute())
    for event in uitvoering:
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            fase = str(getattr(event, "phase", "fuzzing"))
            scenarios[fase] = scenarios.get(fase, 0) + 1
            if fase.endswith("stateful"):
                stappen |= _stappen(event.recorder)
            fouten.extend(_fouten(event.recorder))
        elif isinstance(event, events.PhaseFinished):
            log.info("phase %s: %s at %.1f s", event.phase.name, event.status, event.timestamp - t0)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            waarde = event.value if isinstance(event, events.NonFatalError) else event.exception
            fouten.append(
                Fout(getattr(event, "label", "?"), "error", "", repr(waarde)[:500], None, "", "")
            )
    return Uitslag(fouten, scenarios, stappen)


@dataclass(frozen=True)
class Uitslag:
    fouten: list[Fout]
    scenarios: dict[str, int]  # per phase
    # (operation, status, whether a link led there) of every step the stateful runs took
    stappen: set[tuple[str, int, bool]]


def _stappen(recorder: Any) -> set[tuple[str, int, bool]]:
    """The steps of a stateful scenario; a step took a link when schemathesis filled its
    parameters from an earlier answer (the path id from a 201 body, If-Match from its ETag)."""
    gezien = set()
    for case_id, node in recorder.cases.items():
        interactie = recorder.interactions.get(case_id)
        if interactie is not None and interactie.response is not None:
            status = interactie.response.status_code
            gezien.add((node.value.operation.label, status, bool(node.is_transition_applied)))
    return gezien


def _fouten(recorder: Any) -> Iterator[Fout]:
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.failure_info is None:
                continue
            interactie = recorder.interactions.get(case_id)
            antwoord = interactie.response if interactie is not None else None
            yield Fout(
                recorder.label,
                check.name,
                getattr(check.failure_info.failure, "title", ""),
                getattr(check.failure_info.failure, "message", "").replace("\n", " | ")[:400],
                antwoord.status_code if antwoord is not None else None,
                antwoord.content[:300].decode(errors="replace") if antwoord is not None else "",
                check.failure_info.code_sample[:600],
            )
