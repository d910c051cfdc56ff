"""The rapportage handlers with the in-memory unit of work: reports up to the watermark,
bound to their log, cached, read-only and restricted without touching the shared copy."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from services.rapportage.domain.queries import HoudBij, VraagPositie, VraagRapport
from services.rapportage.service_layer import messagebus
from services.rapportage.service_layer.geheugen import Geheugen
from services.rapportage.service_layer.rapportage import Rapportage
from services.rapportage.service_layer.unit_of_work import FakeRapportageUnitOfWork
from tests.unit.rapportage.test_rapporten import _voorbeeld
from tests.unit.rapportage.test_transitie import _feiten

PEILDATUM = date(2016, 1, 1)


def _uow() -> FakeRapportageUnitOfWork:
    return FakeRapportageUnitOfWork(
        spoedlocaties=_voorbeeld().feiten,
        kennis=_feiten(("kv-1", "kennisvraag-gesteld", 0, {"themas": ["bodem"]})),
    )


def test_een_rapport_telt_tot_de_watermark_en_noemt_zijn_logboek() -> None:
    uow = _uow()
    uit = messagebus.handle(VraagRapport("voortgang", PEILDATUM), uow)
    watermark = uow.spoedlocaties.watermark()
    assert uit.positie == watermark == len(uow.spoedlocaties.feiten)
    assert uit.logboeken == {"spoedlocaties": uow.spoedlocaties.binding(watermark)}
    assert uit.inhoud["samenvatting"]["geregistreerd"] == 4
    assert messagebus.handle(VraagPositie(), uow) == watermark
    assert messagebus.handle(VraagPositie("kennis"), uow) == 1


def test_nieuwe_feiten_na_de_watermark_geven_een_nieuw_rapport() -> None:
    uow = _uow()
    uow.spoedlocaties.vaste_watermark = 3  # the first site's registration and two decisions
    eerder = messagebus.handle(VraagRapport("voortgang", PEILDATUM), uow)
    uow.spoedlocaties.vaste_watermark = None
    later = messagebus.handle(VraagRapport("voortgang", PEILDATUM), uow)
    assert (eerder.positie, later.positie) == (3, len(uow.spoedlocaties.feiten))
    assert eerder.inhoud["samenvatting"]["geregistreerd"] == 1
    assert later.inhoud["samenvatting"]["geregistreerd"] == 4


def test_het_bewaarde_rapport_is_gedeeld_en_niet_te_wijzigen() -> None:
    uow = _uow()
    eerst = messagebus.handle(VraagRapport("deadlines", PEILDATUM), uow)
    assert messagebus.handle(VraagRapport("deadlines", PEILDATUM), uow) is eerst
    digest = eerst.digest
    with pytest.raises(dataclasses.FrozenInstanceError):
        eerst.positie = 0
    with pytest.raises(TypeError):
        eerst.inhoud["verlopen"]["aantal"] = 0
    with pytest.raises(TypeError):
        eerst.inhoud["verlopen"]["locaties"].clear()
    with pytest.raises(TypeError):
        eerst.tabellen[0].rijen.append(["nep"])
    with pytest.raises(TypeError):
        eerst.parameters["peildatum"] = "2030-01-01"
    with pytest.raises(TypeError):
        eerst.logboeken["spoedlocaties"]["hash"] = "0" * 64
    assert eerst.digest == digest


def test_een_selectie_op_bevoegd_gezag_laat_het_gedeelde_rapport_heel() -> None:
    uow = _uow()
    landelijk = messagebus.handle(VraagRapport("bevoegde-gezagen", PEILDATUM), uow)
    zh = messagebus.handle(VraagRapport("bevoegde-gezagen", PEILDATUM, bevoegd_gezag="ZH"), uow)
    assert [r["code"] for r in zh.inhoud["ranglijst"]] == ["ZH"]
    assert zh.parameters["bevoegdGezag"] == "ZH" and zh.digest != landelijk.digest
    again = messagebus.handle(VraagRapport("bevoegde-gezagen", PEILDATUM), uow)
    assert again is landelijk and len(landelijk.inhoud["ranglijst"]) == 42


def test_transitie_komt_uit_het_kennislogboek() -> None:
    uow = _uow()
    uit = messagebus.handle(VraagRapport("transitie", date(2017, 12, 31)), uow)
    assert uit.positie == 1 and set(uit.logboeken) == {"kennis"}
    assert uit.inhoud["samenvatting"]["gesteld"] == 1


def test_bijhouden_leest_tot_de_watermark_en_maakt_de_dienst_gereed() -> None:
    uow = _uow()
    assert not uow.geheugen.bijgehouden.is_set()
    assert messagebus.handle(HoudBij(), uow) == len(uow.spoedlocaties.feiten)
    assert uow.geheugen.bijgehouden.is_set() and uow.geopend == 1


def test_de_dienst_maakt_per_bericht_een_unit_of_work() -> None:
    gemaakt: list[FakeRapportageUnitOfWork] = []
    feiten = _voorbeeld().feiten

    def uow(geheugen: Geheugen) -> FakeRapportageUnitOfWork:
        nieuw = FakeRapportageUnitOfWork(spoedlocaties=feiten, geheugen=geheugen)
        gemaakt.append(nieuw)
        return nieuw

    rapportage = Rapportage(uow=uow)
    assert rapportage.houd_bij() == len(feiten) and rapportage.bijgehouden.is_set()
    assert rapportage.rapport("voortgang", PEILDATUM).positie == len(feiten)
    assert len(gemaakt) == 2 and gemaakt[0].geheugen is gemaakt[1].geheugen
