"""The batch writer's read-model statements on PostgreSQL: one fixed text each, prepared on the
server, the rows as one JSON document, sent straight through psycopg on the session's connection
(``shared/db/direct.py``).

Through SQLAlchemy a multi-row statement cost more Python than the database took to run it:
its "insertmanyvalues" expanded the rows into a ``VALUES`` list with a parameter per cell and
processed every parameter, psycopg then split and converted a text that differed with each
batch size (too long for its query cache), and nothing could be prepared on the server. An
array per column (``unnest``) fixed the text, but psycopg still dumped each array element by
element in Python (a fifth of the writer's GIL time under 16 writers). Now orjson writes the
rows in C and the server reads each cell as the text of its JSON value (``r->>k``) cast to the
column's type: the same input functions that read ``str`` of a date, number or bool, and a JSON
column's value is its ``json.dumps`` text, as SQLAlchemy stored it. The results are the same
rows SQLAlchemy would write and return (in ``tests/integration/locaties/``:
``test_groepscommit_setgewijs.py``, a batch's read models equal a rebuild from the events;
``test_projection_pg.py``, equal to the rows SQLAlchemy writes)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import JSON, Column, Table
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from services.locaties.adapters.tables import spoedlocatie_standen, spoedlocaties
from shared.db.direct import aware, execute, json_rows
from shared.db.types import UtcDateTime

_DIALECT = postgresql.dialect()


def schrijf_huidig(session: Session, rijen: list[dict[str, Any]]) -> None:
    """Upsert the current rows (of distinct sites)."""
    _uitvoeren(session, _huidig_sql(), _document(spoedlocaties, rijen))


def voeg_standen_toe(session: Session, rijen: list[dict[str, Any]]) -> None:
    """Insert new bitemporal rows."""
    _uitvoeren(session, _standen_sql(), _document(spoedlocatie_standen, rijen))


def sluit_open(
    session: Session, sluiten: list[tuple[str, date, datetime]]
) -> dict[str, list[Mapping[Any, Any]]]:
    """Close each site's open row dated on or before its date (``bekend_tot`` = the record
    time); returns the closed rows per site, as SQLAlchemy reads them (UTC timestamps)."""
    for _, _, tot in sluiten:
        aware(tot)
    gelezen = _uitvoeren(session, _sluit_sql(), (json_rows(sluiten),))
    namen = [c.name for c in spoedlocatie_standen.c]
    utc = [c.name for c in spoedlocatie_standen.c if isinstance(c.type, UtcDateTime)]
    gesloten: dict[str, list[Mapping[Any, Any]]] = defaultdict(list)
    for waarden in gelezen:
        rij = dict(zip(namen, waarden, strict=True))
        for naam in utc:
            if rij[naam] is not None:
                rij[naam] = rij[naam].astimezone(UTC)
        gesloten[rij["locatie_id"]].append(rij)
    return gesloten


# What a round's row asks of ``spoedlocatie_standen`` besides the site's current row
# (``projecteer_ronde``).
ALLEEN_HUIDIG = 0  # nothing: no new event, or one the caller replays
OPEN = 1  # a registration: its first open row
VERLENG = 2  # a later business date: the open row ends, a new one opens


def ronde_rij(
    locatie_id: str,
    versie: int,
    bijgewerkt_op: datetime,
    soort: int,
    datum: date | None,
    bekend_vanaf: datetime | None,
    versie_vanaf: int | None,
    inhoud: Sequence[Any],
) -> tuple[Any, ...]:
    """A site's row for ``projecteer_ronde``: its current row's own columns, what to do with
    its bitemporal rows (``soort``: ``OPEN``, ``VERLENG`` or ``ALLEEN_HUIDIG``) with the
    event's business date, record time and version, and its state's content columns
    (``projection.INHOUD_KOLOMMEN``; the JSON ones still as values)."""
    aware(bijgewerkt_op)
    aware(bekend_vanaf)
    waarden = list(inhoud)
    for k in _INHOUD_JSON:
        # As SQLAlchemy does: a JSON column's None is the JSON value null, not SQL NULL.
        waarden[k] = json.dumps(waarden[k])
    return (locatie_id, versie, bijgewerkt_op, soort, datum, bekend_vanaf, versie_vanaf, *waarden)


def projecteer_ronde(session: Session, rijen: list[tuple[Any, ...]]) -> dict[str, int]:
    """One statement for a round's sites (each once; rows by ``ronde_rij``): upserts every
    current row, and for each ``VERLENG`` site closes its open row dated before the event
    (``bekend_tot`` = the record time), copies it as the closed interval up to the event's
    date and adds the new open row; for each ``OPEN`` site adds its open row. Returns the
    ``VERLENG`` sites that did not have exactly one such open row whose JSON columns hold the
    text of the new state's (``json.dumps``), with the number closed:
    their bitemporal rows are left as they were (those closed, if several, stay closed; the
    caller fails the batch then), for the caller's general path.

    The closed interval is the stored row copied in the statement, its JSON as stored, which
    is then the new state's ``json.dumps`` text: the text the general path's copy (``json.dumps``
    of the decoded value) writes. A row the bulk import wrote (orjson's text) or a JSON column
    the event changed goes the general way."""
    gelezen = _uitvoeren(session, _ronde_sql(), (json_rows(rijen),))
    return {locatie_id: int(n) for locatie_id, n in gelezen}


def _uitvoeren(session: Session, sql: str, parameters: Sequence[Any]) -> list[Any]:
    """On the session's connection, in its transaction, prepared; a unique key is an
    ``IntegrityError`` (the batch writer answers 412 on it), a lost connection is
    invalidated (``shared.db.direct.execute``)."""
    return execute(session.connection(), sql, parameters)


def _document(tabel: Table, rijen: list[dict[str, Any]]) -> tuple[str]:
    """The rows, their cells in the table's column order."""
    kolommen, tijden = _kolommen(tabel)
    for rij in rijen:
        for naam in tijden:
            aware(rij.get(naam))
    return (
        json_rows(
            [
                # As SQLAlchemy does: a JSON column's None is the JSON value null, not SQL NULL.
                [
                    json.dumps(rij.get(naam)) if is_json else rij.get(naam)
                    for naam, is_json in kolommen
                ]
                for rij in rijen
            ]
        ),
    )


@lru_cache(maxsize=4)
def _kolommen(tabel: Table) -> tuple[tuple[tuple[str, bool], ...], tuple[str, ...]]:
    """Each column's name and whether it holds JSON; the names of the timestamp columns."""
    return (
        tuple((c.name, isinstance(c.type, JSON) and not c.type.none_as_null) for c in tabel.c),
        tuple(c.name for c in tabel.c if isinstance(c.type, UtcDateTime)),
    )


def _type(kolom: Column[Any]) -> str:
    # Without a length: a cast to varchar(n) would cut a longer text silently, where the
    # column's own check (on assignment) refuses it, as it did through SQLAlchemy.
    return str(kolom.type.compile(dialect=_DIALECT)).split("(")[0]


def _insert(tabel: Table) -> str:
    namen = ", ".join(c.name for c in tabel.c)
    waarden = ", ".join(f"(r->>{k})::{_type(c)}" for k, c in enumerate(tabel.c))
    return (
        f"INSERT INTO {tabel.name} ({namen}) "
        f"SELECT {waarden} FROM jsonb_array_elements(%s::jsonb) AS r"
    )


@lru_cache(maxsize=1)
def _huidig_sql() -> str:
    bijwerken = ", ".join(
        f"{c.name} = EXCLUDED.{c.name}" for c in spoedlocaties.c if c.name != "locatie_id"
    )
    return f"{_insert(spoedlocaties)} ON CONFLICT (locatie_id) DO UPDATE SET {bijwerken}"


@lru_cache(maxsize=1)
def _standen_sql() -> str:
    return _insert(spoedlocatie_standen)


# The columns a round's row has before the content (``ronde_rij``), and the content's.
_RONDE_KOP = ("locatie_id", "versie", "bijgewerkt_op", "soort", "datum", "bekend", "versie_vanaf")
_INHOUD = [
    c for c in spoedlocatie_standen.c if c.name in spoedlocaties.c and c.name != "locatie_id"
]
_INHOUD_JSON = tuple(
    k for k, c in enumerate(_INHOUD) if isinstance(c.type, JSON) and not c.type.none_as_null
)


@lru_cache(maxsize=1)
def _ronde_sql() -> str:
    typen = ("text", "integer", "timestamptz", "integer", "date", "timestamptz", "integer")
    kop = dict(zip(_RONDE_KOP, typen, strict=True))
    velden = [
        *(f"(r->>{k})::{t} AS {naam}" for k, (naam, t) in enumerate(kop.items())),
        *(f"(r->>{len(kop) + k})::{_type(c)} AS {c.name}" for k, c in enumerate(_INHOUD)),
    ]
    inhoud = [c.name for c in _INHOUD]
    # The closed interval is copied with the open row's JSON text as stored; the general path
    # writes ``json.dumps`` of its decoded value instead. The two are the same text when the
    # stored one is the new state's ``json.dumps`` text (``r``'s; an event that left the column
    # alone, on a row a command wrote), not when the bulk import wrote it (orjson: no spaces),
    # nor when the event changed that column: those sites go the general way.
    zelfde_json = "".join(
        f"AND s.{_INHOUD[k].name}::text = r.{_INHOUD[k].name}::text " for k in _INHOUD_JSON
    )

    def kolommen(tabel: Table, waarden: Mapping[str, str], bron: str) -> tuple[str, str]:
        namen = [c.name for c in tabel.c]
        return ", ".join(namen), ", ".join(waarden.get(n, f"{bron}.{n}") for n in namen)

    huidig_namen, huidig_waarden = kolommen(spoedlocaties, {}, "r")
    bijwerken = ", ".join(
        f"{c.name} = EXCLUDED.{c.name}" for c in spoedlocaties.c if c.name != "locatie_id"
    )
    standen_namen, kopie_waarden = kolommen(
        spoedlocatie_standen,
        {
            "versie_vanaf": "r.versie_vanaf",
            "geldig_tot": "r.datum",
            "bekend_vanaf": "r.bekend",
            "bekend_tot": "NULL::timestamptz",
        },
        "g",
    )
    _, open_waarden = kolommen(
        spoedlocatie_standen,
        {
            "locatie_id": "r.locatie_id",
            "geldig_vanaf": "r.datum",
            "versie_vanaf": "r.versie_vanaf",
            "geldig_tot": "NULL::date",
            "bekend_vanaf": "r.bekend",
            "bekend_tot": "NULL::timestamptz",
            **{n: f"r.{n}" for n in inhoud},
        },
        "r",
    )
    return (
        f"WITH r AS (SELECT {', '.join(velden)} FROM jsonb_array_elements(%s::jsonb) AS r), "
        f"huidig AS (INSERT INTO {spoedlocaties.name} ({huidig_namen}) "
        f"SELECT {huidig_waarden} FROM r "
        f"ON CONFLICT (locatie_id) DO UPDATE SET {bijwerken}), "
        f"g AS (UPDATE {spoedlocatie_standen.name} AS s SET bekend_tot = r.bekend FROM r "
        f"WHERE r.soort = {VERLENG} AND s.locatie_id = r.locatie_id "
        "AND s.geldig_tot IS NULL AND s.bekend_tot IS NULL AND s.geldig_vanaf < r.datum "
        f"{zelfde_json}"
        "RETURNING s.*), "
        "n AS (SELECT locatie_id, count(*) AS n FROM g GROUP BY locatie_id), "
        f"kopie AS (INSERT INTO {spoedlocatie_standen.name} ({standen_namen}) "
        f"SELECT {kopie_waarden} FROM g JOIN n USING (locatie_id) "
        "JOIN r USING (locatie_id) WHERE n.n = 1), "
        f"open AS (INSERT INTO {spoedlocatie_standen.name} ({standen_namen}) "
        f"SELECT {open_waarden} FROM r LEFT JOIN n USING (locatie_id) "
        f"WHERE r.soort = {OPEN} OR (r.soort = {VERLENG} AND n.n = 1)) "
        f"SELECT r.locatie_id, coalesce(n.n, 0) FROM r LEFT JOIN n USING (locatie_id) "
        f"WHERE r.soort = {VERLENG} AND n.n IS DISTINCT FROM 1"
    )


@lru_cache(maxsize=1)
def _sluit_sql() -> str:
    kolommen = ", ".join(f"s.{c.name}" for c in spoedlocatie_standen.c)
    return (
        "UPDATE spoedlocatie_standen AS s SET bekend_tot = (r->>2)::timestamptz "
        "FROM jsonb_array_elements(%s::jsonb) AS r "
        "WHERE s.locatie_id = r->>0 AND s.geldig_tot IS NULL AND s.bekend_tot IS NULL "
        f"AND s.geldig_vanaf <= (r->>1)::date RETURNING {kolommen}"
    )
