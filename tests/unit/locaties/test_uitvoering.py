"""The hop to a worker thread that runs a command (entrypoints/uitvoering.py)."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from services.locaties.entrypoints.uitvoering import in_thread

_waarde: contextvars.ContextVar[str] = contextvars.ContextVar("waarde", default="geen")


def test_the_thread_sees_the_callers_context_variables() -> None:
    async def main() -> tuple[str, str]:
        _waarde.set("correlatie-7")
        return await in_thread(_waarde.get), await in_thread(
            lambda: threading.current_thread().name
        )

    waarde, naam = asyncio.run(main())
    assert waarde == "correlatie-7"
    assert naam.startswith("commando")


def test_an_error_in_the_thread_reaches_the_caller() -> None:
    def faalt() -> None:
        raise LookupError("weg")

    with pytest.raises(LookupError, match="weg"):
        asyncio.run(in_thread(faalt))


def test_a_cancelled_caller_waits_until_the_thread_is_done() -> None:
    bezig, los = threading.Event(), threading.Event()
    klaar: list[str] = []

    def werk() -> str:
        bezig.set()
        los.wait(5)
        klaar.append("klaar")
        return "uitkomst"

    async def main() -> None:
        taak = asyncio.create_task(in_thread(werk))
        await asyncio.get_running_loop().run_in_executor(None, bezig.wait, 5)
        taak.cancel()
        await asyncio.sleep(0.05)
        taak.cancel()  # a second cancellation changes nothing
        await asyncio.sleep(0.05)
        assert not taak.done(), "cancelled while the command still ran"
        los.set()
        with pytest.raises(asyncio.CancelledError):
            await taak
        assert klaar == ["klaar"]

    asyncio.run(main())
