"""Suggested experts: who answered similar questions first (accepted answers weigh more),
then who shares most themes; nobody without either."""

from __future__ import annotations

from dataclasses import dataclass, field

from services.kennis.domain.experts import Vraag, stel_voor

WKO = "Warmte-koudeopslag in een pluim met verontreinigd grondwater"


@dataclass(frozen=True)
class Expert:
    naam: str
    persoon: str
    themas: list[str] = field(default_factory=list)


VRAGEN = {
    "kv-doel": Vraag(f"{WKO}?", ("bodemenergie-wko", "ondergrond"), ()),
    "kv-a": Vraag(f"{WKO} bij een school", ("bodemenergie-wko",), (("prs-ans", False),)),
    "kv-b": Vraag(f"Mag {WKO}", ("bodemenergie-wko",), (("prs-bob", True), ("prs-ans", False))),
    "kv-c": Vraag("Subsidie voor waterbodems", ("waterbodems",), (("prs-cor", True),)),
}


def test_who_answered_similar_questions_comes_first_accepted_answers_weighing_more() -> None:
    experts = [
        Expert("Ans", "prs-ans"),
        Expert("Bob", "prs-bob"),
        Expert("Cor", "prs-cor", ["ondergrond"]),
        Expert("Dirk", "prs-dirk", ["waterbodems"]),
    ]
    voorstellen = stel_voor("kv-doel", VRAGEN, experts)
    assert [
        (v.expert.naam, v.beantwoorde_vergelijkbare, v.gedeelde_themas) for v in voorstellen
    ] == [
        ("Bob", ["kv-b"], []),  # one accepted answer to a similar question
        ("Ans", ["kv-a", "kv-b"], []),  # two answers, none accepted
        ("Cor", [], ["ondergrond"]),  # a dissimilar question's answer does not count; a theme does
    ]
