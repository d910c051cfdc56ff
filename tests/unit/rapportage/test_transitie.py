"""The transition indicators from knowledge-platform facts."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from services.rapportage.domain.feiten import Feit
from services.rapportage.domain.transitie import transitie

T0 = datetime(2017, 3, 1, 9, 0, tzinfo=UTC)


def _feiten(*regels: tuple[str, str, int, dict[str, Any]]) -> list[Feit]:
    return [
        Feit(n, onderwerp, 1, soort, T0 + timedelta(days=dag), data)
        for n, (onderwerp, soort, dag, data) in enumerate(regels, start=1)
    ]


def test_questions_answers_meetings_and_their_evaluation() -> None:
    feiten = _feiten(
        ("kv-1", "kennisvraag-gesteld", 0, {"themas": ["ondergrond"], "organisatie": "ZL"}),
        ("kv-1", "kennisvraag-antwoord-gegeven", 2, {"organisatie": "UT"}),
        ("kv-1", "kennisvraag-antwoord-geaccepteerd", 4, {"antwoord_id": "an-1"}),
        ("kv-2", "kennisvraag-gesteld", 5, {"themas": ["ondergrond"], "organisatie": "UT"}),
        ("bk-1", "bijeenkomst-gepland", 6, {"soort": "workshop"}),
        ("bk-1", "bijeenkomst-deelnemer-aangemeld", 7, {"deelnemer": "a"}),
        ("bk-1", "bijeenkomst-deelnemer-aangemeld", 7, {"deelnemer": "b"}),
        ("bk-1", "bijeenkomst-aanwezigheid-geregistreerd", 20, {"aanwezig": ["a", "b"]}),
        ("bk-1", "bijeenkomst-geevalueerd", 21, {"score": 4}),
        ("bk-1", "bijeenkomst-geevalueerd", 22, {"score": 5}),
        ("su-1", "succes-gemeld", 30, {"bevoegd_gezag": "ZL"}),
    )
    rapport = transitie(feiten, positie=len(feiten), peildatum=date(2017, 12, 31))
    s = rapport.inhoud["samenvatting"]
    assert (s["gesteld"], s["beantwoord"], s["open"]) == (2, 1, 1)
    assert s["medianeDagenTotEersteAntwoord"] == 2.0 and s["medianeDagenTotAcceptatie"] == 4.0
    assert rapport.inhoud["bijeenkomsten"] == {
        "gepland": 1,
        "gehouden": 1,
        "perSoort": {"workshop": 1},
        "aanwezigen": 2,
        "evaluaties": 2,
        "gemiddeldeScore": 4.5,
    }
    assert rapport.inhoud["successen"]["aantal"] == 1
    # On an earlier peildatum the meeting had not been held and the success not reported.
    eerder = transitie(feiten, positie=len(feiten), peildatum=date(2017, 3, 10)).inhoud
    assert eerder["bijeenkomsten"]["gehouden"] == 0 and eerder["successen"]["aantal"] == 0
