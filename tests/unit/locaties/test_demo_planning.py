"""`make demo` records plans for a realistic share of its sites, revised with a reason where a
knelpunt made the deadline unreachable, so the demo's planning and prognosis reports are not
empty; the rest of the history is the same as without plans."""

from __future__ import annotations

from datetime import date

import pytest

from bench.rapportage_schaal import feiten as demo_feiten
from services.locaties.domain import demo_planning
from services.locaties.domain.demo_scenario import scenario
from services.rapportage.domain import planrapporten, rapporten
from services.rapportage.domain.afspraken import oorspronkelijk
from services.rapportage.domain.feiten import Feit, toestand_op


def test_most_urgent_sites_have_a_plan_and_late_ones_revise_it_with_a_reason() -> None:
    sites = scenario(1.0, seed=2010)
    spoed = [s for s in sites if any(st.body.get("naar") == "ernstig-spoed" for st in s.stappen)]
    plannen = [[st for st in s.stappen if st.pad == "planningen"] for s in spoed]
    met = sum(1 for p in plannen if p)
    assert 0.65 < met / len(spoed) < 0.85  # AANDEEL_MET_PLANNING, 0.75
    herzien = [p[1] for p in plannen if len(p) == 2]
    assert herzien and all(h.body["reden"].startswith("knelpunt ") for h in herzien)
    assert all(p[0].body["reden"] == "" for p in plannen if p)
    # A plan comes before the steps that deal with the site (made while it is open).
    for s in spoed:
        paden = [st.pad for st in s.stappen]
        if "planningen" in paden:
            eerste = paden.index("planningen")
            assert all(
                st.body.get("naar") not in {"gesaneerd", "beheerst"} for st in s.stappen[:eerste]
            )


def test_the_history_without_the_plans_is_the_same_as_before() -> None:
    met = scenario(0.2, seed=5)
    assert any(st.pad == "planningen" for s in met for st in s.stappen)
    zonder_plannen = [[st for st in s.stappen if st.pad != "planningen"] for s in met]
    # Drop the plans by setting the share to 0: the same sites and steps.
    mp = pytest.MonkeyPatch()
    mp.setattr(demo_planning, "AANDEEL_MET_PLANNING", 0.0)
    try:
        kaal = scenario(0.2, seed=5)
    finally:
        mp.undo()
    assert [s.registratie for s in kaal] == [s.registratie for s in met]
    assert [s.stappen for s in kaal] == zonder_plannen


@pytest.fixture(scope="module")
def feiten() -> list[Feit]:
    return demo_feiten(0.3)


def test_the_demo_planning_and_prognosis_reports_are_not_empty(feiten: list[Feit]) -> None:
    peil = date(2013, 12, 31)
    nu = toestand_op(feiten, peil)
    planning = planrapporten.planning_rapport(nu, peil, 0).inhoud
    statussen = {r["planstatus"] for r in planning["locaties"]}
    assert {"op schema", "achter op planning", "geen planning"} <= statussen
    prognose = planrapporten.prognose_rapport(nu, peil, 0, oorspronkelijk(peil)).inhoud
    humaan = next(p for p in prognose["landelijk"] if p["doel"] == "humaan")
    assert humaan["verwachtVolgensPlanning"] > humaan["afgehandeld"]
    assert humaan["zonderPlanning"] < humaan["totaal"] - humaan["afgehandeld"]
    # The fair ranking has authorities on schedule and behind their own plan.
    rijen = rapporten.per_bevoegd_gezag(nu, peil, 0).inhoud["ranglijst"]
    assert sum(r["opSchema"] for r in rijen) > 0 and sum(r["achterOpPlanning"] for r in rijen) > 0
