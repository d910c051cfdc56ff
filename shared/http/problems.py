"""Errors as ``application/problem+json`` (RFC 9457), never a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "Ongeldige invoer",
    401: "Niet geauthenticeerd",
    403: "Geen toegang",
    404: "Niet gevonden",
    405: "Methode niet toegestaan",
    406: "Formaat niet beschikbaar",
    409: "Conflict",
    412: "Voorwaarde niet vervuld",
    413: "Verzoek te groot",
    415: "Mediatype niet ondersteund",
    422: "Niet verwerkbaar",
    428: "Voorwaarde vereist",
    429: "Te veel verzoeken",
    500: "Interne fout",
    503: "Niet beschikbaar",
}


class InvalidParam(BaseModel):
    name: str = Field(description="Het veld of de parameter, bijvoorbeeld `body.naam`.")
    reason: str


class Problem(BaseModel):
    """Foutbericht volgens RFC 9457."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    instance: str | None = None
    invalidParams: list[InvalidParam] | None = None


class ProblemError(Exception):
    """Raise from domain-facing code to answer with a problem response."""

    def __init__(
        self,
        status: int,
        detail: str,
        title: str | None = None,
        invalid_params: list[InvalidParam] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or TITLES.get(status, "Fout")
        self.invalid_params = invalid_params
        self.headers = headers


def problem_response(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    instance: str | None = None,
    invalid_params: list[InvalidParam] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = Problem(
        title=title or TITLES.get(status, "Fout"),
        status=status,
        detail=detail,
        instance=instance,
        invalidParams=invalid_params,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _field_name(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.detail,
            title=exc.title,
            instance=request.url.path,
            invalid_params=exc.invalid_params,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        params = [
            InvalidParam(
                name=_field_name(tuple(e.get("loc", ()))), reason=str(e.get("msg", "ongeldig"))
            )
            for e in exc.errors()
        ]
        names = ", ".join(p.name for p in params)
        return problem_response(
            400,
            f"De invoer is ongeldig: {names}.",
            instance=request.url.path,
            invalid_params=params,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "")
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"Er is geen resource op {request.url.path}."
        if exc.status_code == 405 and detail == "Method Not Allowed":
            detail = f"{request.method} is niet toegestaan op {request.url.path}."
        return problem_response(
            exc.status_code,
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            500, "Er ging iets mis aan onze kant; de fout is gelogd.", instance=request.url.path
        )


def domain_problem(exc: Exception, status: int, title: str | None = None) -> Problem:
    """The problem for a domain exception: its message as the detail; an exception with
    ``veld`` and ``reden`` names the invalid field."""
    detail = str(exc).rstrip(".") + "."
    params = None
    if hasattr(exc, "veld") and hasattr(exc, "reden"):
        detail = f"De invoer is ongeldig: {detail}"
        params = [InvalidParam(name=f"body.{exc.veld}", reason=str(exc.reden))]
    return Problem(
        title=title or TITLES.get(status, "Fout"),
        status=status,
        detail=detail,
        invalidParams=params,
    )


def install_domain_errors(
    app: FastAPI, statuses: dict[type[Exception], int | tuple[int, str]]
) -> None:
    """Answer a service's domain exceptions as problems: ``{Exception: status}`` or
    ``{Exception: (status, title)}``. The detail is the exception's message; an exception with
    ``veld`` and ``reden`` names the invalid field, one with ``headers`` sends them along."""

    def handler(status: int, title: str | None) -> Any:
        async def _handle(request: Request, exc: Exception) -> JSONResponse:
            p = domain_problem(exc, status, title)
            return problem_response(
                status,
                p.detail,
                title=title,
                instance=request.url.path,
                invalid_params=p.invalidParams,
                headers=getattr(exc, "headers", None),
            )

        return _handle

    for exc_type, weergave in statuses.items():
        status, title = weergave if isinstance(weergave, tuple) else (weergave, None)
        app.add_exception_handler(exc_type, handler(status, title))
