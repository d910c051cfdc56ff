"""The FastAPI application factory every service uses."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol, TypeVar

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.telemetry import TelemetryConfig
from pydantic import BaseModel
from sqlalchemy import Engine, text

from shared.ankersleutels import gediend
from shared.auth import TokenVerifier
from shared.beleid import GeenToegang
from shared.http import ankersleutels as ankersleutels_route
from shared.http import landingspagina
from shared.http.cors import Cors
from shared.http.health import RETRY_AFTER, install_unavailable_handlers
from shared.http.logs import CorrelatieMiddleware, configure_json_logging
from shared.http.metrics import Verzoekmeting, metrics_router
from shared.http.middleware import HeadersMiddleware, InvoerMiddleware
from shared.http.openapi import nl_gov_openapi
from shared.http.problems import ProblemError, install_domain_errors, install_problem_handlers
from shared.http.queryparameters import weiger_onbekende
from shared.http.ratelimit import RateLimitMiddleware
from shared.settings import DEFAULT_RATE_LIMIT_PER_MINUTE, ServiceSettings

BASE_PATH = "/v1"
CONTACT = {
    "name": "Bodemregie, Uitvoeringsprogramma Bodem en Ondergrond",
    "email": "bodemregie@example.org",
    "url": "https://bodemregie.example.org",
}

ReadinessCheck = Callable[[], None]
GEEN_TELEMETRIE: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False}


class Health(BaseModel):
    status: str
    checks: dict[str, str] = {}


def create_app(
    *,
    title: str,
    description: str,
    api_version: str,
    routers: Sequence[APIRouter],
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
    readiness: Callable[[FastAPI], dict[str, ReadinessCheck]] | None = None,
    max_body_bytes: int = 1_000_000,
    server_url: str = "",
    tags: list[dict[str, str]] | None = None,
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT_PER_MINUTE,
    service: str = "",
    streamed_paths: Sequence[str] = (),
    cors_origins: Sequence[str] = (),
    landing: landingspagina.Secties | None = None,
) -> FastAPI:
    """Build a service app: ``/v1`` base path, OpenAPI at ``/v1/openapi.json``, problem+json
    errors, ``API-Version`` and security headers, body limit, rate limit per token, health and
    readiness. ``streamed_paths`` (NDJSON uploads) limit and check each line themselves."""
    app = FastAPI(
        title=title,
        description=description,
        version=api_version,
        lifespan=lifespan,
        openapi_url=f"{BASE_PATH}/openapi.json",
        docs_url=f"{BASE_PATH}/docs",
        redoc_url=None,
        redirect_slashes=False,
        openapi_tags=tags,
        # Before every operation: a typo in a filter must not answer for the whole country.
        dependencies=[Depends(weiger_onbekende)],
        # The services measure with Prometheus and log JSON themselves (metrics.py, logs.py);
        # FastAPI's own OpenTelemetry hooks, never configured here, looked up the global
        # providers (and the environment) on every request.
        telemetry=GEEN_TELEMETRIE,
    )
    install_problem_handlers(app)
    install_domain_errors(app, {GeenToegang: 403})  # the one policy, in every service
    for router in routers:
        app.include_router(router, prefix=BASE_PATH)
    app.include_router(_health_router(readiness), prefix=BASE_PATH)
    app.include_router(landingspagina.router(title, description, BASE_PATH, landing))
    install_unavailable_handlers(app)  # database away: 503 with Retry-After, never 500
    app.include_router(metrics_router(app, service or title))
    # Body limit and NUL check in one layer (the check reads the body, the limit counts it).
    app.add_middleware(InvoerMiddleware, max_bytes=max_body_bytes, streamed_paths=streamed_paths)
    # Outside the body limit (a throttled request's body is never read), inside the headers.
    app.add_middleware(RateLimitMiddleware, per_minute=rate_limit_per_minute)
    app.add_middleware(HeadersMiddleware, api_version=api_version)
    if cors_origins:  # outside the rate limit and headers: its answers carry the CORS headers
        app.add_middleware(Cors, origins=cors_origins)
    # Outermost: logs, counts and times every request (one layer for the three).
    meting = Verzoekmeting(service or title)
    app.add_middleware(CorrelatieMiddleware, service=service or title, meting=meting)

    def _openapi() -> dict[str, Any]:
        return nl_gov_openapi(app, BASE_PATH, CONTACT, server_url)

    app.openapi = _openapi  # type: ignore[method-assign]
    return app


def _health_router(
    readiness: Callable[[FastAPI], dict[str, ReadinessCheck]] | None,
) -> APIRouter:
    router = APIRouter(tags=["Beheer"])

    @router.get("/health", response_model=Health, summary="Leeft de service?")
    def health() -> Health:
        """Liveness: antwoordt 200 zolang het proces verzoeken afhandelt."""
        return Health(status="ok")

    @router.get(
        "/ready",
        response_model=Health,
        summary="Is de service klaar voor verkeer?",
        responses={503: {"description": "Een afhankelijkheid is niet bereikbaar"}},
    )
    def ready(request: Request) -> Health:
        """Readiness: controleert de database en andere afhankelijkheden van de service."""
        checks = readiness(request.app) if readiness else {}
        results: dict[str, str] = {}
        failed = False
        for name, check in checks.items():
            try:
                check()
                results[name] = "ok"
            except Exception as exc:
                failed = True
                results[name] = f"fout: {type(exc).__name__}"
        if failed:
            raise ProblemError(
                503,
                "Niet alle afhankelijkheden zijn bereikbaar: "
                + ", ".join(f"{k}={v}" for k, v in results.items()),
                headers=RETRY_AFTER,
            )
        return Health(status="ok", checks=results)

    return router


class ServiceContainer(Protocol):
    """What a service's bootstrap returns: its wiring, with readiness checks and a close."""

    def readiness_checks(self) -> dict[str, ReadinessCheck]: ...

    def close(self) -> None: ...


