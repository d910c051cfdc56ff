"""After start-up the process's objects are frozen and the young generation is collected less
often; only the first call in a process does it. In a child process: freezing is for good."""

from __future__ import annotations

import subprocess
import sys

from tests.support.infra import ROOT

PROBE = """
import gc
from shared import gc_tuning
assert gc.get_freeze_count() == 0
gc_tuning.after_warm_up()
frozen = gc.get_freeze_count()
assert frozen > 0, frozen
assert gc.get_threshold() == (gc_tuning.GEN0, gc_tuning.GEN1, gc_tuning.GEN2)
gc_tuning.after_warm_up()
assert gc.get_freeze_count() == frozen  # the second call froze nothing more
print("ok")
"""


def test_the_first_call_freezes_and_sets_the_thresholds_once() -> None:
    uit = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert uit.returncode == 0, uit.stderr
    assert uit.stdout.strip() == "ok"
