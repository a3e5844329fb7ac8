#!/usr/bin/env python3
"""Draws the Teams app icons with the standard library only (no Pillow): color.png 192x192 and
outline.png 32x32, white on transparent. Rows are written unfiltered (filter type 0) as 8-bit RGBA.

    python3 manifests/teams/make-icons.py        # rewrites both files next to this script
"""
import math
import os
import struct
import zlib

ACCENT = (0x46, 0x4E, 0xB8)  # keep in step with accentColor in manifest.json
WHITE = (255, 255, 255)


def png(width, height, pixels):
    """pixels: list of rows, each a list of (r, g, b, a)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(c for px in row for c in px) for row in pixels)
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


def segment_distance(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def glyph(x, y):
    """The mark in a unit square: a ring with a check mark in it (an approval). True where it is ink."""
    r = math.hypot(x - 0.5, y - 0.5)
    ring = 0.36 <= r <= 0.44
    check = (segment_distance(x, y, 0.31, 0.51, 0.45, 0.65) <= 0.045
             or segment_distance(x, y, 0.45, 0.65, 0.70, 0.37) <= 0.045)
    return ring or check


def coverage(size, col, row, samples):
    hits = 0
    for sy in range(samples):
        for sx in range(samples):
            if glyph((col + (sx + 0.5) / samples) / size, (row + (sy + 0.5) / samples) / size):
                hits += 1
    return hits / (samples * samples)


def color_icon(size=192):
    rows = []
    for row in range(size):
        line = []
        for col in range(size):
            c = coverage(size, col, row, 4)
            line.append(tuple(round(a + (w - a) * c) for a, w in zip(ACCENT, WHITE)) + (255,))
        rows.append(line)
    return png(size, size, rows)


def outline_icon(size=32):
    # Teams wants white and fully transparent only: ink where at least half of the pixel is covered.
    rows = [[WHITE + (255,) if coverage(size, col, row, 4) >= 0.5 else (0, 0, 0, 0) for col in range(size)]
            for row in range(size)]
    return png(size, size, rows)


if __name__ == "__main__":
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "color.png"), "wb") as f:
        f.write(color_icon())
    with open(os.path.join(here, "outline.png"), "wb") as f:
        f.write(outline_icon())