def database_check(engine: Engine) -> ReadinessCheck:
    """Readiness: the database answers."""

    def check() -> None:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    return check


S = TypeVar("S", bound=ServiceSettings)


def service_app(
    *,
    title: str,
    description: str,
    api_version: str,
    routers: Sequence[APIRouter],
    settings: S,
    bootstrap: Callable[[S], ServiceContainer],
    ankersleutels: bool = False,
    streamed_paths: Sequence[str] = (),
    landing: landingspagina.Secties | None = None,
    domain_errors: Mapping[type[Exception], int | tuple[int, str]] | None = None,
) -> FastAPI:
    """A service app whose lifespan runs ``bootstrap(settings)`` (engines, consumers, relay),
    keeps the result in ``app.state.container`` and closes it on shutdown. A service that signs
    anchors (``ankersleutels``) also serves their public keys at ``/v1/ankersleutels``; its
    ``domain_errors`` (``{Exception: status}``) are answered as problems."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if ankersleutels:
            # Loaded before anything else starts: a key that cannot be read stops the start.
            app.state.ankersleutels = gediend(settings.anker_sleutel, settings.anker_oude_sleutels)
        if settings.log_json:
            configure_json_logging()
        container = bootstrap(settings)
        app.state.container = container
        # What lives on the event loop warms there before the first request (connections
        # opened, statements prepared: ``services/locaties/bootstrap.py``).
        opwarmen = getattr(container, "opwarmen", None)
        if opwarmen is not None:
            await opwarmen()
        app.state.token_verifier = TokenVerifier(settings)
        try:
            yield
        finally:
            # What lives on the event loop (async connections) closes on it, first.
            aclose = getattr(container, "aclose", None)
            try:
                if aclose is not None:
                    await aclose()
            finally:
                container.close()

    def readiness(app: FastAPI) -> dict[str, ReadinessCheck]:
        container: ServiceContainer = app.state.container
        return container.readiness_checks()

    app = create_app(
        title=title,
        description=description,
        api_version=api_version,
        routers=[*routers, *([ankersleutels_route.router] if ankersleutels else [])],
        lifespan=lifespan,
        readiness=readiness,
        max_body_bytes=settings.max_body_bytes,
        rate_limit_per_minute=settings.rate_limit_per_minute,
        server_url=settings.public_base_url or f"http://localhost:{settings.port}",
        service=str(getattr(settings, "service_name", "")),
        streamed_paths=streamed_paths,
        cors_origins=settings.cors_origin_lijst(),
        landing=landing,
    )
    install_domain_errors(app, dict(domain_errors or {}))
    return app
