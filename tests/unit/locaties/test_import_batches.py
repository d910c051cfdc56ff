"""The import reads its body into batches of numbered lines (``routes_import._batches``)
exactly as it did line by line before: the same numbers, the same lines (a line over the limit
as None, blank lines left out), cut into the same batches, however the body arrives in pieces.
The line-by-line reader it replaced is kept here as the reference."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.locaties.entrypoints import routes_import
from services.locaties.entrypoints.routes_import import _batches


class _Verzoek:
    """A request whose body arrives in these pieces."""

    def __init__(self, stukken: list[bytes]) -> None:
        self._stukken = stukken

    async def stream(self) -> AsyncIterator[bytes]:
        for stuk in self._stukken:
            yield stuk


async def _regels_zoals_eerst(
    request: Any, max_regel: int
) -> AsyncIterator[tuple[int, bytes | None]]:
    """The line-by-line reader before ``_batches`` (session 13), unchanged."""
    buf = bytearray()
    nummer = 0
    te_lang = False
    async for stuk in request.stream():
        begin = 0
        while True:
            einde = stuk.find(b"\n", begin)
            deel = stuk[begin:] if einde < 0 else stuk[begin:einde]
            if not te_lang:
                buf += deel
                te_lang = len(buf) > max_regel
                if te_lang:
                    buf.clear()
            if einde < 0:
                break
            nummer += 1
            if te_lang:
                yield nummer, None
            elif buf.strip():
                yield nummer, bytes(buf)
            buf.clear()
            te_lang = False
            begin = einde + 1
    if te_lang:
        yield nummer + 1, None
    elif buf.strip():
        yield nummer + 1, bytes(buf)


async def _batches_zoals_eerst(
    request: Any, max_regel: int
) -> AsyncIterator[list[tuple[int, bytes | None]]]:
    """The route's batching before ``_batches``, unchanged."""
    batch: list[tuple[int, bytes | None]] = []
    grootte = 0
    async for nummer, ruw in _regels_zoals_eerst(request, max_regel):
        batch.append((nummer, ruw))
        grootte += len(ruw or b"")
        if len(batch) >= routes_import.BATCH_REGELS or grootte >= routes_import.BATCH_BYTES:
            yield batch
            batch, grootte = [], 0
    if batch:
        yield batch


def _alle(maker: Any, stukken: list[bytes], max_regel: int) -> list[list[Any]]:
    async def lees() -> list[list[Any]]:
        return [
            [(n, r if r is None else (type(r), r)) for n, r in batch]
            async for batch in maker(_Verzoek(stukken), max_regel)
        ]

    return asyncio.run(lees())


def _in_stukken(body: bytes, sneden: list[int]) -> list[bytes]:
    grenzen = sorted({min(s, len(body)) for s in sneden})
    stukken, begin = [], 0
    for grens in grenzen:
        stukken.append(body[begin:grens])  # may be empty, as a body's piece may
        begin = grens
    return [*stukken, body[begin:]]


REGEL = st.one_of(
    st.sampled_from(
        [b"", b" ", b"\t", b"\r", b" \r", b"\x0b\x0c", b"{}", b'{"a": 1}\r', b"\xc2\xa0", b"x"]
    ),
    st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"")),
    st.integers(5, 14).map(lambda n: b"y" * n),  # around the limit below
)


@settings(max_examples=2000, deadline=None)
@given(
    st.lists(REGEL, max_size=25),
    st.booleans(),
    st.lists(st.integers(0, 400), max_size=8),
    st.integers(1, 5),
    st.integers(1, 40),
)
def test_the_batches_are_the_line_by_line_reader_s(
    regels: list[bytes],
    slot_newline: bool,
    sneden: list[int],
    per_batch: int,
    bytes_per_batch: int,
) -> None:
    body = b"\n".join(regels) + (b"\n" if slot_newline else b"")
    stukken = _in_stukken(body, sneden)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(routes_import, "BATCH_REGELS", per_batch)
        mp.setattr(routes_import, "BATCH_BYTES", bytes_per_batch)
        assert _alle(_batches, stukken, 9) == _alle(_batches_zoals_eerst, stukken, 9)


@pytest.mark.parametrize("stuk", [1, 2, 7, 64, 10_000])
def test_long_and_blank_lines_at_every_piece_size(stuk: int) -> None:
    body = b"".join(
        [b"a" * 9, b"\n", b"b" * 10, b"\n\n  \n", b"c" * 25, b"\r\n", b"{}", b"\n", b"d" * 10]
    )
    stukken = [body[i : i + stuk] for i in range(0, len(body), stuk)]
    verwacht = [[(1, (bytes, b"a" * 9)), (2, None), (5, None), (6, (bytes, b"{}")), (7, None)]]
    assert _alle(_batches, stukken, 9) == verwacht == _alle(_batches_zoals_eerst, stukken, 9)
