"""``bodemregie import --parallel``: the file split into parts so that every line concerning
one site (or tied to it by its key, or by the numbering of registrations without an id) stays in
one part, in file order; and the answers of the parts, arriving in any order, counted and
written in file order."""

from __future__ import annotations

import io
import json
import os
import random
import signal
import threading
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from bodemregie import cli, importeren
from bodemregie.importeren import BLANCO, ImportFout, importeer, verdeel


def _regel(**velden: Any) -> bytes:
    return json.dumps(velden).encode() + b"\n"


def _registratie(locatie_id: str | None, gemeente: str = "0513", **meer: Any) -> bytes:
    body = {"bevoegdGezag": "ZH", "gemeentecode": gemeente, "naam": "x"}
    return _regel(soort="registratie", body=body, **({"locatieId": locatie_id} | meer))


def _commando(locatie_id: str, versie: int, **meer: Any) -> bytes:
    body = {"naar": "onderzocht", "besluitdatum": "2010-06-01"}
    return _regel(soort="statuswijzigingen", locatieId=locatie_id, versie=versie, body=body, **meer)


def _bestand(sites: int, per_site: int, seed: int) -> tuple[list[bytes], list[str]]:
    """Lines of ``sites`` sites interleaved at random (each site's lines in its own order)."""
    rnd = random.Random(seed)
    rest = {f"ZH0513{n:05d}": 0 for n in range(1, sites + 1)}
    regels, van = [], []
    while rest:
        locatie_id = rnd.choice(sorted(rest))
        v = rest[locatie_id]
        regels.append(_registratie(locatie_id) if v == 0 else _commando(locatie_id, v))
        van.append(locatie_id)
        rest[locatie_id] += 1
        if rest[locatie_id] == per_site:
            del rest[locatie_id]
    return regels, van


@pytest.mark.parametrize("delen", [1, 2, 3, 4, 7])
def test_every_site_in_one_part_and_every_part_used(delen: int) -> None:
    regels, van = _bestand(40, 8, seed=delen)
    deel = verdeel(regels, delen)
    per_site: dict[str, set[int]] = defaultdict(set)
    for locatie_id, d in zip(van, deel, strict=True):
        per_site[locatie_id].add(d)
    assert all(len(d) == 1 for d in per_site.values()), per_site
    assert set(deel) == set(range(delen))
    # Largest groups first onto the least loaded part: 40 sites of 8 lines, parts even to a site.
    lading = [deel.count(d) for d in range(delen)]
    assert max(lading) - min(lading) <= 8


def test_a_registration_ties_its_id_in_the_body_to_the_commands() -> None:
    body = {"bevoegdGezag": "ZH", "gemeentecode": "0513", "naam": "x", "locatieId": "ZH051300009"}
    regels = [
        _regel(soort="registratie", body=body),
        *(_registratie(f"ZH0513{n:05d}") for n in range(1, 9)),
        _commando("ZH051300009", 1),
    ]
    deel = verdeel(regels, 4)
    assert deel[0] == deel[-1]


def test_lines_sharing_a_key_share_a_part() -> None:
    """A key repeated in the file is answered by its first line (or refused when the content
    differs): that takes both lines in one part, in order, even on different sites."""
    regels = [_registratie(f"ZH0513{n:05d}", sleutel=f"k{n}") for n in range(1, 9)]
    regels.append(_commando("ZH051300005", 1, sleutel="k2"))
    deel = verdeel(regels, 4)
    assert deel[1] == deel[4] == deel[8]


def test_registrations_numbered_by_the_service_stay_together_in_order() -> None:
    """Registrations without an id are numbered per bevoegd gezag and gemeente in the order the
    service meets them: all of one prefix in one part, and with them every explicit id under
    that prefix (a number handed out may meet it), so the numbers are a serial import's."""
    regels = [
        _registratie(None, "0599"),
        _registratie("ZH051300001"),
        _registratie(None, "0599"),
        _registratie("ZH059900002"),
        _registratie("ZH051300002"),
        _registratie(None, "0518"),
        _registratie(None, "0599"),
        _commando("ZH059900002", 1),
    ]
    deel = verdeel(regels, 4)
    assert deel[0] == deel[2] == deel[3] == deel[6] == deel[7]
    assert len(set(deel)) > 1  # the other sites and prefixes are free to go elsewhere


