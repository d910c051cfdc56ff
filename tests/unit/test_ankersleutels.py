"""Anchor keys: RFC 7638 key ids, OKP JWKs (RFC 8037), key sets from files, directories and
PEM, the development key and rotation."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from deploy import run
from shared import ankersleutels as a
from shared import integriteit as i
from shared.settings import Mode, ServiceSettings
from shared.zegel import verzegelaar

# RFC 8037, appendix A.1 and A.3: the example key and its thumbprint.
RFC_D = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
RFC_X = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
RFC_KID = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def _rfc_sleutel() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.urlsafe_b64decode(RFC_D + "="))


def test_the_key_id_is_the_rfc_7638_thumbprint_of_the_rfc_8037_example() -> None:
    publiek = _rfc_sleutel().public_key()
    jwk = a.als_jwk(publiek)
    assert jwk["x"] == RFC_X and jwk["kty"] == "OKP" and jwk["crv"] == "Ed25519"
    assert a.sleutel_id(publiek) == RFC_KID == jwk["kid"]


def test_a_jwk_reads_back_and_a_wrong_kid_is_refused() -> None:
    publiek = _rfc_sleutel().public_key()
    assert a.sleutel_id(a.uit_jwk(a.als_jwk(publiek))) == RFC_KID
    with pytest.raises(ValueError, match="thumbprint"):
        a.uit_jwk({**a.als_jwk(publiek), "kid": "iets-anders"})
    with pytest.raises(ValueError):
        a.uit_jwk({"kty": "RSA", "n": "x", "e": "AQAB"})


def _paar(map_: Path) -> str:
    prive = a.maak_paar(map_)
    return a.sleutel_id(i.laad_privesleutel(prive.read_bytes()).public_key())


def test_key_sets_load_from_pem_jwk_jwks_and_directories(tmp_path: Path) -> None:
    kid_a, kid_b = _paar(tmp_path / "a"), _paar(tmp_path / "b")
    assert list(a.laad(str(tmp_path / "a" / "anker.pub.pem"))) == [kid_a]
    assert list(a.laad(str(tmp_path / "a" / "anker.pem"))) == [kid_a]  # public part only
    set_ab = a.Sleutelset.van(
        [
            *a.laad(str(tmp_path / "a" / "anker.pub.pem")).sleutels.values(),
            *a.laad(str(tmp_path / "b" / "anker.pub.pem")).sleutels.values(),
        ]
    )
    (tmp_path / "jwks.json").write_text(json.dumps(set_ab.jwks()))
    assert set(a.laad(str(tmp_path / "jwks.json"))) == {kid_a, kid_b}
    (tmp_path / "een.jwk").write_text(json.dumps(set_ab.jwks()["keys"][1]))
    assert list(a.laad(str(tmp_path / "een.jwk"))) == [kid_b]
    assert set(a.laad(str(tmp_path / "b"))) == {kid_b}
    (tmp_path / "rommel.json").write_text("[1, 2]")
    with pytest.raises(ValueError):
        a.laad(str(tmp_path / "rommel.json"))


def test_a_set_picks_the_key_an_anchor_names() -> None:
    een, twee = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    beide = a.Sleutelset.van([een.public_key(), twee.public_key()])
    assert (
        beide.kies(a.sleutel_id(twee.public_key()))
        is beide.sleutels[a.sleutel_id(twee.public_key())]
    )
    assert beide.kies("onbekend") is None and beide.kies(None) is None
    # One key checks every anchor, whatever id it names: the signature decides (as before ids).
    alleen = a.Sleutelset.van([een.public_key()])
    assert alleen.kies("onbekend") is alleen.sleutels[a.sleutel_id(een.public_key())]


def test_the_development_key_is_made_once_and_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "ANKERSLEUTELS", tmp_path / "ankersleutels")
    env: dict[str, str] = {}
    pad = run._ankersleutels(env)
    assert env["BODEMREGIE_ANKER_SLEUTEL"] == pad
    assert stat.S_IMODE(Path(pad).stat().st_mode) == 0o600
    eerste = Path(pad).read_bytes()
    assert run._ankersleutels({}) == pad and Path(pad).read_bytes() == eerste
    # A key named in the environment wins; nothing is made.
    assert run._ankersleutels({"BODEMREGIE_ANKER_SLEUTEL": "/elders.pem"}) == "/elders.pem"


def test_rotation_keeps_the_retired_key_served_and_old_anchors_verifiable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    map_ = tmp_path / "ankersleutels"
    oud_kid = _paar(map_)
    oude = i.laad_privesleutel((map_ / "anker.pem").read_bytes())
    handtekening = i.onderteken(oude, 10, "ab" * 32)
    assert a.roteer(map_)[0] == oud_kid
    nieuw_kid = _paar_kid(map_)
    assert nieuw_kid != oud_kid
    gediend = a.gediend(str(map_ / "anker.pem"), str(map_ / "oud"))
    assert set(gediend) == {oud_kid, nieuw_kid}
    sleutel = gediend.kies(oud_kid)
    assert sleutel is not None and i.handtekening_klopt(sleutel, 10, "ab" * 32, handtekening)
    assert oud_kid not in set(a.gediend(str(map_ / "anker.pem"), ""))
    # make run serves the retired keys too once they exist.
    monkeypatch.setattr(run, "ANKERSLEUTELS", map_)
    env: dict[str, str] = {}
    run._ankersleutels(env)
    assert env["BODEMREGIE_ANKER_OUDE_SLEUTELS"] == str(map_ / "oud")


def _paar_kid(map_: Path) -> str:
    return a.sleutel_id(i.laad_privesleutel((map_ / "anker.pem").read_bytes()).public_key())


def test_production_refuses_to_seal_without_a_signing_key(tmp_path: Path) -> None:
    # Built without validation: only the sealer's rule is under test, not token settings.
    productie = ServiceSettings.model_construct(mode=Mode.PRODUCTION)
    with pytest.raises(ValueError, match="BODEMREGIE_ANKER_SLEUTEL"):
        verzegelaar(productie, "urn:x", "t")
    prive = a.maak_paar(tmp_path / "sleutel")
    zegel = verzegelaar(
        ServiceSettings.model_construct(mode=Mode.PRODUCTION, anker_sleutel=str(prive)),
        "urn:x",
        "t",
    )
    assert zegel._sleutel is not None
    assert a.sleutel_id(zegel._sleutel.public_key()) == _paar_kid(tmp_path / "sleutel")
