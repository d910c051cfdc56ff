"""The person store's cryptography: keyed lookups, per-person encryption, wrapped keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shared.privacy.instellingen import PrivacySettings
from shared.privacy.sleutels import (
    OntsleutelFout,
    Sleutelring,
    nieuwe_sleutel,
    ontsleutel_gegevens,
    versleutel_gegevens,
)

RING = Sleutelring.uit_geheim(b"s" * 32)


def test_lookup_is_stable_for_a_login_and_ignores_case_and_spaces() -> None:
    assert RING.zoekwaarde("Jan@ZH.nl") == RING.zoekwaarde(" jan@zh.nl ")
    assert RING.zoekwaarde("jan@zh.nl") == Sleutelring.uit_geheim(b"s" * 32).zoekwaarde("jan@zh.nl")


def test_lookup_differs_per_login_and_per_secret_and_hides_the_login() -> None:
    assert RING.zoekwaarde("jan@zh.nl") != RING.zoekwaarde("piet@zh.nl")
    anders = Sleutelring.uit_geheim(b"t" * 32)
    assert RING.zoekwaarde("jan@zh.nl") != anders.zoekwaarde("jan@zh.nl")
    assert "jan" not in RING.zoekwaarde("jan@zh.nl")


def test_details_round_trip_under_the_persons_key() -> None:
    sleutel = nieuwe_sleutel()
    blob = versleutel_gegevens(sleutel, "prs-1", "account", {"login": "jan@zh.nl"})
    assert b"jan" not in blob
    assert ontsleutel_gegevens(sleutel, "prs-1", "account", blob) == {"login": "jan@zh.nl"}


@pytest.mark.parametrize(
    ("sleutel", "pseudoniem", "ref"),
    [
        ("ander", "prs-1", "account"),  # another person's key
        ("eigen", "prs-2", "account"),  # moved to another person
        ("eigen", "prs-1", "ex-1"),  # moved to another record
    ],
)
def test_details_do_not_open_with_another_key_person_or_record(
    sleutel: str, pseudoniem: str, ref: str
) -> None:
    eigen = nieuwe_sleutel()
    blob = versleutel_gegevens(eigen, "prs-1", "account", {"login": "jan@zh.nl"})
    with pytest.raises(OntsleutelFout):
        ontsleutel_gegevens(
            eigen if sleutel == "eigen" else nieuwe_sleutel(), pseudoniem, ref, blob
        )


def test_person_keys_are_wrapped_for_their_pseudonym_only() -> None:
    sleutel = nieuwe_sleutel()
    omhuld = RING.omhul("prs-1", sleutel)
    assert sleutel not in omhuld
    assert RING.onthul("prs-1", omhuld) == sleutel
    with pytest.raises(OntsleutelFout):
        RING.onthul("prs-2", omhuld)
    with pytest.raises(OntsleutelFout):
        Sleutelring.uit_geheim(b"t" * 32).onthul("prs-1", omhuld)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="te kort"):
        Sleutelring.uit_geheim(b"kort")


def test_production_needs_its_own_privacy_secret(tmp_path: Path) -> None:
    jwks = tmp_path / "jwks.json"
    jwks.write_text('{"keys": []}')
    productie: dict[str, Any] = {
        "mode": "production",
        "jwks_file": str(jwks),
        "jwt_issuer": "i",
        "jwt_audience": "a",
    }
    with pytest.raises(ValueError, match="BODEMREGIE_PRIVACY_GEHEIM"):
        PrivacySettings(**productie)
    gezet = PrivacySettings(**productie, privacy_geheim="ab" * 16)
    assert gezet.sleutelring() == Sleutelring.uit_geheim(bytes.fromhex("ab" * 16))
