"""Every service's landing page at / renders in headless Chromium: a real screenshot (the
window's size, not blank, the page's blue header band) and the page's text from the rendered
DOM (what the service is, the links to its documentation; for rapportage the publications
and the national progress chart). Chromium comes from `make browser` (run by `make infra`)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine

from services.kennis.config import KennisSettings
from services.kennis.entrypoints.app import create_app as kennis_app
from services.locaties.config import LocatiesSettings
from services.locaties.entrypoints.app import create_app as locaties_app
from services.rapportage.bootstrap import migrate, processor
from services.rapportage.config import RapportageSettings
from services.rapportage.entrypoints.app import create_app as rapportage_app
from shared.db.engine import make_session_factory
from shared.messaging.consumer import ListDeadLetterSink
from tests.support import png
from tests.support.locaties import SECRET
from tests.support.rapportage import record, registratie, status, verzegel

BREEDTE, HOOGTE = 1000, 1400
KOPKLEUR = (0x15, 0x42, 0x73)  # the header band (shared/http/landingspagina.py)
APPS: dict[str, tuple[Callable[[dict[str, Any]], FastAPI], list[str]]] = {
    "locaties": (lambda s: locaties_app(LocatiesSettings(**s)), ["Bodemregie Locaties"]),
    "rapportage": (
        lambda s: rapportage_app(RapportageSettings(**s)),
        ["Bodemregie Rapportage", "Laatste publicaties", "Landelijke voortgang", "Per jaar"],
    ),
    "kennis": (lambda s: kennis_app(KennisSettings(**s)), ["Kennis"]),
}


def _chromium() -> str:
    pad = shutil.which("chromium") or shutil.which("chromium-browser")
    assert pad, "headless Chromium is missing: run `make browser` (part of `make infra`)"
    return pad


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        poort: int = s.getsockname()[1]
        return poort


@contextmanager
def _server(app: FastAPI) -> Iterator[str]:
    poort = _vrije_poort()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=poort, log_level="warning"))
    draad = threading.Thread(target=server.run, daemon=True)
    draad.start()
    einde = time.monotonic() + 60
    while not server.started:
        assert draad.is_alive() and time.monotonic() < einde, "the app did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{poort}/"
    finally:
        server.should_exit = True
        draad.join(timeout=30)


def _chrome(url: str, *args: str, profiel: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",  # as root in a container
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={profiel}",
            f"--window-size={BREEDTE},{HOOGTE}",
            *args,
            url,
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


@pytest.mark.parametrize("service", list(APPS))
def test_the_landing_page_renders_in_headless_chromium(
    service: str, sqlite_engine: Engine, tmp_path: Path
) -> None:
    maak, teksten = APPS[service]
    if service == "rapportage":
        _verwerk_sites(sqlite_engine)
    url = sqlite_engine.url.render_as_string(hide_password=False)
    app = maak({"database_url": url, "jwt_secret": SECRET, "kafka_enabled": False})
    schermafdruk = tmp_path / "landing.png"
    with _server(app) as adres:
        foto = _chrome(adres, f"--screenshot={schermafdruk}", profiel=tmp_path / "p1")
        assert schermafdruk.exists(), foto.stderr[-2000:]
        dom = _chrome(adres, "--dump-dom", profiel=tmp_path / "p2")
    assert dom.returncode == 0, dom.stderr[-2000:]

    beeld = png.lees(schermafdruk)
    assert (beeld.breedte, beeld.hoogte) == (BREEDTE, HOOGTE)
    kleuren = {p for rij in beeld.pixels[::10] for p in rij[::10]}
    assert len(kleuren) > 5, kleuren  # text, links and the band: not a blank page
    wit = sum(p == (255, 255, 255) for rij in beeld.pixels[::10] for p in rij[::10])
    assert wit < 0.98 * (BREEDTE // 10) * (HOOGTE // 10)
    assert beeld.pixels[5][5] == KOPKLEUR  # the header was laid out and painted

    for tekst in [*teksten, "Wat is dit?", "Interactieve API-documentatie"]:
        assert tekst in dom.stdout, (tekst, dom.stdout[:3000])
    assert 'href="/v1/openapi.json"' in dom.stdout
    assert 'href="/v1/docs"' in dom.stdout
    if service == "rapportage":
        assert "<svg" in dom.stdout  # the progress chart, inline
        # Its bars were painted: solid runs of the chart's colour, 13 px high per bar. Two
        # sites were cleaned up (two bars per chart); without them the only long runs of that
        # colour below the band are the links' underlines, a few rows in all.
        rijen = sum(_langste_reeks(rij, KOPKLEUR) >= 40 for rij in beeld.pixels[100:])
        assert rijen > 30, rijen
        assert "tot en met positie 5" in dom.stdout


def _langste_reeks(rij: list[tuple[int, int, int]], kleur: tuple[int, int, int]) -> int:
    langste = huidig = 0
    for p in rij:
        huidig = huidig + 1 if p == kleur else 0
        langste = max(langste, huidig)
    return langste


def _verwerk_sites(engine: Engine) -> None:
    """Three sites registered and two cleaned up, as the rapportage consumer would take them
    from Kafka, so the progress chart has bars."""
    migrate(engine)
    ids = ["ZH051300001", "ZH051300002", "UT035600001"]
    log = [registratie(i + 1, lid) for i, lid in enumerate(ids)]
    log += [status(4, ids[0], 2, "gesaneerd", "2012-05-01")]
    log += [status(5, ids[1], 2, "gesaneerd", "2014-09-01")]
    proc = processor(RapportageSettings(), make_session_factory(engine), ListDeadLetterSink())
    proc.process([record(i, e) for i, e in enumerate(verzegel(*log))])