def test_blank_and_unreadable_lines() -> None:
    regels = [b"\n", b"  \r\n", b"geen json\n", b"[1, 2]\n", _registratie("ZH051300001")]
    deel = verdeel(regels, 2)
    assert deel[:2] == [BLANCO, BLANCO]
    assert all(0 <= d < 2 for d in deel[2:])


def test_the_partition_splits_no_site_even_when_the_lines_are_adversarial() -> None:
    """The id at the top of a registration and a different one in its body: both tie."""
    body = {"bevoegdGezag": "ZH", "gemeentecode": "0513", "naam": "x", "locatieId": "ZH051300002"}
    regels = [
        _regel(soort="registratie", locatieId="ZH051300001", body=body),
        *(_registratie(f"ZH0513{n:05d}") for n in range(3, 12)),
        _commando("ZH051300001", 1),
        _commando("ZH051300002", 1),
    ]
    deel = verdeel(regels, 4)
    assert deel[0] == deel[-1] == deel[-2]


# -- the client: parts sent side by side, answers in file order ---------------------------------


class _Dienst:
    """The import endpoint's answer shape: one result per line (numbered from 1 in the
    request), a refusal for every line whose body says so; answers of the parts held back at
    random so that they arrive out of file order."""

    def __init__(self) -> None:
        self.verbindingen = 0
        self.per_verbinding: list[list[str]] = []
        self._lock = threading.Lock()
        self._rnd = random.Random(7)

    def client(self) -> httpx.Client:
        with self._lock:
            self.verbindingen += 1
            gezien: list[str] = []
            self.per_verbinding.append(gezien)

        def antwoord(request: httpx.Request) -> httpx.Response:
            uit = []
            for n, ruw in enumerate(request.content.splitlines(), start=1):
                regel = json.loads(ruw)
                gezien.append(regel["locatieId"])
                if regel["body"].get("weiger"):
                    uit.append({"regel": n, "status": 400, "probleem": {"status": 400}})
                else:
                    uit.append(
                        {"regel": n, "status": 201, "locatieId": regel["locatieId"], "versie": 1}
                    )
            with self._lock:
                wacht = self._rnd.random() / 50
            threading.Event().wait(wacht)
            return httpx.Response(
                200, content=b"".join(json.dumps(u).encode() + b"\n" for u in uit)
            )

        return httpx.Client(transport=httpx.MockTransport(antwoord), base_url="http://import")


def _met_uitvoer(bestand: Path, clients: Any, **meer: Any) -> tuple[Counter[str], str, str]:
    """``importeer`` with these parts' clients: the counts, the refused lines, the results."""
    geweigerd, uitslagen = io.StringIO(), io.StringIO()
    telling = importeer(
        bestand, "", "t", geweigerd, voortgang=False, uitslagen=uitslagen, clients=clients, **meer
    )
    return telling, geweigerd.getvalue(), uitslagen.getvalue()


def test_answers_counted_and_written_in_file_order(tmp_path: Path) -> None:
    regels, van = _bestand(30, 5, seed=3)
    geweigerd_op = set(range(4, len(regels), 11))
    for n in geweigerd_op:
        regels[n] = regels[n].replace(b'"naar"', b'"weiger": 1, "naar"')
    regels.insert(10, b"\n")  # a blank line: not sent, no result, numbers after it count it
    van.insert(10, "")
    bestand = tmp_path / "historie.ndjson"
    bestand.write_bytes(b"".join(regels))
    dienst = _Dienst()
    telling, geweigerd, uitslagen = _met_uitvoer(bestand, dienst.client, per_verzoek=4, parallel=3)
    assert dienst.verbindingen == 3  # a connection of its own per part
    # Each part saw its sites' lines in file order, and no site went to two parts.
    for gezien in dienst.per_verbinding:
        assert gezien == [x for x in van if x in set(gezien)]
    assert sum(len(g) for g in dienst.per_verbinding) == len(regels) - 1
    nummers = [n for n in range(1, len(regels) + 1) if n != 11]
    alles = [json.loads(r) for r in uitslagen.splitlines()]
    assert [u["regel"] for u in alles] == nummers
    assert [u["locatieId"] for u in alles if u["status"] == 201] == [
        x for n, x in enumerate(van, start=1) if n != 11 and "weiger" not in str(regels[n - 1])
    ]
    fouten = [json.loads(r) for r in geweigerd.splitlines()]
    verwacht = [n for n in nummers if b"weiger" in regels[n - 1]]
    assert [f["regel"] for f in fouten] == verwacht
    assert all(json.loads(f["invoer"]) == json.loads(regels[f["regel"] - 1]) for f in fouten)
    assert telling == {"vastgelegd": len(nummers) - len(verwacht), "geweigerd": len(verwacht)}


