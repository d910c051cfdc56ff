"""The dead letters of a service's consumers as the API shows them
(``GET /v1/onverwerkbare-gebeurtenissen``), a page at a time.

The body stays a plain list (as before paging came); the paging is in the headers, as the
locaties list puts it there too: ``X-Total-Count``, ``X-Pagination-Page``,
``X-Pagination-Limit`` and an RFC 8288 ``Link`` header with first/prev/next/last."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query, Response
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from shared.eventstore.tables import dead_letters

PAD = "/v1/onverwerkbare-gebeurtenissen"

# The same limits as the locaties list: a dead letter list can grow without bound (a forger
# with write access makes one per record), so no request reads all of it.
Page = Annotated[int, Query(ge=1, le=100_000, description="Paginanummer, vanaf 1.")]
PageSize = Annotated[
    int, Query(alias="pageSize", ge=1, le=200, description="Aantal per pagina (max. 200).")
]

HEADERS = {
    "X-Total-Count": {
        "description": "Het totaal aantal dead letters.",
        "schema": {"type": "integer"},
    },
    "X-Pagination-Page": {"description": "Deze pagina.", "schema": {"type": "integer"}},
    "X-Pagination-Limit": {"description": "Aantal per pagina.", "schema": {"type": "integer"}},
    "Link": {"description": "first, prev, next en last (RFC 8288).", "schema": {"type": "string"}},
}


class Onverwerkbaar(BaseModel):
    consument: str
    topic: str
    partitie: int
    offset: int
    sleutel: str | None
    reden: str
    vastgelegdOp: datetime


def onverwerkbare(
    sessions: sessionmaker[Session], page: int = 1, page_size: int = 20
) -> tuple[int, list[Onverwerkbaar]]:
    """How many dead letters there are, and one page of them, oldest first."""
    with sessions() as session:
        total = session.execute(select(func.count()).select_from(dead_letters)).scalar_one()
        rows = session.execute(
            select(dead_letters)
            .order_by(dead_letters.c.id)
            .limit(page_size)
            .offset((page - 1) * page_size)
        ).all()
    return int(total), [
        Onverwerkbaar(
            consument=r.consumer,
            topic=r.topic,
            partitie=r.kafka_partition,
            offset=r.kafka_offset,
            sleutel=r.message_key,
            reden=r.reason,
            vastgelegdOp=r.recorded_at,
        )
        for r in rows
    ]


def onverwerkbare_pagina(
    sessions: sessionmaker[Session], response: Response, page: int, page_size: int
) -> list[Onverwerkbaar]:
    """One page for the route, with the paging headers set on ``response``."""
    total, pagina = onverwerkbare(sessions, page, page_size)
    last = max(1, math.ceil(total / page_size))

    def link(p: int, rel: str) -> str:
        return f'<{PAD}?{urlencode({"page": p, "pageSize": page_size})}>; rel="{rel}"'

    links = [link(1, "first")]
    if page > 1:
        links.append(link(min(page - 1, last), "prev"))
    if page < last:
        links.append(link(page + 1, "next"))
    links.append(link(last, "last"))
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Pagination-Page"] = str(page)
    response.headers["X-Pagination-Limit"] = str(page_size)
    response.headers["Link"] = ", ".join(links)
    return pagina
