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


def test_an_imported_history_counts_on_its_business_dates_not_when_it_was_recorded() -> None:
    """Recorded in 2026, happened in 2012-2014: the report for 2013 shows what happened by
    then, with durations between business dates; the kennisdatum still hides it all."""
    ingevoerd = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    regels: list[tuple[str, str, dict[str, Any], str | None]] = [
        (
            "kv-1",
            "kennisvraag-gesteld",
            {"themas": ["ondergrond"], "organisatie": "GR"},
            "2012-05-01",
        ),
        ("kv-1", "kennisvraag-antwoord-gegeven", {"organisatie": "UT"}, "2012-05-11"),
        ("kv-1", "kennisvraag-antwoord-geaccepteerd", {"antwoord_id": "an-1"}, "2012-05-15"),
        (
            "kv-2",
            "kennisvraag-gesteld",
            {"themas": ["ondergrond"], "organisatie": "DR"},
            "2013-09-01",
        ),
        ("kv-2", "kennisvraag-antwoord-gegeven", {"organisatie": "UT"}, "2014-02-01"),
        (
            "kv-3",
            "kennisvraag-gesteld",
            {"themas": ["omgevingswet"], "organisatie": "GR"},
            "2014-03-01",
        ),
        ("bk-1", "bijeenkomst-gepland", {"soort": "workshop", "datum": "2013-04-10"}, None),
        (
            "bk-1",
            "bijeenkomst-aanwezigheid-geregistreerd",
            {"aanwezig": ["a", "b", "c"]},
            "2013-04-10",
        ),
        ("su-1", "succes-gemeld", {"bevoegd_gezag": "GR"}, "2013-06-30"),
        ("su-2", "succes-gemeld", {"bevoegd_gezag": "GR"}, "2014-01-02"),
    ]
    feiten = []
    for n, (onderwerp, soort, data, datum) in enumerate(regels, start=1):
        sleutel = "gepland_op" if soort == "bijeenkomst-gepland" else "datum"
        bedrijf = datum or "2013-02-01"
        feiten.append(Feit(n, onderwerp, 1, soort, ingevoerd, {**data, sleutel: bedrijf}))

    eind_2013 = transitie(feiten, positie=len(feiten), peildatum=date(2013, 12, 31)).inhoud
    s = eind_2013["samenvatting"]
    assert (s["gesteld"], s["beantwoord"], s["open"], s["antwoorden"]) == (2, 1, 1, 1)
    assert s["medianeDagenTotEersteAntwoord"] == 10.0 and s["medianeDagenTotAcceptatie"] == 14.0
    assert eind_2013["bijeenkomsten"]["gehouden"] == 1
    assert eind_2013["bijeenkomsten"]["aanwezigen"] == 3
    assert eind_2013["successen"] == {"aantal": 1, "perOrganisatie": {"GR": 1}}
    assert eind_2013["perThema"] == {"ondergrond": {"gesteld": 2, "beantwoord": 1}}

    eind_2014 = transitie(feiten, positie=len(feiten), peildatum=date(2014, 12, 31)).inhoud
    assert eind_2014["samenvatting"]["gesteld"] == 3
    # kv-1 after 10 days, kv-2 after 153: the median of two is their mean.
    assert eind_2014["samenvatting"]["medianeDagenTotEersteAntwoord"] == 81.5
    assert eind_2014["successen"]["aantal"] == 2

    # Known only since 2026: as known at the end of 2025, nothing had happened.
    toen = transitie(feiten, len(feiten), date(2013, 12, 31), kennisdatum=date(2025, 12, 31))
    assert toen.inhoud["samenvatting"]["gesteld"] == 0
