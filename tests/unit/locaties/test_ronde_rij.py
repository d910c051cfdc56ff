"""A round's row for the one-statement projection (``projection_pg.ronde_rij``): its content
cells follow ``projection.INHOUD_KOLOMMEN`` (the order ``Inhoud`` gives them in), and a JSON
cell is exactly the text ``json.dumps`` writes, as SQLAlchemy stores it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from services.locaties.adapters import projection_pg
from services.locaties.adapters.projection import INHOUD_KOLOMMEN

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda kind: st.lists(kind) | st.tuples(kind) | st.dictionaries(st.text(), kind),
    max_leaves=12,
)


def test_the_content_cells_follow_the_content_columns() -> None:
    assert [c.name for c in projection_pg._INHOUD] == list(INHOUD_KOLOMMEN)


@given(JSON, JSON, JSON)
def test_a_json_cell_is_the_text_json_dumps_writes(a: Any, b: Any, c: Any) -> None:
    inhoud: list[Any] = ["x"] * len(INHOUD_KOLOMMEN)
    kolom = {naam: k for k, naam in enumerate(INHOUD_KOLOMMEN)}
    inhoud[kolom["risicos"]] = a
    inhoud[kolom["verontreinigingsgroepen"]] = b
    inhoud[kolom["geometrie_rd"]] = c
    nu = datetime(2026, 12, 2, tzinfo=UTC)
    rij = projection_pg.ronde_rij("ZH051300001", 2, nu, 2, date(2011, 1, 1), nu, 2, inhoud)
    cellen = rij[7:]
    assert cellen[kolom["risicos"]] == json.dumps(a)
    assert cellen[kolom["verontreinigingsgroepen"]] == json.dumps(b)
    assert cellen[kolom["geometrie_rd"]] == json.dumps(c)
    assert [x for k, x in enumerate(cellen) if k not in projection_pg._INHOUD_JSON] == ["x"] * (
        len(INHOUD_KOLOMMEN) - 3
    )
