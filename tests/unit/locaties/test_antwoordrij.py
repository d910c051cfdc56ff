"""A command's answer reuses the read-model row its batch's projection built of the same state
(``projection.laatste_rij``), and never a row of an earlier state."""

from __future__ import annotations

from datetime import date

from services.locaties.adapters.projection import laatste_rij, rij, stand_rij
from services.locaties.domain.model import Spoedlocatie
from services.locaties.entrypoints.representation import van_aggregaat, van_rij
from shared.vocabulaire import Status


def _locatie() -> Spoedlocatie:
    return Spoedlocatie.registreer(
        "ZH051300001", "ZH", "0513", "n", "landbodem", (), None, date(2010, 1, 4)
    )


def _vers(locatie: Spoedlocatie) -> str:
    return van_rij(
        stand_rij(locatie.id, locatie.version, locatie.stand), "EPSG:28992"
    ).model_dump_json()


def test_the_answer_reads_the_row_the_projection_built_of_this_state() -> None:
    locatie = _locatie()
    assert laatste_rij(locatie) is None
    gebouwd = rij(locatie)
    assert laatste_rij(locatie) is gebouwd
    assert van_aggregaat(locatie, "EPSG:28992").model_dump_json() == _vers(locatie)


def test_a_row_of_an_earlier_state_is_not_used() -> None:
    locatie = _locatie()
    rij(locatie)
    locatie.wijzig_status(Status.ONDERZOCHT, date(2011, 1, 1), "")
    assert laatste_rij(locatie) is None
    antwoord = van_aggregaat(locatie, "EPSG:28992")
    assert antwoord.status == str(Status.ONDERZOCHT)
    assert antwoord.versie == 2
    assert antwoord.model_dump_json() == _vers(locatie)
