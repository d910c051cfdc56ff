"""The status change through the locaties ASGI app in this process (no sockets, no uvicorn,
no relay, no Kafka) on a fresh PostgreSQL database: the app's own CPU per command, with the
group commit and the lean path as the service runs them, and optionally a cProfile of the
timed part (``--profile FILE``, timed by CPU time, so a greenlet's or a task's waits do not
count; its per-call overhead inflates functions that make many small calls, so check a
finding with ``timeit`` before acting on it).

    python -m bench.http_inproc --sites 600 --clients 16

``clients`` tasks drive the sites through their lifecycle as ``bench/http_path.py``'s clients
do (16: about one worker's share of its 32); the first tenth of the sites warms up, untimed.

``--http-only``: the timed commands are answered without running them (the route's
``Verzoek.voer_uit`` returns a fresh 201 with the body and headers of a real answer from the
warm-up), so the figure is the HTTP layer alone: the middleware, the lean path (headers, token,
body, validation), the endpoint, the response and the access line. Subtracted from a run
without it, what is left is the command's own execution (handler, domain, group commit,
projection, driver).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import time
from collections.abc import Callable, MutableMapping
from typing import Any

import uvloop
from starlette.responses import Response

from bench.http_path import KETEN, SECRET
from shared.auth import Rol, mint_dev_token
from tests.support.infra import postgres_database

Kop = dict[str, str]


async def _call(app: Any, path: str, body: bytes, headers: Kop) -> tuple[int, bytes]:
    sent: list[MutableMapping[str, Any]] = []
    gegeven = False

    async def receive() -> dict[str, Any]:
        nonlocal gegeven
        if gegeven:
            await asyncio.Event().wait()  # no disconnect while the answer is made
        gegeven = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5555),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    await app(scope, receive, send)
    return int(sent[0]["status"]), b"".join(m.get("body", b"") for m in sent[1:])


def _zonder_uitvoering() -> Callable[[], None]:
    """``Verzoek.voer_uit`` remembering its last real answer; the function returned switches
    it to answering as that answer did, running nothing."""
    from services.locaties.entrypoints.commandoverzoek import Verzoek

    echt = Verzoek.voer_uit
    laatste: list[Response] = []

    async def onthoud(self: Verzoek, cmd: Any) -> Response:
        laatste[:] = [await echt(self, cmd)]
        return laatste[0]

    async def antwoord(self: Verzoek, cmd: Any) -> Response:
        model = laatste[0]
        kop = {
            k: v for k, v in model.headers.items() if k not in ("content-length", "content-type")
        }
        return Response(
            model.body, status_code=model.status_code, media_type=model.media_type, headers=kop
        )

    def aan() -> None:
        assert laatste, "no real answer to copy"
        Verzoek.voer_uit = antwoord  # type: ignore[method-assign]

    Verzoek.voer_uit = onthoud  # type: ignore[method-assign]
    return aan


async def _run(
    sites: int, clients: int, profile: str | None, http_only: bool = False
) -> dict[str, Any]:
    from services.locaties.bootstrap import VERSIONS

    with postgres_database([VERSIONS]) as engine:
        os.environ.update(
            {
                "BODEMREGIE_DATABASE_URL": engine.url.render_as_string(hide_password=False),
                "BODEMREGIE_JWT_SECRET": SECRET,
                "BODEMREGIE_RELAY_ENABLED": "false",
                "BODEMREGIE_KAFKA_ENABLED": "false",
            }
        )
        if http_only:  # answered at once, a client would soon pass its token's 3,000/minute
            # (the limiter still takes from its bucket per request: the same work)
            os.environ["BODEMREGIE_RATE_LIMIT_PER_MINUTE"] = "1000000000"
        from services.locaties.entrypoints.app import create_app

        app = create_app()
        naar_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        van_app: asyncio.Queue[MutableMapping[str, Any]] = asyncio.Queue()
        await naar_app.put({"type": "lifespan.startup"})
        levensloop = asyncio.create_task(
            app(
                {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
                naar_app.get,
                van_app.put,
            )
        )
        assert (await van_app.get())["type"] == "lifespan.startup.complete"
        auth = [
            {
                "Authorization": "Bearer "
                + mint_dev_token(SECRET, f"bench{n}@zh.nl", Rol.BEVOEGD_GEZAG, "ZH"),
                "Content-Type": "application/json",
            }
            for n in range(clients)
        ]
        registratie = json.dumps(
            {
                "bevoegdGezag": "ZH",
                "gemeentecode": "0513",
                "naam": "bench",
                "registratiedatum": "2010-01-04",
            }
        ).encode()
        ids = []
        for i in range(sites):
            status, body = await _call(app, "/v1/spoedlocaties", registratie, auth[i % clients])
            assert status == 201, body
            ids.append(json.loads(body)["locatieId"])
        stappen = [
            (v, f'{{"naar":"{naar}","besluitdatum":"{2010 + v}-01-01"}}'.encode())
            for v, naar in enumerate(KETEN, start=1)
        ]

        async def client(n: int, rij: list[str]) -> None:
            while rij:
                pad = f"/v1/spoedlocaties/{rij.pop()}/statuswijzigingen"
                for versie, body in stappen:
                    status, antwoord = await _call(
                        app, pad, body, {**auth[n], "If-Match": f'"{versie}"'}
                    )
                    assert status == 201, antwoord

        warm = max(clients, sites // 10)
        opwarmen, getimed = ids[:warm], ids[warm:]
        aan = _zonder_uitvoering() if http_only else None
        await asyncio.gather(*(client(n, opwarmen) for n in range(clients)))
        if aan is not None:
            aan()
        commandos = len(getimed) * len(KETEN)
        profiel = cProfile.Profile(time.process_time) if profile else None
        cpu, wall = time.process_time(), time.perf_counter()
        if profiel is not None:
            profiel.enable()
        await asyncio.gather(*(client(n, getimed) for n in range(clients)))
        if profiel is not None and profile:
            profiel.disable()
            profiel.dump_stats(profile)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        await naar_app.put({"type": "lifespan.shutdown"})
        await van_app.get()
        await levensloop
        return {
            "status_changes": commandos,
            "cpu_us_per_command": round(cpu / commandos * 1e6),
            "wall_us_per_command": round(wall / commandos * 1e6),
            "http_only": http_only,
            "load": os.getloadavg()[0],
        }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sites", type=int, default=600)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--profile", metavar="FILE", default=None)
    parser.add_argument(
        "--http-only", action="store_true", help="time the HTTP layer alone (see above)"
    )
    args = parser.parse_args(argv)
    result = uvloop.run(_run(args.sites, args.clients, args.profile, args.http_only))
    print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
