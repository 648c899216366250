"""The evidence appended to a pack PDF: each document read (a PDF page for page, an image
on a page of its own, anything else listed only), its pages in the pack, and the line
stamped at the foot of each appended page.

The line is written into the appended page by pypdf as one small extra content stream in
the pack's own embedded font (:class:`Encoded`: the text as the written part's font
subsets draw it), so nothing of the page is decoded or parsed and no second font is made.
A damaged PDF's complaints from pypdf are kept as a note for the evidence index
(:func:`pypdf_messages`) instead of reaching the terminal.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
)
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfgen.canvas import Canvas

from sendesk.reports.pack_pdf_style import FOOTER, INK, MARGIN, MUTED, STAMP_INSET, STAMP_SIZE
from sendesk.reports.pack_sections import day_text
from sendesk.services.ehc.pack import EvidenceChoice
from sendesk.services.evidence.evidence import DOCX, JPEG, PDF, PNG


@dataclass(frozen=True)
class Appendix:
    """An evidence document to append: its label ("E1"), details and checked contents."""

    label: str
    choice: EvidenceChoice
    content: bytes


@dataclass
class Prepared:
    """An appendix as read: appended as PDF pages, as one image page, or only listed (no
    pages), with the note the evidence index shows beside it (why it is only listed, or the
    faults pypdf found)."""

    appendix: Appendix
    kind: str  # "pdf" / "image" / "listed"
    pages: int
    note: str = ""
    reader: PdfReader | None = None
    image: Any = None  # reportlab ImageReader


class _PypdfMessages(logging.Handler):
    """pypdf's complaints about a damaged file ("EOF marker not found") while one document
    is read or copied: kept for the pack's notes instead of reaching the terminal."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def pypdf_messages() -> Iterator[list[str]]:
    """Collect what pypdf logs or warns inside the block, for a note, instead of letting
    it reach the terminal (a damaged PDF is common evidence; its faults belong in the pack)."""
    log = logging.getLogger("pypdf")
    handler = _PypdfMessages()
    propagate = log.propagate
    log.addHandler(handler)
    log.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield handler.messages
        handler.messages.extend(str(w.message) for w in caught)
    finally:
        log.removeHandler(handler)
        log.propagate = propagate


def faults_note(messages: list[str]) -> str:
    """The evidence index's note on a PDF pypdf complained about: its first few faults."""
    unique = list(dict.fromkeys(m.strip().rstrip(".") for m in messages if m.strip()))
    shown = "; ".join(unique[:3]) + ("…" if len(unique) > 3 else "")
    return (
        f"The PDF has faults ({shown}), read as far as possible: check its pages "
        "against the original."
    )


def prepare(appendix: Appendix, noun: str) -> Prepared:
    """Read ``appendix`` to see how it can be appended; ``noun`` names the document it goes
    in ("send it with the pack")."""
    with pypdf_messages() as messages:
        prepared = _prepare_quietly(appendix, noun)
    if messages and prepared.kind == "pdf":
        prepared.note = faults_note(messages)
    return prepared


def _prepare_quietly(appendix: Appendix, noun: str) -> Prepared:
    media = appendix.choice.media_type
    if media == PDF:
        try:
            reader = PdfReader(io.BytesIO(appendix.content))
            if reader.is_encrypted and not reader.decrypt(""):
                return Prepared(
                    appendix,
                    "listed",
                    0,
                    "It is protected by a password, so it is not appended: send it with the "
                    f"{noun}.",
                )
            pages = len(reader.pages)
        except Exception:
            return Prepared(
                appendix,
                "listed",
                0,
                f"It could not be read as a PDF, so it is not appended: send it with the {noun}.",
            )
        if pages == 0:
            return Prepared(appendix, "listed", 0, "The PDF has no pages, so nothing is appended.")
        return Prepared(appendix, "pdf", pages, reader=reader)
    if media in (PNG, JPEG):
        from reportlab.lib.utils import ImageReader

        try:
            image = ImageReader(io.BytesIO(appendix.content))
            width, height = image.getSize()
        except Exception:
            return Prepared(
                appendix,
                "listed",
                0,
                f"The image could not be read, so it is not appended: send it with the {noun}.",
            )
        if width <= 0 or height <= 0:
            return Prepared(appendix, "listed", 0, "The image is empty, so nothing is appended.")
        return Prepared(appendix, "image", 1, image=image)
    if media == DOCX:
        return Prepared(
            appendix, "listed", 0, f"A Word document is not appended: send it with the {noun}."
        )
    return Prepared(
        appendix, "listed", 0, f"Only PDFs and images are appended: send it with the {noun}."
    )


@dataclass(frozen=True)
class Encoded:
    """A line of text as the pack's font draws it: (font resource name, glyph codes) for
    each run in one subset of the font, and its width at :data:`STAMP_SIZE`."""

    runs: tuple[tuple[str, bytes], ...]
    width: float


def page_ranges(body_pages: int, prepared: Sequence[Prepared]) -> dict[str, tuple[int, int] | None]:
    """Each appended document's first and last page in the pack (None: listed only)."""
    out: dict[str, tuple[int, int] | None] = {}
    page = body_pages
    for item in prepared:
        if item.pages:
            out[item.appendix.label] = (page + 1, page + item.pages)
            page += item.pages
        else:
            out[item.appendix.label] = None
    return out


# --- assembling ----------------------------------------------------------------------------


