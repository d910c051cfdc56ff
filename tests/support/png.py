"""Read a PNG's pixels without an imaging library (8-bit RGB or RGBA, not interlaced: what
Chromium's screenshots are), for tests that check a render is not blank."""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

HANDTEKENING = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Afbeelding:
    breedte: int
    hoogte: int
    pixels: list[list[tuple[int, int, int]]]  # rows of RGB


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def lees(pad: Path) -> Afbeelding:
    data = pad.read_bytes()
    assert data[:8] == HANDTEKENING, "geen PNG"
    i, idat, kop = 8, b"", b""
    while i < len(data):
        (lengte,) = struct.unpack(">I", data[i : i + 4])
        soort, inhoud = data[i + 4 : i + 8], data[i + 8 : i + 8 + lengte]
        if soort == b"IHDR":
            kop = inhoud
        elif soort == b"IDAT":
            idat += inhoud
        i += 12 + lengte
    breedte, hoogte, diepte, kleur, _, _, interlace = struct.unpack(">IIBBBBB", kop)
    assert diepte == 8 and kleur in (2, 6) and interlace == 0, (diepte, kleur, interlace)
    bpp = 3 if kleur == 2 else 4
    ruw = zlib.decompress(idat)
    stride = breedte * bpp
    vorige = bytearray(stride)
    rijen = []
    for y in range(hoogte):
        begin = y * (stride + 1)
        filter_, rij = ruw[begin], bytearray(ruw[begin + 1 : begin + 1 + stride])
        for x in range(stride):
            a = rij[x - bpp] if x >= bpp else 0
            b = vorige[x]
            c = vorige[x - bpp] if x >= bpp else 0
            if filter_ == 1:
                rij[x] = (rij[x] + a) & 0xFF
            elif filter_ == 2:
                rij[x] = (rij[x] + b) & 0xFF
            elif filter_ == 3:
                rij[x] = (rij[x] + (a + b) // 2) & 0xFF
            elif filter_ == 4:
                rij[x] = (rij[x] + _paeth(a, b, c)) & 0xFF
        rijen.append([(rij[x], rij[x + 1], rij[x + 2]) for x in range(0, stride, bpp)])
        vorige = rij
    return Afbeelding(breedte, hoogte, rijen)
