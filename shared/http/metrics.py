"""Prometheus metrics at ``/metrics``: request rates and latencies per route (a middleware), and
per service what its container measures at scrape time (outbox backlog, consumer lag, dead
letters, anchors), read fresh on every scrape, never cached between them.

Request metrics live in the process's default registry, labelled by service, so several apps in
one process (the tests) share them without clashing; a container's gauges are collected per app.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import CollectorRegistry, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shared import integriteit
from shared.eventstore.tables import dead_letters, events, outbox

REQUESTS = Counter(
    "bodemregie_http_requests",
    "HTTP requests answered, per service, method, route template and status",
    ["service", "method", "route", "status"],
)
LATENCY = Histogram(
    "bodemregie_http_request_seconds",
    "Time to answer an HTTP request, per service, method and route template",
    ["service", "method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

# Per gauge: its help text. A container's ``meetwaarden()`` returns values for these names,
# with labels where one service has several (e.g. a consumer per group).
GAUGES = {
    "bodemregie_outbox_backlog": "Outbox rows committed but not yet published to Kafka",
    "bodemregie_consumer_lag": "Records between a consumer's position and the partitions' end",
    "bodemregie_dead_letters": "Events a consumer could not process (dead_letters rows)",
    "bodemregie_anchors": "Anchors (signed Merkle roots) in the event store",
    "bodemregie_last_position": "The highest global position in the event store",
}

Samples = list[tuple[dict[str, str], float]]
Meetwaarden = Callable[[], dict[str, Samples]]


class ContainerCollector(Collector):
    def __init__(self, service: str, meetwaarden: Callable[[], Meetwaarden | None]) -> None:
        self._service = service
        self._meetwaarden = meetwaarden

    def collect(self) -> Iterator[GaugeMetricFamily]:
        bron = self._meetwaarden()
        if bron is None:
            return
        for name, samples in bron().items():
            labels = sorted({k for labels, _ in samples for k in labels})
            family = GaugeMetricFamily(name, GAUGES.get(name, name), labels=["service", *labels])
            for sample_labels, value in samples:
                family.add_metric(
                    [self._service, *(sample_labels.get(k, "") for k in labels)], value
                )
            yield family


GEEN_ROUTE = "(geen route)"


def route_template(scope: Scope) -> str | None:
    """The matched operation's path template with its prefix (``/v1/spoedlocaties/{id}``):
    FastAPI keeps it in the route context of an included router, else the route has it."""
    context = scope.get("fastapi", {}).get("effective_route_context")
    path = getattr(context, "path", None) or getattr(scope.get("route"), "path", None)
    return str(path) if path else None


class Verzoekmeting:
    """Counts and times a service's requests. The labelled children are kept per label set
    (routes and statuses are few): ``labels()`` costs a lock and a tuple per call."""

    def __init__(self, service: str) -> None:
        self.service = service
        self._tellers: dict[tuple[str, str, int], Any] = {}
        self._duren: dict[tuple[str, str], Any] = {}

    def meet(self, method: str, template: str, status: int, seconden: float) -> None:
        teller = self._tellers.get((method, template, status))
        if teller is None:
            teller = REQUESTS.labels(self.service, method, template, str(status))
            self._tellers[(method, template, status)] = teller
        teller.inc()
        duur = self._duren.get((method, template))
        if duur is None:
            duur = self._duren[(method, template)] = LATENCY.labels(self.service, method, template)
        duur.observe(seconden)


class MetricsMiddleware:
    """Counts and times every request by its route template (``/v1/spoedlocaties/{id}``, not
    the concrete path: one series per operation, not per site). The apps measure in their
    correlation middleware instead (``shared/http/logs.py``): one layer fewer per request."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.meting = Verzoekmeting(service)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 500}

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            template = route_template(scope) or GEEN_ROUTE
            seconden = time.perf_counter() - started
            self.meting.meet(scope.get("method", ""), template, status["code"], seconden)


def metrics_router(app: FastAPI, service: str) -> APIRouter:
    """``GET /metrics`` (outside ``/v1``: it is for Prometheus, not part of the API), in the
    Prometheus text format; the container's gauges come from ``container.meetwaarden`` when the
    service's container has one."""
    registry = CollectorRegistry(auto_describe=False)

    def bron() -> Meetwaarden | None:
        container: Any = getattr(app.state, "container", None)
        return getattr(container, "meetwaarden", None)

    registry.register(ContainerCollector(service, bron))
    router = APIRouter(include_in_schema=False)

    @router.get("/metrics")
    def metrics(request: Request) -> Response:
        body = generate_latest(REGISTRY) + generate_latest(registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router


# --- what a service's container measures (each a cheap indexed query, run per scrape) ---


def store_meetwaarden(sessions: sessionmaker[Session]) -> dict[str, float]:
    """An event store's outbox backlog, anchors and last position."""
    with sessions() as s:
        backlog = s.execute(
            select(func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
        ).scalar_one()
        ankers = s.execute(
            select(func.max(events.c.version)).where(events.c.stream_id == integriteit.ANKER_STREAM)
        ).scalar_one()
        positie = s.execute(select(func.max(events.c.position))).scalar_one()
    return {
        "bodemregie_outbox_backlog": float(backlog or 0),
        "bodemregie_anchors": float(ankers or 0),
        "bodemregie_last_position": float(positie or 0),
    }


def dead_letter_meetwaarden(sessions: sessionmaker[Session]) -> Samples:
    """Dead letters per consumer."""
    with sessions() as s:
        rows = s.execute(
            select(dead_letters.c.consumer, func.count()).group_by(dead_letters.c.consumer)
        ).all()
    return [({"consumer": str(c)}, float(n)) for c, n in rows]


def lag_meetwaarden(lags: list[tuple[str, int | None]]) -> Samples:
    return [({"consumer": name}, float(lag)) for name, lag in lags if lag is not None]


def zonder_labels(values: dict[str, float]) -> dict[str, Samples]:
    return {name: [({}, value)] for name, value in values.items()}
