"""An import line's envelope is read without pydantic when it has the plain shape
(``routes_import._envelop``, through ``_gewoon``): for any line, valid or not, the verdict and
the values (with their types) are exactly ``ImportRegelIn.model_validate``'s."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from services.locaties.entrypoints import routes_import
from services.locaties.entrypoints.routes_import import ImportRegelIn, _envelop

GEWOON: dict[str, Any] = {
    "sleutel": "bis-4711-2",
    "soort": "statuswijzigingen",
    "locatieId": "ZH051300001",
    "versie": 1,
    "body": {"naar": "onderzocht", "besluitdatum": "2010-06-01"},
}

# Per field: values pydantic accepts as they are, accepts after coercion, or refuses.
WAARDEN = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from([10**30, 1.0, 2.5, float("nan"), float("inf"), "1", " 2", "", "x" * 256]),
    st.sampled_from(["registratie", "statuswijzigingen", "correcties", "Registratie", "andere"]),
    st.sampled_from(["ZH051300001", "zh051300001", "ZH05130000", "ZH0513000011", "ZH051300001\n"]),
    st.sampled_from(["ZH٠٥١٣٠٠٠٠١", "ZH051300001 ", "OGC:CRS84", "EPSG:28992", "sleutel"]),
    st.text(max_size=5),
    st.just({}),
    st.just({"naar": "onderzocht"}),
    st.just([]),
    st.just(["body"]),
)
VELDEN = st.sampled_from(
    ["sleutel", "soort", "locatieId", "versie", "contentCrs", "body", "extra", "Soort"]
)


def _uitkomst(fn: Any, data: Any) -> Any:
    try:
        waarden = fn(data)
    except ValidationError as exc:
        return ("ongeldig", exc.errors(include_url=False))
    return [(type(w), w) for w in waarden]


def _gevalideerd(data: Any) -> tuple[Any, ...]:
    r = ImportRegelIn.model_validate(data)
    return r.sleutel, r.soort, r.locatieId, r.versie, r.contentCrs, r.body


@settings(max_examples=1500, deadline=None)
@given(st.dictionaries(VELDEN, WAARDEN, max_size=7), st.dictionaries(VELDEN, WAARDEN, max_size=2))
def test_any_line_gets_pydantic_s_verdict(wijziging: dict[str, Any], weg: dict[str, Any]) -> None:
    data = {k: v for k, v in {**GEWOON, **wijziging}.items() if k not in weg}
    assert _uitkomst(_envelop, data) == _uitkomst(_gevalideerd, data)


@pytest.mark.parametrize(
    "data",
    [
        GEWOON,
        {"soort": "registratie", "locatieId": "ZH051300001", "body": {"naam": "x"}},
        {"soort": "registratie", "body": {}},
        {**GEWOON, "sleutel": None, "contentCrs": "EPSG:28992"},
        {**GEWOON, "versie": "2"},
        {**GEWOON, "versie": True},
        {**GEWOON, "locatieId": "ZH051300001\n"},
        [GEWOON],
        "regel",
        None,
    ],
)
def test_chosen_lines_get_pydantic_s_verdict(data: Any) -> None:
    assert _uitkomst(_envelop, data) == _uitkomst(_gevalideerd, data)


def test_a_plain_line_does_not_reach_pydantic(monkeypatch: pytest.MonkeyPatch) -> None:
    def geen_pydantic(*_: Any) -> Any:
        raise AssertionError("pydantic was asked")

    monkeypatch.setattr(routes_import.ImportRegelIn, "model_validate", geen_pydantic)
    assert _envelop(GEWOON)[3] == 1
    with pytest.raises(AssertionError):
        _envelop({**GEWOON, "versie": "1"})


# The lines as orjson gives them (what the import reads), any JSON value among them.
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda binnen: st.lists(binnen, max_size=3) | st.dictionaries(st.text(max_size=6), binnen),
    max_leaves=8,
)
ENVELOP_WAARDEN = st.one_of(
    WAARDEN,
    JSON,
    st.integers(-(2**63), 2**64 - 1),
    st.text(min_size=250, max_size=260),
    st.sampled_from(["ZH051300001", "ZH０51300001", "\u00a0ZH051300001", "ZH051300001\u200b"]),
)


@settings(max_examples=1500, deadline=None)
@given(
    st.dictionaries(VELDEN, ENVELOP_WAARDEN, max_size=7),
    st.dictionaries(VELDEN, WAARDEN, max_size=2),
)
def test_the_import_reads_any_line_s_envelope_as_pydantic_does(
    wijziging: dict[str, Any], weg: dict[str, Any]
) -> None:
    data = {k: v for k, v in {**GEWOON, **wijziging}.items() if k not in weg}
    try:
        data = orjson.loads(orjson.dumps(data))
    except orjson.JSONEncodeError:
        return  # no line reads as this (a NaN or an infinity)
    assert _uitkomst(_envelop, data) == _uitkomst(_gevalideerd, data)


@settings(max_examples=500, deadline=None)
@given(JSON)
def test_the_import_reads_any_json_value_s_envelope_as_pydantic_does(data: Any) -> None:
    assert _uitkomst(_envelop, data) == _uitkomst(_gevalideerd, data)


@pytest.mark.parametrize(
    "data",
    [
        GEWOON,
        {**GEWOON, "contentCrs": ""},
        # Valid, but not in the plain shape: pydantic's way, every field given.
        # (a version as text: pydantic turns "1" into 1, the plain shape takes ints only)
        {**GEWOON, "versie": "1", "contentCrs": ""},
        {**GEWOON, "versie": "1", "contentCrs": "EPSG:28992", "sleutel": "s"},
        {**GEWOON, "versie": "1", "sleutel": None},
        {"soort": "registratie", "locatieId": "ZH051300001", "versie": "1", "body": {"naam": "x"}},
    ],
)
def test_chosen_lines_envelopes_are_pydantic_s(data: Any) -> None:
    verwacht = _uitkomst(_gevalideerd, data)
    assert verwacht[0] != "ongeldig"
    assert _uitkomst(_envelop, data) == verwacht


def test_a_site_id_has_ascii_digits_only() -> None:
    """``\\d`` in pydantic's (Rust) regex matches any Unicode digit: with it an id in
    Arabic-Indic or full-width digits passed the envelope and the path, and met a 404 where a
    registration refuses it (``[0-9]``). The id is ASCII in every door."""
    for vreemd in ("ZH٠٥١٣٠٠٠٠١", "ZH０５１３００００１"):
        with pytest.raises(ValidationError):
            ImportRegelIn.model_validate({**GEWOON, "locatieId": vreemd})
