"""The command routes' way past FastAPI's router: a valid command without an Idempotency-Key
goes from the service's own middleware straight to its route's lean path.

A status change passed, inside the service's own middleware (correlation id and access line,
headers, rate limit, body limit, NUL check), through FastAPI's exception layer, its exit-stack
layer, its router (which walks the included routers' routes, juggling its scope keys per
candidate, until the command route matches), the route's request wrapper with two more exit
stacks, and the Idempotency-Key wrapper: about a tenth of a worker's CPU per command, for
nothing a valid command uses. :class:`Snelweg`, the innermost middleware, finds the route with
the routes' own compiled path patterns, in the router's order (the first route whose pattern
matches and that takes a POST is the one the router would choose), reads the request with the
route's lean path (``Commandoroute.lees``) and calls the endpoint, with the application's own
exception handlers around it (the ones FastAPI's exception layer would apply: a domain error
is the same problem answer). The scope gets what the router would have set (path parameters,
route, endpoint, the route context whose template the access line and the metrics name).

Everything else goes the whole way, untouched: another method or path, a request with an
Idempotency-Key (its stored answer and held transaction are the wrapper's), and any request the
lean path does not accept (the body it read is handed on as it came), so FastAPI's handler
judges it and every error answer stays what it was. ``Commandoroute.snelpad = False`` turns
both lean paths off (tests compare the answers both ways).
"""

from __future__ import annotations

from collections.abc import Iterator
from re import Pattern
from typing import Any

from fastapi.routing import APIRoute
from starlette._exception_handler import wrap_app_handling_exceptions
from starlette._utils import get_route_path
from starlette.middleware.exceptions import ExceptionMiddleware
from starlette.requests import Request
from starlette.routing import BaseRoute, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.locaties.entrypoints.commandoverzoek import Commandoroute

SLEUTEL = b"idempotency-key"

# A route that takes a POST, in the router's order: its path pattern and converters, the
# command route it is (None: another route), and FastAPI's context for it. A route for other
# methods only never decides where a POST goes (the router looks further for one that takes
# it), so it is left out.
Kandidaat = tuple[Pattern[str], dict[str, Any], Commandoroute | None, Any]


class Snelweg:
    """Innermost middleware (inside the body limit and the NUL check): see the module
    docstring. ``router`` is the application's; its routes are read at the first request."""

    def __init__(self, app: ASGIApp, router: Any) -> None:
        self.app = app
        self._router = router
        self._kandidaten: list[Kandidaat] | None = None
        # The handlers FastAPI's exception layer (the next app inward) applies.
        self._handlers: tuple[Any, Any] | None = (
            (app._exception_handlers, app._status_handlers)
            if isinstance(app, ExceptionMiddleware)
            else None
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or not Commandoroute.snelpad:
            await self.app(scope, receive, send)
            return
        gevonden = self._zoek(scope)
        if gevonden is None or any(k == SLEUTEL for k, _ in scope["headers"]):
            await self.app(scope, receive, send)
            return
        route, context, params = gevonden
        scope["path_params"] = params  # as the router sets them (the same, should it run)
        request = Request(scope, receive)
        try:
            gelezen = await route.lees(request)
        except Exception:  # FastAPI's handler reads it again and answers as it always has
            gelezen = None
        if gelezen is None:
            await self.app(scope, _opnieuw(request, receive), send)
            return
        scope.setdefault("router", self._router)
        scope["route"] = route
        scope["endpoint"] = route.endpoint
        scope.setdefault("fastapi", {})["effective_route_context"] = context
        assert self._handlers is not None  # no candidates without them
        scope["starlette.exception_handlers"] = self._handlers

        async def endpoint(scope: Scope, receive: Receive, send: Send) -> None:
            response = await route.roep(gelezen)
            await response(scope, receive, send)

        await wrap_app_handling_exceptions(endpoint, request)(scope, receive, send)

    def _zoek(self, scope: Scope) -> tuple[Commandoroute, Any, dict[str, Any]] | None:
        """The command route the router would choose for this POST, with its path
        parameters; None when it would choose another route (or none)."""
        if self._kandidaten is None:
            self._kandidaten = _kandidaten(self._router) if self._handlers is not None else []
        pad = get_route_path(scope)
        for patroon, omzetters, route, context in self._kandidaten:
            match = patroon.match(pad)
            if match is None:
                continue
            if route is None or not route.snel:
                return None
            return (
                route,
                context,
                {k: omzetters[k].convert(v) for k, v in match.groupdict().items()},
            )
        return None


def _kandidaten(router: Any) -> list[Kandidaat]:
    """The application's routes in the router's order. Any kind of route this does not know
    (a mount, a host) could take a path before a command route: then nothing takes the
    short way."""
    uit: list[Kandidaat] = []
    for route, context in _routes(router):
        if isinstance(route, APIRoute) and context is not None:
            if context.max_body_size is not None:
                return []  # FastAPI's own body limit for it, which this would skip
            commando = route if isinstance(route, Commandoroute) else None
            if not context.methods or "POST" in context.methods:
                uit.append((context.path_regex, context.param_convertors, commando, context))
        elif isinstance(route, Route):
            if not route.methods or "POST" in route.methods:
                uit.append((route.path_regex, route.param_convertors, None, None))
        else:
            return []
    return uit


def _routes(router: Any) -> Iterator[tuple[BaseRoute, Any]]:
    """Each route with FastAPI's context for it (an included router's routes carry their
    prefix there), in the order the router tries them."""
    for route in router.routes:
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is None:
            yield route, None
            continue
        for context in contexts():
            yield context.original_route, context


def _opnieuw(request: Request, receive: Receive) -> Receive:
    """``receive`` as it was before the lean path read the body (if it did)."""
    body: bytes | None = getattr(request, "_body", None)
    if body is None:
        return receive
    gegeven = False

    async def opnieuw() -> Message:
        nonlocal gegeven
        if gegeven:
            return await receive()
        gegeven = True
        return {"type": "http.request", "body": body, "more_body": False}

    return opnieuw