def image_pages(
    items: Sequence[Prepared], stamps: dict[str, str], font: str, bold: str
) -> PdfReader | None:
    """One A4 page per image, scaled to fit under a caption, with its line at the foot
    (the stamp other appended pages get); None when there are no images."""
    images = [i for i in items if i.kind == "image"]
    if not images:
        return None
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=font)
    width, height = A4
    for item in images:
        c = item.appendix.choice
        canvas.setFont(bold, 11)
        canvas.setFillColor(INK)
        canvas.drawString(MARGIN, height - MARGIN, f"{item.appendix.label}  {c.title}")
        canvas.setFont(font, 8)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            MARGIN,
            height - MARGIN - 12,
            f"{c.kind}, dated {day_text(c.document_date)} · {c.filename}",
        )
        iw, ih = item.image.getSize()
        box_w = width - 2 * MARGIN
        box_h = height - 2 * MARGIN - 22 - FOOTER
        scale = min(box_w / iw, box_h / ih)
        w, h = iw * scale, ih * scale
        canvas.drawImage(item.image, MARGIN + (box_w - w) / 2, height - MARGIN - 22 - h, w, h)
        canvas.setFont(font, 7)
        canvas.setFillColor(INK)
        canvas.drawString(STAMP_INSET, STAMP_INSET, stamps[item.appendix.label])
        canvas.showPage()
    canvas.save()
    buffer.seek(0)
    return PdfReader(buffer)


def pdf_stamp_lines(
    prepared: Sequence[Prepared], body_pages: int, noun: str
) -> list[tuple[int, str]]:
    """The line at the foot of each appended PDF page, by its page index in the pack."""
    ranges = page_ranges(body_pages, prepared)
    total = body_pages + sum(i.pages for i in prepared)
    lines: list[tuple[int, str]] = []
    for item in prepared:
        label, c = item.appendix.label, item.appendix.choice
        span = ranges[label]
        if item.kind != "pdf" or span is None:
            continue
        for k in range(item.pages):
            lines.append(
                (
                    span[0] - 1 + k,
                    f"{label} · {c.title} · page {k + 1} of {item.pages} · "
                    f"{noun} page {span[0] + k} of {total}",
                )
            )
    return lines


def _font_name(fonts: DictionaryObject, wanted: str, font: IndirectObject) -> NameObject:
    """The name ``font`` has, or is given, in a page's font resources: "/SENDesk" and the
    pack's own name for it, numbered on when that name means another font there (a page of
    an earlier pack, appended as evidence)."""
    base = "/SENDesk" + "".join(ch if ch.isalnum() else "_" for ch in wanted)
    name, n = base, 0
    while name in fonts and fonts.raw_get(name) != font:
        n += 1
        name = f"{base}_{n}"
    fonts[NameObject(name)] = font
    return NameObject(name)


def stamp_pages(
    writer: PdfWriter, lines: Sequence[tuple[int, str]], encoded: dict[str, Encoded]
) -> None:
    """Put each line at the foot of its page (by index) of ``writer``, over what is there.

    The line is drawn by a small content stream added after the page's own, which is left
    as it is and wrapped in q…Q so that whatever state it leaves cannot move or hide the
    line; the text is in the pack's own font (``encoded``: the runs the written part's
    font subsets give it), which the page's font resources are given under a name of their
    own. Nothing of the appended page is decoded or parsed, so stamping costs the same for
    a scanned page as for a blank one.
    """
    if not lines:
        return
    body_fonts = writer.pages[0]["/Resources"]["/Font"].get_object()
    opening = writer._add_object(DecodedStreamObject())  # pypdf has no public way to add one
    opening.get_object().set_data(b"q\n")
    ink = fp_str(INK.red, INK.green, INK.blue)
    for index, text in lines:
        page = writer.pages[index]
        if page.rotation:
            page.transfer_rotation_to_content()  # draw the stamp upright as the page shows
        box = page.mediabox
        width, left, bottom = float(box.width), float(box.left), float(box.bottom)
        line = encoded[text]
        if "/Resources" not in page:
            page[NameObject("/Resources")] = DictionaryObject()
        resources = page["/Resources"].get_object()
        if "/Font" not in resources:
            resources[NameObject("/Font")] = DictionaryObject()
        fonts = resources["/Font"].get_object()
        x = min(STAMP_INSET, width / 20)  # inside a printer's margin, on any page size
        runs = " ".join(
            f"{_font_name(fonts, name, body_fonts.raw_get('/' + name))} {STAMP_SIZE} Tf "
            f"<{codes.hex()}> Tj"
            for name, codes in line.runs
        )
        closing = DecodedStreamObject()
        closing.set_data(
            (
                f"\nQ\nq 1 0 0 1 {fp_str(left, bottom)} cm 1 1 1 rg "
                f"{fp_str(x - 4, x - 3, line.width + 8, 11)} re f {ink} rg "
                f"BT {fp_str(x, x)} Td {runs} ET Q\n"
            ).encode("ascii")
        )
        contents = page.raw_get("/Contents") if "/Contents" in page else None
        if isinstance(contents, StreamObject):  # a stream held in the page itself
            contents = writer._add_object(contents)
        own = (
            []
            if contents is None
            else list(contents)
            if isinstance(contents, ArrayObject)
            else [contents]
        )
        page[NameObject("/Contents")] = ArrayObject([opening, *own, writer._add_object(closing)])
