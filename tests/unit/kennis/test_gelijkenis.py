"""Similar-question matching on a small Dutch set made for this test."""

from __future__ import annotations

from services.kennis.domain.gelijkenis import rangschik, stammen

VRAGEN = {
    # three regions ask the same about heat-cold storage and contaminated groundwater
    "wko-utrecht": "Mag een WKO-systeem worden aangelegd in een gebied met verontreinigd "
    "grondwater, en wie is dan bevoegd gezag?",
    "wko-zwolle": "Wij willen bodemenergie (warmte-koudeopslag) toestaan in een pluim met "
    "verontreinigd grondwater. Hoe regelen andere gemeenten dat?",
    "wko-eindhoven": "Kan warmte-koudeopslag in verontreinigd grondwater de verspreiding "
    "van de verontreiniging versnellen?",
    # two about asbestos in the soil during remediation
    "asbest-zeeland": "Welke onderzoeksstrategie gebruiken jullie voor asbest in de bodem "
    "bij een sanering?",
    "asbest-leiden": "Hoe pakken jullie asbestverdachte bodem aan tijdens de sanering van "
    "een spoedlocatie?",
    # unrelated
    "financiering": "Hoe verdelen provincies het convenantsbudget voor 2016-2020 over de "
    "gemeenten?",
    "omgevingswet": "Welke regels uit het Besluit bodemkwaliteit gaan op in de Omgevingswet?",
    "capaciteit": "Hoe houden we specialistische kennis in huis als ervaren medewerkers met "
    "pensioen gaan?",
}


def _ranking(doel: str) -> list[str]:
    anderen = {k: v for k, v in VRAGEN.items() if k != doel}
    return [k for k, _, _ in rangschik(VRAGEN[doel], anderen)]


def test_true_duplicates_rank_above_unrelated_questions() -> None:
    for doel, familie in [
        ("wko-utrecht", {"wko-zwolle", "wko-eindhoven"}),
        ("wko-zwolle", {"wko-utrecht", "wko-eindhoven"}),
        ("asbest-zeeland", {"asbest-leiden"}),
        ("asbest-leiden", {"asbest-zeeland"}),
    ]:
        ranking = _ranking(doel)
        assert set(ranking[: len(familie)]) == familie, (doel, ranking)


def test_unrelated_questions_share_little_or_nothing() -> None:
    scores = dict(
        (k, s)
        for k, s, _ in rangschik(
            VRAGEN["omgevingswet"], {k: v for k, v in VRAGEN.items() if k != "omgevingswet"}
        )
    )
    assert all(s < 0.2 for s in scores.values()), scores


def test_dutch_stemming_joins_inflected_forms() -> None:
    assert stammen("verontreinigingen")[0] == stammen("verontreiniging")[0]
    assert stammen("saneringen") == stammen("sanering")
    assert "de" not in stammen("de bodem") and stammen("de bodem") == ["bodem"]
