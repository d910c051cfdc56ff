"""``bodemregie audit verify`` at scale: a sealed, anchored and signed log of ``--events`` events
(bench/verzegeld_logboek.py) written as JSON Lines, then verified the way the command does
(``verify.controleer_bestand`` with the public key: one worker process per core reads and
hashes, this one checks chains and anchors). Reports events per second of wall-clock time and
per CPU second of all processes together (on a shared machine the two differ: the load average
is reported too), and the canonical encoding's rate the old way (``json``) and the new (orjson).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from auditor import export, verify
from bench.verzegeld_logboek import logboek
from shared import integriteit


def schrijf_logboek(pad: Path, aantal: int, sleutel: Ed25519PrivateKey) -> None:
    with pad.open("w", encoding="utf-8") as fh:
        for ce in logboek(aantal, sleutel):
            fh.write(json.dumps(ce, ensure_ascii=False, separators=(",", ":")) + "\n")


def _cpu() -> float:
    """CPU seconds of this process and of its finished workers."""
    eigen = resource.getrusage(resource.RUSAGE_SELF)
    werkers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return eigen.ru_utime + eigen.ru_stime + werkers.ru_utime + werkers.ru_stime


def _hashrate(events: list[dict[str, Any]], canoniek: Any) -> float:
    begin = time.process_time()
    for ev in events:
        inhoud = {k: v for k, v in ev.items() if k not in integriteit.NIET_GEHASHT}
        hashlib.sha256(canoniek(inhoud)).hexdigest()
    return len(events) / (time.process_time() - begin)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=300_000)
    args = parser.parse_args(argv)
    sleutel = Ed25519PrivateKey.generate()
    with tempfile.TemporaryDirectory() as tmp:
        pad = Path(tmp) / "log.jsonl"
        schrijf_logboek(pad, args.events, sleutel)
        grootte = pad.stat().st_size
        load_voor = os.getloadavg()[0]
        wand, cpu = time.perf_counter(), _cpu()
        uitslag = verify.controleer_bestand(str(pad), sleutel.public_key())
        wand, cpu = time.perf_counter() - wand, _cpu() - cpu
        load = (load_voor + os.getloadavg()[0]) / 2
        steekproef = list(export.lees(str(pad)))[:20_000]
    assert uitslag.in_orde and uitslag.ondertekend == uitslag.ankers > 0, uitslag.eerste
    resultaat = {
        "events": uitslag.gecontroleerd,
        "ankers": uitslag.ankers,
        "mb": grootte / 1e6,
        "wall_s": wand,
        "cpu_s": cpu,
        "per_s_wall": uitslag.gecontroleerd / wand,
        "per_s_cpu": uitslag.gecontroleerd / cpu,
        "load": load,
        "werkers": os.cpu_count() or 1,
        "hash_json_per_s": _hashrate(steekproef, integriteit.canoniek),
        "hash_orjson_per_s": _hashrate(steekproef, integriteit.canoniek_snel),
    }
    print(resultaat)
    return resultaat


if __name__ == "__main__":
    main()
