"""The cells of the one authorisation policy that the covenant and the issue fix, and the
README's table generated from it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from shared import beleid
from shared.auth import Principal, Rol
from shared.beleid import Betreft

README = Path(__file__).resolve().parents[2] / "README.md"
ZH = Principal("piet@zh.nl", Rol.BEVOEGD_GEZAG, "ZH")
UT = Principal("anne@ut.nl", Rol.BEVOEGD_GEZAG, "UT")
XX = Principal("nep@xx.nl", Rol.BEVOEGD_GEZAG, "XX")
PROGRAMMA = Principal("up@bodem.nl", Rol.UITVOERINGSPROGRAMMA, None)
# The import is no write on a site itself: each of its lines is held to one of these rules.
LOCATIES = [o for o in beleid.BELEID if o.startswith("locaties.") and o != "locaties.importeer"]
KENNIS = [o for o in beleid.BELEID if o.startswith("kennis.")]
VAN_ZH = Betreft(
    bevoegd_gezag="ZH",
    vrager="piet@zh.nl",
    vrager_organisatie="ZH",
    aanwezigen=frozenset({"piet@zh.nl"}),
)


def _mag(operatie: str, p: Principal, betreft: Betreft = VAN_ZH) -> bool:
    return beleid.weigering(operatie, p, betreft) is None


@pytest.mark.parametrize("operatie", LOCATIES)
def test_only_the_own_bevoegd_gezag_writes_its_sites(operatie: str) -> None:
    assert _mag(operatie, ZH)
    assert not _mag(operatie, UT)
    for rol in (Rol.UITVOERINGSPROGRAMMA, Rol.RIJK, Rol.AUDITOR):
        # Not even when the token claims the site's organisation.
        assert not _mag(operatie, Principal("x", rol, "ZH"))
        assert not _mag(operatie, Principal("x", rol, None))


@pytest.mark.parametrize("operatie", list(beleid.BELEID))
def test_the_auditor_and_an_unknown_organisation_may_do_nothing_the_table_guards(
    operatie: str,
) -> None:
    assert not _mag(operatie, Principal("piet@zh.nl", Rol.AUDITOR, "ZH"))
    assert not _mag(operatie, XX, Betreft("XX", "nep@xx.nl", "XX", frozenset({"nep@xx.nl"})))
    assert not _mag(operatie, Principal("piet@zh.nl", Rol.BEVOEGD_GEZAG, None))


@pytest.mark.parametrize("operatie", ["kennis.accepteer", "kennis.sluit"])
def test_only_the_asker_its_bevoegd_gezag_or_the_programme_accepts_and_closes(
    operatie: str,
) -> None:
    assert _mag(operatie, ZH)
    assert _mag(operatie, Principal("collega@zh.nl", Rol.BEVOEGD_GEZAG, "ZH"))
    assert _mag(operatie, PROGRAMMA)
    assert not _mag(operatie, UT)
    # A rijk token claiming ZH is not ZH; the same sub is the asker.
    assert not _mag(operatie, Principal("ander@rijk.nl", Rol.RIJK, "ZH"))
    vraag_van_rijk = Betreft(vrager="jan@rijk.nl", vrager_organisatie=None)
    assert _mag(operatie, Principal("jan@rijk.nl", Rol.RIJK, None), vraag_van_rijk)
    assert not _mag(operatie, Principal("kees@rijk.nl", Rol.RIJK, None), vraag_van_rijk)


def test_the_programme_runs_the_platform_and_has_no_podium_of_its_own() -> None:
    for operatie in (
        "kennis.combineer",
        "kennis.plan_bijeenkomst",
        "kennis.registreer_aanwezigheid",
        "kennis.registreer_expert",
        "kennis.publiceer_document",
    ):
        assert _mag(operatie, PROGRAMMA)
    for operatie in ("kennis.combineer", "kennis.plan_bijeenkomst", "kennis.registreer_expert"):
        assert not _mag(operatie, ZH)
    assert _mag("kennis.meld_succes", ZH)
    assert not _mag("kennis.meld_succes", PROGRAMMA)
    assert not _mag("kennis.meld_succes", Principal("x", Rol.RIJK, None))


def test_only_the_programme_sees_and_erases_personal_data() -> None:
    for operatie in ("privacy.lees", "privacy.vergeet"):
        assert _mag(operatie, PROGRAMMA)
        for wie in (ZH, Principal("x", Rol.RIJK, None), Principal("x", Rol.AUDITOR, None)):
            assert not _mag(operatie, wie)


def test_only_who_was_present_evaluates() -> None:
    assert _mag("kennis.evalueer", ZH)
    assert not _mag("kennis.evalueer", Principal("collega@zh.nl", Rol.BEVOEGD_GEZAG, "ZH"))
    assert not _mag("kennis.evalueer", PROGRAMMA)


def test_a_refusal_is_a_clear_dutch_sentence() -> None:
    with pytest.raises(beleid.GeenToegang, match="dat mag alleen ZH zelf"):
        beleid.controleer("locaties.wijzig_status", UT, VAN_ZH)
    with pytest.raises(beleid.GeenToegang, match="Met de rol uitvoeringsprogramma mag je niet"):
        beleid.controleer("locaties.registreer", PROGRAMMA, VAN_ZH)


def test_an_operation_without_a_rule_fails_loudly() -> None:
    with pytest.raises(beleid.OnbekendeOperatie):
        beleid.controleer("locaties.sloop", ZH, VAN_ZH)
    with pytest.raises(beleid.OnbekendeOperatie):
        beleid.openapi_extra("kennis.verwijder")
    with pytest.raises(ValueError, match="bevoegd_gezag"):  # a handler that forgot the site
        beleid.controleer("locaties.wijzig_status", ZH)


def test_the_readme_table_is_the_policy() -> None:
    tekst = README.read_text(encoding="utf-8")
    blok = re.search(r"<!-- beleid:begin -->\n(.*?)\n<!-- beleid:einde -->", tekst, re.S)
    assert blok, "README.md has no policy table between the beleid markers"
    assert blok.group(1) == beleid.markdown_tabel(), (
        "regenerate it: python -c 'from shared.beleid import markdown_tabel; "
        "print(markdown_tabel())'"
    )
