"""The common request bodies read without pydantic (bulk import): ``lees(schema, body)`` is
``schema.model_validate(body)``.

An import line's body goes through its command's schema (``schemas.py``), which costs pydantic
11-38 µs a line. A body in the plain shape is checked here field by field with the same rules
(the alias names, exact JSON types, the same patterns, lengths and bounds, the same text and date
functions) and built as ``model_construct`` builds; anything else (a snake_case name, a number as a
string, a value out of bounds, an unknown field, any doubt) goes to pydantic, which decides and
names the error. So the short way only ever accepts what pydantic accepts, with the same values;
a generated-input test compares verdicts, values (with their types) and fields set.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any, TypeVar, cast

from pydantic import BaseModel

from services.locaties.domain import datums, geometrie
from services.locaties.entrypoints import schemas
from shared.tekst import naam, optionele_tekst
from shared.vocabulaire import Bodemtype, Knelpunt, RisicoType, Status, Verontreinigingsgroep

M = TypeVar("M", bound=BaseModel)
Lezer = Callable[[Any], Any]  # a field's check: its value, or any exception for "ask pydantic"

# ASCII digits only, no trailing newline (``fullmatch``), as the schemas' patterns in pydantic's
# (Rust) regex engine, where ``$`` is the end of the text.
_DATUM = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_GEZAG = re.compile(r"[A-Z]{2}")
_GEMEENTE = re.compile(r"[0-9]{4}")
_LOCATIE_ID = re.compile(r"[A-Z]{2}[0-9]{9}")


class _Anders(Exception):
    """Not the plain shape: pydantic decides."""


def _datum(controle: Callable[[date], date]) -> Lezer:
    """``Bedrijfsdatum``/``Plandatum``: "JJJJ-MM-DD" (an existing date) within the bounds."""

    def lees(w: Any) -> date:
        if type(w) is not str or _DATUM.fullmatch(w) is None:
            raise _Anders
        return controle(date(int(w[:4]), int(w[5:7]), int(w[8:])))

    return lees


def _enum(soort: type[StrEnum]) -> Lezer:
    leden: Mapping[Any, Any] = soort._value2member_map_

    def lees(w: Any) -> Any:
        if type(w) is not str:
            raise _Anders
        return leden[w]

    return lees


def _tekst(regel: Callable[[str], str], min_len: int, max_len: int) -> Lezer:
    """A text type with its length bounds, which pydantic holds to the text as sent (before the
    text rule; the test has a text that NFC makes longer)."""

    def lees(w: Any) -> str:
        if type(w) is not str or not min_len <= len(w) <= max_len:
            raise _Anders
        return regel(w)

    return lees


def _patroon(patroon: re.Pattern[str], mag_leeg: bool = False) -> Lezer:
    def lees(w: Any) -> Any:
        if w is None and mag_leeg:
            return None
        if type(w) is not str or patroon.fullmatch(w) is None:
            raise _Anders
        return w

    return lees


def _int(laagste: int, hoogste: int) -> Lezer:
    def lees(w: Any) -> int:
        if type(w) is not int or not laagste <= w <= hoogste:
            raise _Anders
        return w

    return lees


def _bool(w: Any) -> bool:
    if type(w) is not bool:
        raise _Anders
    return w


def _lijst(item: Lezer, max_len: int) -> Lezer:
    def lees(w: Any) -> list[Any]:
        if type(w) is not list or len(w) > max_len:
            raise _Anders
        return [item(x) for x in w]

    return lees


def _str(w: Any) -> str:
    if type(w) is not str:
        raise _Anders
    return w


def _geometrie(w: Any) -> schemas.Geometrie | None:
    """``Geometrie | None``: exactly {type, coordinates} (a str and a list), valid by
    ``geometrie.vorm`` as the model's own validator checks it."""
    if w is None:
        return None
    if type(w) is not dict or w.keys() != {"type", "coordinates"}:
        raise _Anders
    soort, coordinates = w["type"], w["coordinates"]
    if type(soort) is not str or type(coordinates) is not list:
        raise _Anders
    vorm = geometrie.vorm({"type": soort, "coordinates": coordinates})
    return model(
        schemas.Geometrie,
        {"type": soort, "coordinates": vorm["coordinates"]},
        {"type", "coordinates"},
    )


_BEDRIJFSDATUM = _datum(datums.bedrijfsdatum)
_OPTIONELE_TEKST = _tekst(optionele_tekst, 0, 2000)

