"""The one-statement round (``projection._ronde_pg``) on a site the bulk import left behind:
the import writes its rows' JSON with orjson (``shared.db.kopie``: no spaces), the commands
with ``json.dumps``. The closed interval a later command copies from the import's open row is
written byte for byte as the general path (``projection._ronde_algemeen``) writes it, and so is
the one the next command copies from the row the first wrote."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, text

from services.locaties.adapters import projection
from services.locaties.adapters.tables import spoedlocatie_standen
from tests.integration.locaties.test_groepscommit import _database
from tests.integration.locaties.test_import import ZH, _importeer, _regels
from tests.support.locaties import locaties_client


@pytest.fixture
def engine() -> Iterator[Engine]:
    with _database() as engine:
        yield engine


def _rijen(engine: Engine, locatie_id: str) -> list[str]:
    """The site's rows as PostgreSQL prints them (JSON as stored), without the id and the
    record times."""
    weg = ("locatie_id", "bekend_vanaf", "bekend_tot")
    kolommen = ", ".join(c.name for c in spoedlocatie_standen.c if c.name not in weg)
    with engine.connect() as conn:
        return list(
            conn.execute(
                text(
                    f"SELECT ({kolommen})::text FROM {spoedlocatie_standen.name} "
                    "WHERE locatie_id = :id ORDER BY 1"
                ),
                {"id": locatie_id},
            ).scalars()
        )


def test_a_command_on_an_imported_site_copies_its_open_row_as_the_general_path_does(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = ["ZH051300101", "ZH051300102"]
    # No correction among them: the import works the rows out in memory and copies them in.
    regels = [r for i in ids for r in _regels(i)[:5]]
    versie = 5
    ronde_pg = projection._ronde_pg
    with locaties_client(engine) as api:
        assert [a["status"] for a in _importeer(api, regels)] == [201] * len(regels)
        # The first on the import's open row, the second on the one the first wrote.
        for versie, datum in ((5, "2013-01-01"), (6, "2013-02-01")):
            for locatie_id, ronde in zip(ids, (ronde_pg, projection._ronde_algemeen), strict=True):
                monkeypatch.setattr(projection, "_ronde_pg", ronde)
                r = api.post(
                    f"/v1/spoedlocaties/{locatie_id}/kostenboekingen",
                    json={"bedragEuro": 5_000, "datum": datum},
                    headers={**ZH, "If-Match": f'"{versie}"'},
                )
                assert r.status_code == 201, r.text
    snel, algemeen = _rijen(engine, ids[0]), _rijen(engine, ids[1])
    assert len(snel) > 4
    assert snel == algemeen
