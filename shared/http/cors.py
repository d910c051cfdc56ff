"""CORS for the frontends the operator names (``BODEMREGIE_CORS_ORIGINS``), none by default.

Tokens travel in the Authorization header, never in cookies, so credentials are not allowed
and a named origin is all a browser needs. A preflight from any other origin (or for a method
or header the API does not take) is refused with 403 problem+json and without any
``Access-Control-Allow-*`` header, so the browser blocks the request."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from shared.http.problems import problem_response

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
# What the API reads from a request beyond the CORS-safelisted headers.
REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept-Crs",
    "Content-Crs",
    "If-Match",
    "Idempotency-Key",
    "X-Correlation-Id",
)
# What a frontend may read from a response beyond the safelisted ones.
RESPONSE_HEADERS = (
    "API-Version",
    "Content-Crs",
    "ETag",
    "Location",
    "Retry-After",
    "X-Correlation-Id",
    "X-Pagination-Limit",
    "X-Pagination-Page",
    "X-Total-Count",
)


class Cors(CORSMiddleware):
    """Starlette's CORS with named origins only, and a refused preflight as problem+json."""

    def __init__(self, app: ASGIApp, origins: Sequence[str]) -> None:
        super().__init__(
            app,
            allow_origins=list(origins),
            allow_methods=METHODS,
            allow_headers=REQUEST_HEADERS,
            allow_credentials=False,
            expose_headers=RESPONSE_HEADERS,
            max_age=600,
        )

    def preflight_response(self, request_headers: Headers) -> Response:
        antwoord = super().preflight_response(request_headers)
        if antwoord.status_code < 400:
            return antwoord
        reden = bytes(antwoord.body).decode().removeprefix("Disallowed CORS ")
        return problem_response(403, f"Dit cross-origin verzoek is niet toegestaan ({reden}).")