# Per schema: each field's check, by field name. The field names must be the schema's own
# (checked when the table is built); the rules are the schema's, held by the test.
_VELDEN: dict[type[BaseModel], dict[str, Lezer]] = {
    schemas.Statuswijziging: {
        "naar": _enum(Status),
        "besluitdatum": _BEDRIJFSDATUM,
        "toelichting": _OPTIONELE_TEKST,
    },
    schemas.Risicobeoordeling: {
        "risicotype": _enum(RisicoType),
        "vastgesteld": _bool,
        "criteria": _lijst(_str, 30),
        "beoordelingsdatum": _BEDRIJFSDATUM,
        "toelichting": _OPTIONELE_TEKST,
    },
    schemas.KnelpuntIn: {
        "knelpunt": _enum(Knelpunt),
        "datum": _BEDRIJFSDATUM,
        "toelichting": _OPTIONELE_TEKST,
    },
    schemas.Budgettoekenning: {
        "bedrag_euro": _int(-(10**10), 10**10),
        "datum": _BEDRIJFSDATUM,
        "bron": _tekst(optionele_tekst, 0, 200),
    },
    schemas.Kostenboeking: {
        "bedrag_euro": _int(1, 10**10),
        "datum": _BEDRIJFSDATUM,
        "omschrijving": _OPTIONELE_TEKST,
    },
    schemas.NieuweSpoedlocatie: {
        "locatie_id": _patroon(_LOCATIE_ID, mag_leeg=True),
        "bevoegd_gezag": _patroon(_GEZAG),
        "gemeentecode": _patroon(_GEMEENTE),
        "naam": _tekst(naam, 1, 200),
        "bodemtype": _enum(Bodemtype),
        "verontreinigingsgroepen": _lijst(_enum(Verontreinigingsgroep), 20),
        "geometrie": _geometrie,
        "registratiedatum": _BEDRIJFSDATUM,
    },
}


@dataclass(frozen=True)
class _Tabel:
    per_alias: dict[str, tuple[str, Lezer]]  # alias -> (field name, check)
    verplicht: frozenset[str]  # the aliases of the required fields
    standaard: dict[str, Any]  # the defaults of the others (immutable values)
    fabrieken: dict[str, Callable[[], Any]]  # the others' default factories (``list``)


def _per_alias(schema: type[BaseModel], velden: dict[str, Lezer]) -> _Tabel | None:
    """The schema's table; None when ``velden`` does not name exactly the schema's fields (the
    schema changed: no short way until the table follows)."""
    if set(velden) != set(schema.model_fields):
        return None
    standaard, fabrieken = {}, {}
    for n, f in schema.model_fields.items():
        if f.default_factory is not None:
            fabrieken[n] = cast(Callable[[], Any], f.default_factory)
        elif not f.is_required():
            standaard[n] = f.default
    return _Tabel(
        per_alias={(f.alias or n): (n, velden[n]) for n, f in schema.model_fields.items()},
        verplicht=frozenset(
            (f.alias or n) for n, f in schema.model_fields.items() if f.is_required()
        ),
        standaard=standaard,
        fabrieken=fabrieken,
    )


def model(schema: type[M], waarden: dict[str, Any], gezet: set[str]) -> M:
    """The instance ``model_construct`` would make of these validated values (every field, in
    the schema's order; ``gezet`` the fields the input named),
    without its per-call default handling (pydantic inspects a default factory's signature on
    every call, ~30 µs for ``list``)."""
    uit = schema.__new__(schema)
    object.__setattr__(uit, "__dict__", waarden)
    object.__setattr__(uit, "__pydantic_fields_set__", gezet)
    object.__setattr__(uit, "__pydantic_extra__", None)
    object.__setattr__(uit, "__pydantic_private__", None)
    return uit


_TABEL = {
    schema: tabel for schema, velden in _VELDEN.items() if (tabel := _per_alias(schema, velden))
}


def snel(schema: type[M], body: Any) -> M | None:
    """The validated body when it has the plain shape, else None (ask pydantic)."""
    tabel = _TABEL.get(schema)
    if tabel is None or type(body) is not dict:
        return None
    per_alias = tabel.per_alias
    if not (tabel.verplicht <= body.keys() <= per_alias.keys()):
        return None
    gegeven: dict[str, Any] = {}
    try:
        for alias, w in body.items():
            veld, lees = per_alias[alias]
            gegeven[veld] = lees(w)
    except Exception:  # any doubt: pydantic decides and names the error
        return None
    # In the schema's field order, as pydantic fills ``__dict__``.
    waarden = {**tabel.standaard, **{n: f() for n, f in tabel.fabrieken.items()}, **gegeven}
    return model(schema, {n: waarden[n] for n in schema.model_fields}, set(gegeven))


def lees(schema: type[M], body: Any) -> M:
    """``schema.model_validate(body)``, the plain shape without pydantic."""
    gelezen = snel(schema, body)
    return schema.model_validate(body) if gelezen is None else gelezen