def _enkele_client(antwoord: Any) -> Any:
    return lambda: httpx.Client(transport=httpx.MockTransport(antwoord), base_url="http://import")


def test_a_key_holding_a_unicode_line_separator_is_read_as_one_answer(tmp_path: Path) -> None:
    """The service writes each result with orjson, which leaves U+2028, U+2029 and NEL (U+0085)
    in the echoed key as they are; the answer is split at newlines only."""
    sleutels = ["a\u2028b", "c\u2029d", "e\x85f", "g\x1ch"]
    regels = [_commando(f"ZH0513{n:05d}", 1, sleutel=s) for n, s in enumerate(sleutels, 1)]
    bestand = tmp_path / "historie.ndjson"
    bestand.write_bytes(b"".join(regels))

    def antwoord(request: httpx.Request) -> httpx.Response:
        uit = []
        for n, ruw in enumerate(request.content.splitlines(), start=1):
            regel = orjson.loads(ruw)
            uit.append(
                orjson.dumps(
                    {"regel": n, "sleutel": regel["sleutel"], "status": 201, "locatieId": "x"}
                )
            )
        return httpx.Response(200, content=b"\n".join(uit) + b"\n")

    uitslagen = io.StringIO()
    telling = importeer(
        bestand,
        "",
        "t",
        io.StringIO(),
        voortgang=False,
        parallel=2,
        uitslagen=uitslagen,
        clients=_enkele_client(antwoord),
    )
    assert telling == {"vastgelegd": 4}
    alles = uitslagen.getvalue().split("\n")[:-1]  # str.splitlines would split at U+2028 too
    assert [json.loads(r)["sleutel"] for r in alles] == sleutels


@pytest.mark.parametrize(
    "antwoord",
    [
        b'{"regel": 1, "status": 201}\n',  # the second line not answered
        b'{"regel": 1, "status": 201}\n{"regel": 1, "status": 201}\n',  # the first twice
        b'{"regel": 1, "status": 201}\n{"regel": 3, "status": 201}\n',  # no third line sent
        b"<html>onderhoud</html>\n",  # not the service
    ],
)
def test_an_answer_that_does_not_answer_each_line_once_stops_the_import(
    tmp_path: Path, antwoord: bytes
) -> None:
    """Every line sent is answered exactly once, or the command stops (exit 2, 'run it again')
    instead of reporting a count that leaves lines out."""
    bestand = tmp_path / "historie.ndjson"
    bestand.write_bytes(_commando("ZH051300001", 1) + _commando("ZH051300001", 2))
    with pytest.raises(ImportFout):
        importeer(
            bestand,
            "",
            "t",
            io.StringIO(),
            voortgang=False,
            clients=_enkele_client(lambda _: httpx.Response(200, content=antwoord)),
        )


def test_after_ctrl_c_an_answer_still_coming_in_is_not_written(tmp_path: Path) -> None:
    """Ctrl-C stops the command at once and what was answered is written out, in file order;
    a part's answer that arrives after that (its thread is a daemon, its request in flight) is
    not written behind it, out of order, or into a file the command has closed."""
    regels = [
        _commando("ZH051300001", 1, sleutel="a1"),
        _commando("ZH051300002", 1, sleutel="b1"),
        _commando("ZH051300001", 2, sleutel="a2"),
    ]
    assert verdeel(regels, 2) in ([0, 1, 0], [1, 0, 1])
    bestand = tmp_path / "historie.ndjson"
    bestand.write_bytes(b"".join(regels))
    geweigerd = io.StringIO()
    los = threading.Event()

    def antwoord(request: httpx.Request) -> httpx.Response:
        uit = [
            {"regel": n, "status": 409, "sleutel": json.loads(r)["sleutel"]}
            for n, r in enumerate(request.content.splitlines(), start=1)
        ]
        if uit[0]["sleutel"] == "b1":
            # Ctrl-C once the other part's answer is in, then answer after all.
            for _ in range(500):
                if '"a1"' in geweigerd.getvalue():
                    break
                threading.Event().wait(0.01)
            os.kill(os.getpid(), signal.SIGINT)
            los.wait(10)
        return httpx.Response(200, content=b"".join(orjson.dumps(u) + b"\n" for u in uit))

    gesloten = threading.Semaphore(0)

    class Client(httpx.Client):
        def close(self) -> None:  # a part's last act, after its answers were taken
            super().close()
            gesloten.release()

    with pytest.raises(KeyboardInterrupt):
        importeer(
            bestand,
            "",
            "t",
            geweigerd,
            voortgang=False,
            parallel=2,
            clients=lambda: Client(
                transport=httpx.MockTransport(antwoord), base_url="http://import"
            ),
        )
    geschreven = geweigerd.getvalue()
    los.set()
    # (Not Thread.join: on Python 3.11 a join that Ctrl-C interrupted marks the thread stopped.)
    assert gesloten.acquire(timeout=10) and gesloten.acquire(timeout=10)
    assert [json.loads(r)["sleutel"] for r in geschreven.splitlines()] == ["a1", "a2"]
    assert geweigerd.getvalue() == geschreven


