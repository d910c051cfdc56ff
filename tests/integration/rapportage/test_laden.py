"""At start the service reads the whole log into its timelines: a slice of positions at a time,
so the log is never in memory as objects all at once, with the same reports as in one go."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from services.rapportage.adapters import projection
from services.rapportage.adapters.projection import Stroom
from services.rapportage.config import RapportageSettings
from services.rapportage.domain.feitkolommen import GetypeerdeRij, Rij
from services.rapportage.service_layer.rapportage import Rapportage
from shared.db.engine import make_session_factory
from shared.messaging.consumer import ListDeadLetterSink
from tests.support.infra import sqlite_database
from tests.support.rapportage import (
    RAPPORTAGE_VERSIONS,
    record,
    registratie,
    status,
    verzegel,
)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    with sqlite_database(tmp_path, RAPPORTAGE_VERSIONS) as e:
        yield e


def test_the_log_is_read_in_slices_with_the_same_reports(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from services.rapportage.bootstrap import processor

    sessions = make_session_factory(engine)
    enveloppen: list[bytes] = []
    for n in range(4):
        lid = f"ZH05130000{n}"
        enveloppen += [
            registratie(2 * n + 1, lid),
            status(2 * n + 2, lid, 2, "onderzocht", "2010-05-01"),
        ]
    # Only sealed events become facts (the consumer checks every seal).
    records = [record(offset, e, 0) for offset, e in enumerate(verzegel(*enveloppen))]
    processor(RapportageSettings(), sessions, ListDeadLetterSink()).process(records)

    gelezen: list[int] = []
    lees = Stroom.lees_rijen

    def tel(
        self: Stroom, session: Session, tot_en_met: int, na: int = 0
    ) -> list[Rij | GetypeerdeRij]:
        uit = lees(self, session, tot_en_met, na)
        if self is projection.SPOEDLOCATIES:
            gelezen.append(len(uit))
        return uit

    monkeypatch.setattr(Stroom, "lees_rijen", tel)
    inhoud: list[Mapping[str, Any]] = []
    for per_keer in (3, 50_000):
        gelezen.clear()
        # Read here (a child that reads ahead reads the same slices: test_voorlezer.py).
        rapportage = Rapportage(sessions, per_keer=per_keer, voorlezen=False)
        assert rapportage.houd_bij() == 8
        inhoud.append(rapportage.rapport("voortgang", date(2011, 1, 1)).inhoud)
        assert sum(gelezen) == 8
        assert max(gelezen) == min(per_keer, 8)
    assert inhoud[0] == inhoud[1]
    assert inhoud[0]["samenvatting"]["geregistreerd"] == 4


def test_only_a_few_states_of_all_sites_are_kept(engine: Engine) -> None:
    """At national scale each is a dict of ~400,000 sites: 32 of them would double the memory
    of the timelines."""
    from services.rapportage.bootstrap import processor
    from services.rapportage.service_layer.rapportage import TOESTANDEN

    sessions = make_session_factory(engine)
    processor(RapportageSettings(), sessions, ListDeadLetterSink()).process(
        [record(0, verzegel(registratie(1, "ZH051300001"))[0], 0)]
    )
    rapportage = Rapportage(sessions)
    for jaar in range(2010, 2020):
        rapportage.rapport("voortgang", date(jaar, 12, 31))
    assert len(rapportage.geheugen.toestanden) == TOESTANDEN == 4
