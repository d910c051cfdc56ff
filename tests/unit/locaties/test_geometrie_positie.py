"""A position's short way (two finite floats) gives what the general check gives: the same
list of floats, or the same refusal."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from services.locaties.domain.geometrie import OngeldigeGeometrie, _positie, _positie_algemeen

GETALLEN = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**400), 10**400),
    st.booleans(),
    st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324, "1.0", None]),
)


def _uitkomst(fn: Any, c: Any) -> Any:
    try:
        uit = fn(c)
    except OngeldigeGeometrie as exc:
        return ("geweigerd", str(exc))
    return ("goed", [(type(v), repr(v)) for v in uit], uit is c)


@settings(max_examples=2000, deadline=None)
@given(
    st.one_of(
        st.lists(GETALLEN, min_size=0, max_size=4),
        st.tuples(GETALLEN, GETALLEN),
        GETALLEN,
    )
)
def test_a_position_gets_the_general_check_s_answer(c: Any) -> None:
    assert _uitkomst(_positie, c) == _uitkomst(_positie_algemeen, c)


def test_the_short_way_returns_a_new_list() -> None:
    c = [4.7, 52.01]
    assert _positie(c) == c and _positie(c) is not c
