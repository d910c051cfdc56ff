"""The common request bodies read without pydantic (``schemas_snel.lees``): for any body, valid
or not, the verdict, the values (with their types) and the fields set are exactly
``schema.model_validate``'s."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from services.locaties.entrypoints import schemas, schemas_snel

GELDIG: dict[type[BaseModel], dict[str, Any]] = {
    schemas.Statuswijziging: {"naar": "onderzocht", "besluitdatum": "2010-06-01"},
    schemas.Risicobeoordeling: {
        "risicotype": "humaan",
        "vastgesteld": True,
        "criteria": ["ingestie-grond"],
        "beoordelingsdatum": "2010-07-01",
        "toelichting": "beoordeeld",
    },
    schemas.KnelpuntIn: {"knelpunt": "financieel", "datum": "2012-02-01"},
    schemas.Budgettoekenning: {"bedragEuro": 250_000, "datum": "2011-01-01", "bron": "ISV"},
    schemas.Kostenboeking: {"bedragEuro": 40_000, "datum": "2011-06-01", "omschrijving": "NO"},
    schemas.NieuweSpoedlocatie: {
        "locatieId": "ZH051300001",
        "bevoegdGezag": "ZH",
        "gemeentecode": "0513",
        "naam": "Locatie 1",
        "registratiedatum": "2010-03-15",
        "verontreinigingsgroepen": ["metalen"],
        "bodemtype": "waterbodem",
        "geometrie": {"type": "Point", "coordinates": [4.7, 52.01]},
    },
}

VIERKANT = [[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]
# Values each schema's fields accept as they are, accept after coercion, or refuse; every field
# gets every value, so the wrong types are tried too.
LIJST: list[Any] = [
    None,
    True,
    False,
    0,
    1,
    -1,
    1.0,
    2.5,
    "5",
    10**10,
    10**10 + 1,
    -(10**10),
    -(10**10) - 1,
    2**64,
    float("inf"),
    "",
    " ",
    "  x  ",
    "x" * 200,
    "x" * 201,
    " " + "x" * 200,
    "x" * 2000,
    "x" * 2001,
    "e\u0301" * 1001,  # 2002 characters, 1001 after NFC
    "e\u0301" * 101,  # 202 characters, 101 after NFC
    "\u0958" * 150,  # 150 characters, 300 after NFC (a composition exclusion)
    "\u0958" * 1500,
    "a\u202eb",
    "tab\there",
    "regel\r\nregel",
    "nul\x00",
    "\ud800",
    "2010-06-01",
    "1986-12-31",
    "1987-01-01",
    "2010-02-30",
    "2010-6-01",
    "20100601",
    "2010-06-01\n",
    "2010-06-01T00:00:00",
    "２０１０-06-01",
    "2999-01-01",
    "2100-12-31",
    20100601,
    "onderzocht",
    "Onderzocht",
    "ernstig-spoed",
    "humaan",
    "financieel",
    "landbodem",
    "waterbodem",
    "metalen",
    "ZH",
    "zh",
    "ZH\n",
    "Z",
    "0513",
    "051",
    "٠٥١٣",
    "ZH051300001",
    "ZH05130000",
    "ZH051300001 ",
    [],
    ["ingestie-grond"],
    ["metalen", "pak"],
    ["x"] * 21,
    ["a"] * 31,
    [1],
    ["metalen", None],
    {},
    {"type": "Point", "coordinates": [4.7, 52.01]},
    {"type": "Point", "coordinates": [84123, 447000]},
    {"type": "Point", "coordinates": [1]},
    {"type": "Point", "coordinates": ["a", "b"]},
    {"type": "Point", "coordinates": [float("nan"), 1.0]},
    {"type": "Point", "coordinates": [4.7, 52.0], "crs": "x"},
    {"type": "Point"},
    {"type": "Polygon", "coordinates": VIERKANT},
    {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
    {"type": "Cirkel", "coordinates": [1, 2]},
    {"type": 1, "coordinates": [1, 2]},
    {"type": "Point", "coordinates": (4.7, 52.0)},
]
WAARDEN = st.sampled_from(LIJST)
NAMEN = st.sampled_from(
    sorted(
        {
            n
            for schema in GELDIG
            for veld, f in schema.model_fields.items()
            for n in (veld, f.alias or veld)
        }
        | {"extra"}
    )
)


def _getypt(waarde: Any) -> Any:
    """The value with its types, so a str is not taken for an equal StrEnum."""
    if isinstance(waarde, BaseModel):
        return (type(waarde), _getypt(waarde.model_dump()), waarde.model_fields_set)
    if isinstance(waarde, dict):
        return ("dict", [(k, _getypt(v)) for k, v in waarde.items()])
    if isinstance(waarde, list | tuple):
        return (type(waarde).__name__, [_getypt(v) for v in waarde])
    return (type(waarde), repr(waarde))


def _uitkomst(fn: Any, data: Any) -> Any:
    try:
        model = fn(data)
    except ValidationError as exc:
        fouten = exc.errors(include_url=False, include_context=False)
        return ("ongeldig", fouten, [repr(e.get("ctx")) for e in exc.errors(include_url=False)])
    except Exception as exc:
        return ("fout", type(exc), str(exc))
    return (
        _getypt(model),
        {veld: _getypt(getattr(model, veld)) for veld in type(model).model_fields},
        list(model.__dict__),  # the fields in the same order
        (model.__pydantic_extra__, model.__pydantic_private__),
        repr(model),
    )


@pytest.mark.parametrize("schema", list(GELDIG), ids=lambda s: s.__name__)
@settings(max_examples=400, deadline=None)
@given(
    wijziging=st.dictionaries(NAMEN, WAARDEN, max_size=3),
    weg=st.lists(NAMEN, max_size=2),
)
def test_any_body_gets_pydantic_s_verdict(
    schema: type[BaseModel], wijziging: dict[str, Any], weg: list[str]
) -> None:
    data = {k: v for k, v in {**GELDIG[schema], **wijziging}.items() if k not in weg}
    assert _uitkomst(lambda d: schemas_snel.lees(schema, d), data) == _uitkomst(
        schema.model_validate, data
    )


def _namen(schema: type[BaseModel]) -> list[str]:
    return sorted({n for v, f in schema.model_fields.items() for n in (v, f.alias or v)})


@pytest.mark.parametrize("schema", list(GELDIG), ids=lambda s: s.__name__)
def test_each_field_with_each_value_gets_pydantic_s_verdict(schema: type[BaseModel]) -> None:
    """Every field of the schema (by alias and by name) with every value, one at a time."""
    for veld in _namen(schema):
        for waarde in LIJST:
            data = {**GELDIG[schema], veld: waarde}
            assert _uitkomst(lambda d: schemas_snel.lees(schema, d), data) == _uitkomst(
                schema.model_validate, data
            ), data


@pytest.mark.parametrize("schema", list(GELDIG), ids=lambda s: s.__name__)
@pytest.mark.parametrize("data", [None, [], "body", {"extra": 1}])
def test_odd_bodies_get_pydantic_s_verdict(schema: type[BaseModel], data: Any) -> None:
    assert _uitkomst(lambda d: schemas_snel.lees(schema, d), data) == _uitkomst(
        schema.model_validate, data
    )


def test_every_common_schema_has_the_short_way() -> None:
    """A table naming other fields than its schema turns the short way off; here that shows."""
    assert set(schemas_snel._TABEL) == set(GELDIG)


@pytest.mark.parametrize("schema", list(GELDIG), ids=lambda s: s.__name__)
def test_a_plain_body_does_not_reach_pydantic(
    schema: type[BaseModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    def geen_pydantic(*_: Any) -> Any:
        raise AssertionError("pydantic was asked")

    monkeypatch.setattr(schema, "model_validate", geen_pydantic)
    assert schemas_snel.lees(schema, GELDIG[schema]) is not None
    with pytest.raises(AssertionError):
        schemas_snel.lees(schema, {**GELDIG[schema], "extra": 1})
