"""``bodemregie import FILE``: send a history file (NDJSON) to the locaties service's bulk import.

The file goes in ``--parallel`` parts at once, each over connections of its own (so that the
kernel spreads them over the service's workers), each part in requests of ``--per-verzoek``
lines (each streamed, its answer read as it comes) so that no request or answer grows with the
file. Every line that concerns one site goes in the same part, in file order (``verdeel``), so
what is recorded is what a serial import records. Every line's answer lands in the progress
bar's counts; refused lines go, with their problem and in file order, to the refused-lines
file. A line answered 503 (the service failed, was busy or stopping: nothing of it recorded)
is not refused: it is counted apart ("niet verwerkt") and, as when a whole request gets 503 or
the connection breaks, the command ends asking to be run again (exit 2, unless lines were
refused: exit 1). Running the same command again is safe and continues where a run stopped:
lines already recorded are answered from their keys and record nothing new.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TextIO

import httpx
import orjson
from tqdm import tqdm

PAD = "/v1/spoedlocaties/import"
# Parts sent at once unless told: the service runs two workers (make run, compose). Four parts
# were measured no faster on Kafka (bench/bulk_import.py --modus workers, 5,000 sites, 2 cores
# shared, load 2.8-6: median ~4,200 events/s sealed and on Kafka for 2 and for 4 parts), while
# with 4 the parts' backends spent ~60-70 % of their active time waiting for one another at the
# event store's position counter.
PARALLEL = 2

BLANCO = -1  # a blank line: not sent, no result (the service skips it too)
# A line's status when the service did not process it (it failed, or was busy or stopping):
# not refused, nothing of it recorded; running the same command again does it.
NIET_VERWERKT = 503


def _sleutels(regel: bytes) -> list[str]:
    """What ties this line to others that must stay in its part, in file order: the site it
    concerns (``l:`` and its id), its key (``s:``: a key repeated in the file is answered by
    its first line, or refused when the content differs), and for a registration without an id
    the prefix it is numbered under (``p:`` bevoegd gezag + gemeentecode: the service numbers
    such registrations in the order they come). A line the service cannot read ties to nothing
    (it is refused, whichever part it is in). Where the file is unclear (an id at the top and in
    the body) every candidate is named: ties too many only cost parallelism."""
    try:
        data = orjson.loads(regel)
    except orjson.JSONDecodeError:
        return []
    if not isinstance(data, dict):
        return []
    uit = []
    sleutel = data.get("sleutel")
    if isinstance(sleutel, str):
        uit.append("s:" + sleutel)
    body = data.get("body")
    body = body if isinstance(body, dict) else {}
    ids = [data.get("locatieId")]
    if data.get("soort") == "registratie":
        ids += [body.get("locatieId"), body.get("locatie_id")]
    uit += ["l:" + i for i in ids if isinstance(i, str)]
    if data.get("soort") == "registratie" and all(i is None for i in ids):
        gezag = body.get("bevoegdGezag", body.get("bevoegd_gezag"))
        gemeente = body.get("gemeentecode")
        if isinstance(gezag, str) and isinstance(gemeente, str):
            uit.append("p:" + gezag + gemeente)
    return uit


# Bits per line in each of ``_herhaald``'s two bitsets: a key found once shares its bit with
# another key with a chance of ~1/32, and then takes a node in ``verdeel`` as a repeated key does.
BITS_PER_REGEL = 32


def _herhaald(regels: Iterable[bytes]) -> Callable[[str], bool]:
    """Whether a key (``s:``) may occur more than once in ``regels``: True for every key that
    does, and for a few that do not (those that share a bit with another key). Two bitsets over
    the keys' hashes instead of a set of the keys: ~8 bytes a line instead of ~100 or more."""

    def met_sleutel() -> Iterator[bytes]:
        # A line without these bytes has no key (JSON spells a name with a letter escaped
        # "\u..."): the file is read twice, and parsed only where a key may be.
        return (r for r in regels if b"sleutel" in r or b"\\u" in r)

    bits = max(1024, BITS_PER_REGEL * sum(1 for _ in met_sleutel()))
    een, twee = bytearray(bits // 8 + 1), bytearray(bits // 8 + 1)
    for regel in met_sleutel():
        for s in _sleutels(regel):
            if s.startswith("s:"):
                h = hash(s) % bits
                i, bit = h >> 3, 1 << (h & 7)
                if een[i] & bit:
                    twee[i] |= bit
                een[i] |= bit

    def herhaald(s: str) -> bool:
        h = hash(s) % bits
        return bool(twee[h >> 3] & (1 << (h & 7)))

    return herhaald


def verdeel(regels: Iterable[bytes], delen: int) -> list[int]:
    """The part (0 .. ``delen`` - 1) of every line, ``BLANCO`` for a blank one. Lines tied by
    ``_sleutels`` (directly or through others) share a part; a prefix numbered in the file ties
    every site id under it (an explicit id may meet a number the service hands out). Groups go
    to parts largest first, each to the part with the fewest lines so far; lines tied to nothing
    then fill the parts up likewise.

    ``regels`` is read three times (a list, or ``Regels``: the file read anew) and never held:
    twice to find the keys that may occur more than once (``_herhaald``), which alone become
    nodes. A key found once ties its line to nothing else, so leaving it out changes no group
    (a line with only such a key is a group of its own, as with its key's node). Measured with
    tracemalloc on a million lines of 125,000 sites: 187 MB at the peak with a key on every
    line and 47 MB without keys when every key was a node and the groups were dicts; now 33 and
    26 MB, the same split, for ~1-2 s more CPU (the extra reads and parse)."""
    if iter(regels) is regels:
        raise TypeError("verdeel reads the lines more than once: give a list or Regels")
    herhaald = _herhaald(regels)
    knoop: dict[str, int] = {}
    ouder: list[int] = []
    grootte: list[int] = []

    def wortel(x: int) -> int:
        while ouder[x] != x:
            ouder[x] = ouder[ouder[x]]
            x = ouder[x]
        return x

    def verbind(a: int, b: int) -> None:
        a, b = wortel(a), wortel(b)
        if a != b:
            if grootte[a] < grootte[b]:
                a, b = b, a
            ouder[b] = a
            grootte[a] += grootte[b]

    def nieuwe_knoop() -> int:
        n = len(ouder)
        ouder.append(n)
        grootte.append(0)
        return n

    def knoop_van(s: str) -> int:
        n = knoop.get(s)
        if n is None:
            n = knoop[s] = nieuwe_knoop()
        return n

    per_regel: list[int] = []  # a line's node, BLANCO, or -2: tied to nothing; then its part
    for regel in regels:
        if not regel.strip():
            per_regel.append(BLANCO)
            continue
        sleutels = _sleutels(regel)
        if not sleutels:
            per_regel.append(-2)
            continue
        knopen = [knoop_van(s) for s in sleutels if not s.startswith("s:") or herhaald(s)]
        if not knopen:  # only a key found once: a group of its own
            knopen = [nieuwe_knoop()]
        for k in knopen[1:]:
            verbind(knopen[0], k)
        grootte[wortel(knopen[0])] += 1
        per_regel.append(knopen[0])
    prefixen = {s[2:]: n for s, n in knoop.items() if s.startswith("p:")}
    if prefixen:
        for s, n in knoop.items():
            if s.startswith("l:") and s[2:8] in prefixen:
                verbind(prefixen[s[2:8]], n)
    knoop.clear()
    # Groups (by their root) in the order of their first line, then largest first (stable:
    # deterministic). Lists by node and the lines' own list for the answer: no dicts per group.
    gezien = bytearray(len(ouder))
    groepen: list[int] = []
    for n in per_regel:
        if n >= 0 and not gezien[w := wortel(n)]:
            gezien[w] = 1
            groepen.append(w)
    groepen.sort(key=lambda w: -grootte[w])
    lading = [(0, d) for d in range(delen)]
    deel_van = [0] * len(ouder)
    for groep in groepen:
        geladen, d = heapq.heappop(lading)
        deel_van[groep] = d
        heapq.heappush(lading, (geladen + grootte[groep], d))
    for i, n in enumerate(per_regel):
        if n >= 0:
            per_regel[i] = deel_van[wortel(n)]
        elif n != BLANCO:
            geladen, d = heapq.heappop(lading)
            heapq.heappush(lading, (geladen + 1, d))
            per_regel[i] = d
    return per_regel


def _regels(bestand: Path) -> Iterator[bytes]:
    with bestand.open("rb") as f:
        for regel in f:
            yield regel if regel.endswith(b"\n") else regel + b"\n"


def _staat(bestand: Path) -> tuple[int, int, int]:
    st = bestand.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


def _ongewijzigd(bestand: Path, staat: tuple[int, int, int]) -> None:
    """ImportFout when the file changed since ``staat``: ``verdeel`` reads it three times and
    the parts once more, so lines found in one read and not in another would be split apart
    (a key repeated only in a later read ties nothing) or sent other than they were split."""
    if _staat(bestand) != staat:
        raise ImportFout(f"{bestand} veranderde tijdens de import")


class Regels:
    """A file's lines, read anew from the file on every iteration."""

    def __init__(self, bestand: Path) -> None:
        self.bestand = bestand

    def __iter__(self) -> Iterator[bytes]:
        return _regels(self.bestand)


def _blokken(
    bestand: Path,
    deel_per_regel: list[int],
    deel: int,
    per_verzoek: int,
    staat: tuple[int, int, int] | None = None,
) -> Iterator[tuple[list[int], list[bytes]]]:
    """One part's lines in blocks of ``per_verzoek``: (their numbers in the file, from 1; the
    lines). Blank lines are not sent: the service numbers a request's lines from 1, blank ones
    included, so the numbers map back through the list. ``staat``: the file's as it was split
    (ImportFout when it changed)."""
    nummers: list[int] = []
    blok: list[bytes] = []
    staat = staat or _staat(bestand)
    try:
        regels = zip(_regels(bestand), deel_per_regel, strict=True)
        for nummer, (regel, d) in enumerate(regels, start=1):
            if d != deel:
                continue
            nummers.append(nummer)
            blok.append(regel)
            if len(blok) == per_verzoek:
                yield nummers, blok
                nummers, blok = [], []
    except ValueError as exc:  # zip: more or fewer lines than were split
        raise ImportFout(f"{bestand} veranderde tijdens de import") from exc
    _ongewijzigd(bestand, staat)
    if blok:
        yield nummers, blok


def _antwoordregels(r: httpx.Response) -> Iterator[bytes]:
    """The answer's lines, split at newlines only: the service writes one JSON document a line
    (orjson, which leaves U+2028, U+2029 and NEL as they are in an echoed key), where httpx's
    ``iter_lines`` would also split at those."""
    rest = b""
    for stuk in r.iter_bytes():
        *regels, rest = (rest + stuk).split(b"\n")
        yield from regels
    if rest:
        yield rest


def _uitslag(regel: bytes, beantwoord: bytearray) -> tuple[int, dict[str, Any]]:
    """One line of the answer: (the index in the request of the line it answers, its result).
    ImportFout for anything but a first answer to a line that was sent: the count and the
    refused-lines file would otherwise leave lines out, or the command end in a traceback."""
    try:
        uitslag = orjson.loads(regel)
        i = int(uitslag["regel"]) - 1
    except (ValueError, TypeError, KeyError) as exc:
        raise ImportFout(f"onleesbaar antwoord: {regel[:200]!r}") from exc
    if not isinstance(uitslag.get("status"), int):
        raise ImportFout(f"onleesbaar antwoord: {regel[:200]!r}")
    if not 0 <= i < len(beantwoord) or beantwoord[i]:
        raise ImportFout(f"het antwoord noemt regel {i + 1} onverwacht: {regel[:200]!r}")
    beantwoord[i] = 1
    return i, uitslag


class _Uitvoer:
    """The answers of all parts, counted and written in file order: a line's output waits until
    every line before it was answered (parts run side by side, each in file order)."""

    def __init__(
        self,
        deel_per_regel: list[int],
        geweigerd: TextIO,
        uitslagen: TextIO | None,
        balk: tqdm[Any],
    ) -> None:
        self.telling: Counter[str] = Counter()
        self._klaar = bytearray(d == BLANCO for d in deel_per_regel)
        self._wacht: dict[int, tuple[str | None, bytes | None]] = {}
        self._volgende = 0  # index of the first line not yet written out
        self._geweigerd = geweigerd
        self._uitslagen = uitslagen
        self._balk = balk
        self._lock = threading.Lock()
        self._dicht = False

    def neem(self, uitslagen: list[tuple[int, dict[str, Any], bytes]]) -> None:
        """One request's answers: (line number in the file, result, the input line)."""
        with self._lock:
            if self._dicht:
                # Ctrl-C: a part still in flight (a daemon) answers after the output was
                # written out; its lines count as not answered (running again answers them).
                return
            for nummer, uitslag, invoer in uitslagen:
                uitslag = {**uitslag, "regel": nummer}
                fout = None
                if uitslag["status"] == 201:
                    self.telling["al vastgelegd" if uitslag.get("herhaald") else "vastgelegd"] += 1
                elif uitslag["status"] == NIET_VERWERKT:
                    self.telling["niet verwerkt"] += 1
                else:
                    self.telling["geweigerd"] += 1
                    tekst = invoer.decode("utf-8", "replace").rstrip("\r\n")
                    fout = json.dumps({**uitslag, "invoer": tekst}, ensure_ascii=False) + "\n"
                alles = orjson.dumps(uitslag) + b"\n" if self._uitslagen is not None else None
                if fout is not None or alles is not None:
                    self._wacht[nummer - 1] = (fout, alles)
                self._klaar[nummer - 1] = 1
            self._balk.update(len(uitslagen))
            self._balk.set_postfix(self.telling, refresh=False)
            n = self._klaar.find(0, self._volgende)  # the first line not answered yet
            n = len(self._klaar) if n < 0 else n
            self._schrijf(range(self._volgende, n))
            self._volgende = n

    def _schrijf(self, nummers: Iterable[int]) -> None:
        """The output of these lines (indexes, in file order), of those that have any."""
        for n in nummers:
            fout, alles = self._wacht.pop(n, (None, None))
            if fout is not None:
                self._geweigerd.write(fout)
            if alles is not None and self._uitslagen is not None:
                self._uitslagen.write(alles.decode())

    def sluit(self) -> None:
        """After a stop: what was answered but still waited for an earlier line, in order;
        answers that come in after this are not taken."""
        with self._lock:
            self._dicht = True
            self._schrijf(sorted(self._wacht))


def importeer(
    bestand: Path,
    url: str,
    token: str,
    geweigerd: TextIO,
    per_verzoek: int = 2000,
    timeout: float = 300.0,
    client: httpx.Client | None = None,
    voortgang: bool = True,
    parallel: int = PARALLEL,
    uitslagen: TextIO | None = None,
    clients: Callable[[], httpx.Client] | None = None,
) -> Counter[str]:
    """Send ``bestand`` in ``parallel`` parts at once; returns the counts (``vastgelegd``,
    ``al vastgelegd``, ``geweigerd``, ``niet verwerkt``: answered 503). Every part has its own
    ``httpx.Client`` (its own connection) from ``clients``, or ``client`` shared by all (tests:
    the ASGI app), or one to ``url``. ``uitslagen``, when given, gets every line's result in
    file order (``regel``: its number in the file)."""
    staat = _staat(bestand)
    deel_per_regel = verdeel(Regels(bestand), max(1, parallel))
    _ongewijzigd(bestand, staat)
    delen = sorted({d for d in deel_per_regel if d != BLANCO})
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"}
    totaal = sum(1 for d in deel_per_regel if d != BLANCO)
    balk = tqdm(total=totaal, unit="regel", disable=not voortgang, file=sys.stderr)
    uitvoer = _Uitvoer(deel_per_regel, geweigerd, uitslagen, balk)
    stop = threading.Event()
    fouten: list[BaseException] = []

    def maak() -> tuple[httpx.Client, bool]:
        if clients is not None:
            return clients(), True
        if client is not None:
            return client, False
        # No connection kept open between a part's requests: the service's workers each
        # listen on the port (SO_REUSEPORT) and the kernel picks one per new connection, so a
        # part kept on one connection stays on one worker for the whole import (two parts: on
        # the same worker half the time). A connection per request (of ``per_verzoek`` lines,
        # ~0.1-0.5 s of work) spreads the requests over the workers; its set-up is ~0.1 ms.
        limieten = httpx.Limits(max_keepalive_connections=0)
        return httpx.Client(base_url=url, timeout=timeout, limits=limieten), True

    def stuur(deel: int) -> None:
        eigen: httpx.Client | None = None
        try:
            c, sluiten = maak()
            eigen = c if sluiten else None
            for nummers, blok in _blokken(bestand, deel_per_regel, deel, per_verzoek, staat):
                if stop.is_set():
                    return
                with c.stream("POST", PAD, content=b"".join(blok), headers=headers) as r:
                    if r.status_code != 200:
                        r.read()
                        raise ImportFout(f"{r.status_code}: {r.text[:500]}")
                    antwoord: list[tuple[int, dict[str, Any], bytes]] = []
                    beantwoord = bytearray(len(blok))
                    for regel in _antwoordregels(r):
                        if not regel.strip():
                            continue
                        i, uitslag = _uitslag(regel, beantwoord)
                        antwoord.append((nummers[i], uitslag, blok[i]))
                        if len(antwoord) >= 200:
                            uitvoer.neem(antwoord)
                            antwoord = []
                    uitvoer.neem(antwoord)
                    if not all(beantwoord):
                        raise ImportFout(
                            f"het antwoord liet {beantwoord.count(0)} van de {len(blok)} "
                            "verstuurde regels onbeantwoord"
                        )
        except BaseException as exc:
            fouten.append(exc)
            stop.set()
        finally:
            if eigen is not None:
                eigen.close()

    try:
        if len(delen) <= 1:
            for d in delen:
                stuur(d)
        else:
            # Daemons: on Ctrl-C the command stops at once (what was sent is recorded or not,
            # line by line; running it again continues).
            draden = [
                threading.Thread(target=stuur, args=(d,), name=f"import-{d}", daemon=True)
                for d in delen
            ]
            for draad in draden:
                draad.start()
            try:
                for draad in draden:
                    draad.join()
            except BaseException:
                stop.set()
                raise
        if fouten:
            raise fouten[0]
    finally:
        uitvoer.sluit()
        balk.close()
    return uitvoer.telling


class ImportFout(Exception):
    """The service refused a whole request (401, 403, 415) or could not take it (503), could
    not be reached, or answered other than one result per line sent."""


def _run(args: argparse.Namespace) -> int:
    token = args.token or os.environ.get("BODEMREGIE_TOKEN", "")
    if not token:
        print("geef een token met --token of BODEMREGIE_TOKEN", file=sys.stderr)
        return 2
    bestand = Path(args.bestand)
    if not bestand.is_file():
        print(f"{bestand} bestaat niet", file=sys.stderr)
        return 2
    pad = Path(args.geweigerd or f"{bestand}.geweigerd.ndjson")
    try:
        with ExitStack() as stack:
            geweigerd = stack.enter_context(pad.open("w", encoding="utf-8"))
            uitslagen = (
                stack.enter_context(Path(args.uitslagen).open("w", encoding="utf-8"))
                if args.uitslagen
                else None
            )
            telling = importeer(
                bestand,
                args.url,
                token,
                geweigerd,
                args.per_verzoek,
                voortgang=not args.stil,
                parallel=args.parallel,
                uitslagen=uitslagen,
            )
    except (ImportFout, httpx.HTTPError) as exc:
        print(
            f"import gestopt: {exc}\nvoer hetzelfde commando opnieuw uit om verder te gaan "
            "(vastgelegde regels worden niet nog eens vastgelegd)",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        # What was sent is recorded or not, line by line; the refused-lines file holds what
        # was answered until now.
        print(
            "\nimport onderbroken\nvoer hetzelfde commando opnieuw uit om verder te gaan "
            "(vastgelegde regels worden niet nog eens vastgelegd)",
            file=sys.stderr,
        )
        return 130
    print(
        f"{telling['vastgelegd']} regels vastgelegd, {telling['al vastgelegd']} waren al "
        f"vastgelegd, {telling['geweigerd']} geweigerd"
        + (f", {telling['niet verwerkt']} niet verwerkt" if telling["niet verwerkt"] else "")
    )
    if telling["niet verwerkt"]:
        print(
            f"{telling['niet verwerkt']} regels zijn niet verwerkt (de service was bezet, stopte "
            "of faalde; er is niets van vastgelegd): voer hetzelfde commando opnieuw uit om ze "
            "alsnog vast te leggen"
            + (
                "; een regel die voortbouwt op een niet verwerkte regel kan daardoor geweigerd "
                "zijn (412, 404) en slaagt dan ook"
                if telling["geweigerd"]
                else ""
            )
        )
    if telling["geweigerd"]:
        print(f"de geweigerde regels en waarom staan in {pad}")
        return 1
    pad.unlink(missing_ok=True)
    return 2 if telling["niet verwerkt"] else 0


AFSLUITCODES = """afsluitcodes:
  0    alle regels vastgelegd (of waren dat al)
  1    regels geweigerd (zie --geweigerd): verbeter ze en voer het commando opnieuw uit;
       ook als daarnaast regels niet verwerkt zijn (1 gaat voor 2)
  2    gestopt, of regels niet verwerkt (503: de service was bezet, stopte of faalde):
       voer hetzelfde commando opnieuw uit; vastgelegde regels worden niet nog eens vastgelegd
  130  onderbroken (Ctrl-C): voer hetzelfde commando opnieuw uit"""


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "import",
        help="importeer een historie (NDJSON) in de locaties-service, hervatbaar",
        description=__doc__,
        epilog=AFSLUITCODES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("bestand", help="NDJSON: één registratie of commando per regel")
    p.add_argument("--url", default="http://localhost:8001", help="de locaties-service")
    p.add_argument("--token", default="", help="bearer token (of BODEMREGIE_TOKEN)")
    p.add_argument(
        "--geweigerd", default="", help="bestand voor geweigerde regels (BESTAND.geweigerd.ndjson)"
    )
    p.add_argument("--per-verzoek", type=int, default=2000, help="regels per verzoek")
    p.add_argument(
        "--parallel",
        type=int,
        default=PARALLEL,
        help="delen tegelijk, elk over een eigen verbinding; alle regels van één locatie gaan "
        f"in één deel, in volgorde (standaard {PARALLEL})",
    )
    p.add_argument(
        "--uitslagen",
        default="",
        help="bestand voor het resultaat van elke regel (NDJSON, in de volgorde van de invoer)",
    )
    p.add_argument("--stil", action="store_true", help="zonder voortgangsbalk")
    p.set_defaults(func=_run)
