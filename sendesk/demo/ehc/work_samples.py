"""A pupil's work sample as a PNG: a page of exercise book with their writing in pencil and
the teacher's note in red pen, drawn with Pillow."""

from __future__ import annotations

import io
import random
from datetime import date
from functools import cache
from typing import Any

from sendesk.demo.graduated.agencies import (
    FONT_FILES,
)
from sendesk.demo.tables import load, tuples
from sendesk.rules.census import Area

_TABLES = load("ehc")
"""The EHC history's text tables: ``resources/demo/ehc.json``."""

WORK_SAMPLES: dict[Area, tuple[str, str, str, str]] = {
    Area(k): v for k, v in tuples(_TABLES["WORK_SAMPLES"]).items()
}
_PAPER, _RULE, _MARGIN, _PENCIL, _PEN = (
    (252, 251, 245),
    (196, 210, 232),
    (232, 160, 160),
    (62, 64, 76),
    (190, 30, 40),
)
_INK = 100  # grey levels 0.._INK shade paper into pencil; _RED_BASE+1.._RED_BASE+_INK into pen
_RED_BASE = 150
_RULE_INDEX, _MARGIN_INDEX = 101, 102
_RED_LUT = [0] + [_RED_BASE + min(v, _INK) for v in range(1, 256)]
_MASK_LUT = [0] + [255] * 255


def _shade(colour: tuple[int, int, int], steps: int) -> list[int]:
    """``steps + 1`` palette entries from the paper colour to ``colour``."""
    return [
        round(p + (c - p) * i / steps)
        for i in range(steps + 1)
        for p, c in zip(_PAPER, colour, strict=True)
    ]


@cache
def _palette() -> list[int]:
    entries = _shade(_PENCIL, _INK)  # 0.._INK
    entries += [*_RULE, *_MARGIN]  # _RULE_INDEX, _MARGIN_INDEX
    entries += list(_PAPER) * (_RED_BASE - _MARGIN_INDEX)  # unused up to _RED_BASE
    entries += _shade(_PEN, _INK)[3:]  # _RED_BASE+1.._RED_BASE+_INK
    return entries + [0] * (768 - len(entries))


@cache
def _font(size: int) -> Any:
    from PIL import ImageFont

    for path in FONT_FILES:
        if path.is_file():
            return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def _wrap(words: list[str], widths: dict[str, float], space: float, room: float) -> list[str]:
    lines: list[list[str]] = [[]]
    used = 0.0
    for word in words:
        width = widths[word]
        if lines[-1] and used + space + width > room:
            lines.append([])
            used = 0.0
        used += (space if lines[-1] else 0.0) + width
        lines[-1].append(word)
    return [" ".join(line) for line in lines]


_WIDTH, _LEFT, _RIGHT, _STEP, _FIRST = 640, 64, 28, 34, 92  # _FIRST: the rule under the title


@cache
def _sample_page(heading: str, text: str, note: str) -> Any:
    """The lined page with the writing and the note, in grey levels (a PIL "L" image; copy
    it before drawing on it). Made once per sample: only the name and date differ."""
    from PIL import Image, ImageDraw

    hand, small = _font(19), _font(14)
    room = _WIDTH - _LEFT - _RIGHT
    words, note_words = text.split(), note.split()
    lines = _wrap(words, {w: hand.getlength(w) for w in set(words)}, hand.getlength(" "), room)
    note_lines = _wrap(
        note_words, {w: small.getlength(w) for w in set(note_words)}, small.getlength(" "), room
    )
    height = _FIRST + _STEP * (len(lines) + 1) + 20 * len(note_lines) + 24
    page = Image.new("L", (_WIDTH, height), 0)
    draw = ImageDraw.Draw(page)
    for y in range(_FIRST, height, _STEP):
        draw.line([(0, y), (_WIDTH, y)], fill=_RULE_INDEX)
    draw.line([(_LEFT - 12, 0), (_LEFT - 12, height)], fill=_MARGIN_INDEX, width=2)
    draw.text((_LEFT, _FIRST - 4), heading, font=hand, fill=_INK, anchor="ls")
    underline = [(_LEFT, _FIRST - 1), (_LEFT + hand.getlength(heading), _FIRST - 1)]
    draw.line(underline, fill=_INK, width=2)
    wobble = random.Random(text)  # a hand is not a printer: lines start and sit unevenly
    for i, line in enumerate(lines, start=1):
        at = (_LEFT + wobble.randint(0, 5), _FIRST + i * _STEP - 6 + wobble.randint(-2, 1))
        draw.text(at, line, font=hand, fill=_INK, anchor="ls")
    top = _FIRST + _STEP * len(lines) + 16
    layer = Image.new("L", (_WIDTH, height - top), 0)
    pen = ImageDraw.Draw(layer)
    for i, line in enumerate(note_lines):
        pen.text((_LEFT, 6 + 20 * i), line, font=small, fill=_INK)
    page.paste(layer.point(_RED_LUT), (0, top), layer.point(_MASK_LUT))
    return page


def work_sample_png(*, forename: str, on: date, heading: str, text: str, note: str) -> bytes:
    """A lined page of a pupil's writing with the teacher's note in red, as PNG bytes (the
    same bytes for the same arguments).

    Small (a palette image 640 pixels wide: a few kilobytes) and quick: the page is drawn
    once per sample in grey levels, the note on a layer of its own; each pupil's copy only
    adds their name and the date, and the levels become colours through the palette.
    """
    from PIL import Image, ImageDraw

    page = _sample_page(heading, text, note).copy()
    draw = ImageDraw.Draw(page)
    hand = _font(19)
    draw.text((_LEFT, 18), forename, font=hand, fill=_INK)
    draw.text((_WIDTH - _RIGHT, 18), f"{on:%d/%m/%Y}", font=hand, fill=_INK, anchor="ra")
    image = Image.frombytes("P", page.size, page.tobytes())
    image.putpalette(_palette())
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
