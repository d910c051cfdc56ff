"""The development secret of the person store is created 0600, not chmod-ed afterwards."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from shared.privacy import instellingen


def test_dev_secret_is_never_readable_by_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(instellingen, "DEV_GEHEIM", tmp_path / "privacy" / "geheim")
    # Without the chmod a file written under the usual umask would be readable by others: the
    # mode must come from its creation.
    monkeypatch.setattr(Path, "chmod", lambda self, mode: None)
    oud = os.umask(0o022)
    try:
        geheim = instellingen._dev_geheim()
    finally:
        os.umask(oud)
    pad = tmp_path / "privacy" / "geheim"
    assert stat.S_IMODE(pad.stat().st_mode) == 0o600
    assert len(bytes.fromhex(geheim)) == 32
    assert instellingen._dev_geheim() == geheim  # made once
    assert [p.name for p in pad.parent.iterdir()] == ["geheim"]  # no temporary left