def test_ctrl_c_ends_the_command_with_how_to_continue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def onderbroken(*_: Any, **__: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(importeren, "importeer", onderbroken)
    bestand = tmp_path / "historie.ndjson"
    bestand.write_bytes(_commando("ZH051300001", 1))
    assert cli.main(["import", str(bestand), "--token", "t"]) == 130
    assert "voer hetzelfde commando opnieuw uit" in capsys.readouterr().err


def test_a_line_the_service_did_not_process_is_counted_apart_not_refused(tmp_path: Path) -> None:
    """A line answered 503 (the service failed, was busy or stopping) recorded nothing and was
    not refused: it counts as "niet verwerkt", is in the results but not among the refused
    lines, and the rest is counted as usual."""
    regels = [_commando(f"ZH0513{n:05d}", 1, sleutel=f"k{n}") for n in range(1, 7)]
    bestand = tmp_path / "historie.ndjson"
    bestand.write_bytes(b"".join(regels))
    status = {"k2": 503, "k3": 400, "k5": 503}

    def antwoord(request: httpx.Request) -> httpx.Response:
        uit = []
        for n, ruw in enumerate(request.content.splitlines(), start=1):
            sleutel = json.loads(ruw)["sleutel"]
            uit.append({"regel": n, "sleutel": sleutel, "status": status.get(sleutel, 201)})
        return httpx.Response(200, content=b"".join(orjson.dumps(u) + b"\n" for u in uit))

    telling, geweigerd, uitslagen = _met_uitvoer(bestand, _enkele_client(antwoord), per_verzoek=4)
    assert telling == {"vastgelegd": 3, "geweigerd": 1, "niet verwerkt": 2}
    assert [json.loads(r)["sleutel"] for r in geweigerd.splitlines()] == ["k3"]
    alles = [json.loads(r) for r in uitslagen.splitlines()]
    assert [(u["regel"], u["status"]) for u in alles] == [
        (1, 201),
        (2, 503),
        (3, 400),
        (4, 201),
        (5, 503),
        (6, 201),
    ]


@pytest.mark.parametrize(
    ("telling", "code", "geweigerd_blijft"),
    [
        ({"vastgelegd": 3}, 0, False),
        ({"vastgelegd": 2, "niet verwerkt": 1}, 2, False),
        ({"vastgelegd": 1, "geweigerd": 1}, 1, True),
        ({"vastgelegd": 1, "geweigerd": 1, "niet verwerkt": 1}, 1, True),  # refused lines win
    ],
)
def test_the_exit_code_says_whether_to_fix_lines_or_run_again(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    telling: dict[str, int],
    code: int,
    geweigerd_blijft: bool,
) -> None:
    """Lines not processed (503) ask for the same command again (exit 2, as a stop does), not
    for a fix (exit 1, refused lines); with both, the refused lines win."""
    monkeypatch.setattr(importeren, "importeer", lambda *_, **__: Counter(telling))
    bestand = tmp_path / "historie.ndjson"
    bestand.write_bytes(_commando("ZH051300001", 1))
    assert cli.main(["import", str(bestand), "--token", "t"]) == code
    uit = capsys.readouterr().out
    assert ("niet verwerkt" in uit) == ("niet verwerkt" in telling)
    assert ("opnieuw uit" in uit) == ("niet verwerkt" in telling)
    assert (tmp_path / "historie.ndjson.geweigerd.ndjson").exists() == geweigerd_blijft


def _rommelig(seed: int, aantal: int = 400) -> list[bytes]:
    """An untidy file: keys repeated and not, lines with only a key, registrations with and
    without an id (some under a prefix numbered in the file), blank and unreadable lines."""
    rnd = random.Random(seed)
    uit = []
    for n in range(aantal):
        sleutel = rnd.choice([None, f"uniek{n}", f"k{rnd.randrange(20)}"])
        meer = {} if sleutel is None else {"sleutel": sleutel}
        locatie_id = f"ZH05{rnd.choice(['13', '99'])}{rnd.randrange(1, 60):05d}"
        keuze = rnd.randrange(7)
        if keuze == 0:
            uit.append(_registratie(None, rnd.choice(["0513", "0599", "0518"]), **meer))
        elif keuze == 1:
            uit.append(_registratie(locatie_id, **meer))
        elif keuze == 2:
            uit.append(_regel(soort="onbekend", body={}, **meer))
        elif keuze == 3:
            uit.append(rnd.choice([b"\n", b"geen json\n", b"[1]\n"]))
        else:
            uit.append(_commando(locatie_id, rnd.randrange(1, 5), **meer))
    return uit


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("delen", [2, 3])
def test_holding_only_the_keys_that_repeat_splits_as_holding_every_key(
    seed: int, delen: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``verdeel`` holds only the keys that may occur more than once (``_herhaald``); a key
    found once ties its line to nothing. The split is the one holding every key gives, also
    when many keys that occur once share a bit with another (a small bitset)."""
    regels = _rommelig(seed)
    deel = verdeel(regels, delen)
    monkeypatch.setattr(importeren, "BITS_PER_REGEL", 1)
    assert verdeel(regels, delen) == deel
    monkeypatch.setattr(importeren, "_herhaald", lambda _: lambda _s: True)  # every key held
    assert verdeel(regels, delen) == deel


def test_a_key_found_twice_is_always_known_as_repeated() -> None:
    regels = _rommelig(11, 2000)
    herhaald = importeren._herhaald(regels)
    aantal = Counter(s for r in regels for s in importeren._sleutels(r) if s.startswith("s:"))
    assert all(herhaald(s) for s, n in aantal.items() if n > 1)
    assert sum(herhaald(s) for s, n in aantal.items() if n == 1) < len(aantal) / 4


def test_a_key_spelled_with_an_escape_ties_its_lines() -> None:
    """JSON may spell the name "sleutel" with an escaped letter; such a line is still read
    for its key (not skipped as a line without one)."""
    regels = [
        _registratie(f"ZH0513{n:05d}").replace(b'"soort"', b'"\\u0073leutel": "k", "soort"')
        if n in (1, 8)
        else _registratie(f"ZH0513{n:05d}")
        for n in range(1, 9)
    ]
    assert importeren._sleutels(regels[0])[0] == "s:k"
    deel = verdeel(regels, 4)
    assert deel[0] == deel[7]


def test_the_file_is_read_anew_for_each_pass_and_not_held(tmp_path: Path) -> None:
    regels = _rommelig(5)
    bestand = tmp_path / "historie.ndjson"
    bestand.write_bytes(b"".join(regels))
    assert verdeel(importeren.Regels(bestand), 3) == verdeel(regels, 3)
    with pytest.raises(TypeError):
        verdeel(iter(regels), 3)  # read once only: it would be split as an empty file


@pytest.mark.parametrize("wanneer", ["verdeel", "verzenden"])
def test_a_file_that_changes_during_the_import_stops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wanneer: str
) -> None:
    """``verdeel`` reads the file three times and the parts read it once more: a line appended
    after the first read that repeats a key would not be tied to that key's other line (split
    apart, answered out of file order). A file changed under the command stops it (exit 2, run
    again) instead."""
    regels = [_commando(f"ZH0513{n:05d}", 1, sleutel=f"k{n}") for n in range(1, 5)]
    bestand = tmp_path / "historie.ndjson"
    bestand.write_bytes(b"".join(regels))
    herhaald = importeren._herhaald
    blokken = importeren._blokken

    def erbij() -> None:
        with bestand.open("ab") as f:
            f.write(_commando("ZH051300009", 1, sleutel="k1"))

    def na_eerste_lezing(lijst: Any) -> Any:
        uit = herhaald(lijst)
        erbij()
        return uit

    def na_verdelen(*args: Any) -> Any:
        erbij()
        return blokken(*args)

    if wanneer == "verdeel":
        monkeypatch.setattr(importeren, "_herhaald", na_eerste_lezing)
    else:
        monkeypatch.setattr(importeren, "_blokken", na_verdelen)
    dienst = _Dienst()
    with pytest.raises(ImportFout, match="veranderde"):
        importeer(bestand, "", "t", io.StringIO(), voortgang=False, clients=dienst.client)
