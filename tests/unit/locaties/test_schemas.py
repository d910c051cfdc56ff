"""The input rules live in the request schemas only: a read never fails on what is stored."""

from __future__ import annotations

from datetime import date

from services.locaties.entrypoints.schemas import Link, RisicoOut, SpoedlocatieOut


def test_the_response_accepts_dates_and_names_todays_input_rules_would_refuse() -> None:
    # Stored before the rules (or by an import): a date before 1987, a name with spaces.
    site = SpoedlocatieOut(
        locatie_id="ZH051300001",
        bevoegd_gezag="ZH",
        provincie="ZH",
        gemeentecode="0513",
        naam=" Gasfabriek ",
        bodemtype="landbodem",
        status="potentieel-spoed",
        status_sinds=date(1985, 1, 1),
        registratiedatum=date(1985, 1, 1),
        risicos=[
            RisicoOut(
                risicotype="humaan",
                vastgesteld=True,
                criteria=["ingestie-grond"],
                beoordelingsdatum=date(1986, 5, 1),
            )
        ],
        knelpunt=None,
        budget_euro=0,
        kosten_euro=0,
        verontreinigingsgroepen=[],
        geometrie=None,
        versie=1,
        links={"self": Link(href="/v1/spoedlocaties/ZH051300001")},
    )
    assert site.registratiedatum == date(1985, 1, 1) and site.naam == " Gasfabriek "
