"""The command line every demo shares (shared/demo.py)."""

from __future__ import annotations

import argparse

import httpx
import pytest

from shared.demo import DemoFout, demo_main


def _extra(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--schaal", type=float, default=1.0)


def test_a_demo_that_runs_prints_its_line_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    def speel(client: httpx.Client, args: argparse.Namespace, secret: str) -> str:
        assert str(client.base_url) == "http://voorbeeld:1"
        assert secret
        return f"klaar {args.schaal} {args.seed}"

    code = demo_main(
        ["--url", "http://voorbeeld:1", "--schaal", "2"],
        beschrijving=None,
        url="http://127.0.0.1:8001",
        seed=7,
        speel=speel,
        naam="demo",
        argumenten=_extra,
    )
    assert code == 0
    assert capsys.readouterr().out == "klaar 2.0 7\n"


def test_a_refused_request_stops_the_demo_with_1_and_says_why(
    capsys: pytest.CaptureFixture[str],
) -> None:
    def speel(client: httpx.Client, args: argparse.Namespace, secret: str) -> str:
        raise DemoFout("registratie: 400 fout")

    code = demo_main(
        [], beschrijving=None, url="http://127.0.0.1:9", seed=1, speel=speel, naam="kennisdemo"
    )
    assert code == 1
    assert capsys.readouterr().err == "kennisdemo afgebroken: registratie: 400 fout\n"
