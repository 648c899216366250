"""Building the EHC request pack's files: gather, lay out the PDF and the DOCX, put both in
place, audit.

:func:`build_pack` is the long job the wizard and ``sendesk pack`` run: gather
(:func:`sendesk.services.ehc.pack.gather`), read the chosen evidence documents (each checked
against its SHA-256 and audited as opened), lay out the PDF (:mod:`sendesk.reports.pack_pdf`)
and the DOCX (:mod:`sendesk.reports.pack_docx`), each under a temporary name beside its
target, and rename both only when both are complete: an earlier pack of the same names is
first moved aside (hidden, in the same folder) and put back if either rename fails — on
Windows an old DOCX open in Word cannot be replaced — so a new PDF never sits beside an old
DOCX. The "pack" audit event is written after both renames; if it fails, the new files are
taken out and the earlier ones put back, so no pack exists unaudited. A cancel or a failure
leaves neither new file (nor a temporary one) behind; nothing is ever written anywhere
else, and the files are readable by their owner only (0600), because the pack is
special-category data about a child. The file names carry the UPN and the date, never the
child's name. The progress callback hears of every step.

Why it sits here and not in ``services/ehc/pack.py``: the report writers read the services'
plain data (:class:`sendesk.services.ehc.pack.PackData`), so a service that called them would
make the layers a loop. Operations sit above both: they call services for data and
reports for files.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sendesk.db import Database
from sendesk.errors import CancelledError, SendeskError
from sendesk.services.actor import Actor
from sendesk.services.ehc.pack import gather
from sendesk.services.evidence.evidence import documents_bytes
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter


@dataclass(frozen=True)
class PackResult:
    """What :func:`build_pack` wrote: the two files, the PDF's pages, and the readiness
    items listed as missing on the cover — by label ("Parental consent"), and as the
    sentences the cover gives ("Parental consent: No parent's consent … is recorded.")."""

    pdf: Path
    docx: Path
    pages: int
    missing: tuple[str, ...]
    missing_reasons: tuple[str, ...] = ()


class _Steps:
    """Counts the build's steps for the progress callback and stops on a cancel."""

    def __init__(
        self,
        total: int,
        progress: Callable[[int, int], None] | None,
        cancelled: Callable[[], bool] | None,
    ) -> None:
        self.total = total
        self.done = 0
        self._progress = progress
        self._cancelled = cancelled

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise CancelledError("The request pack was cancelled; no file was written.")

    def advance(self) -> None:
        self.check()
        self.done = min(self.done + 1, self.total)
        if self._progress is not None:
            self._progress(self.done, self.total)

    def grow(self, extra: int) -> None:
        self.total += extra


def pack_file_names(upn: str, today: date) -> tuple[str, str]:
    """The PDF's and the DOCX's file names: the UPN and date, never the child's name (a
    folder listing or a mail attachment shows file names)."""
    stem = f"ehc-request-pack-{upn}-{today:%Y-%m-%d}"
    return f"{stem}.pdf", f"{stem}.docx"


@contextmanager
def _partials(*targets: Path) -> Iterator[tuple[Path, ...]]:
    """Temporary names beside each target, for the files to be written under.

    The temporary files sit in the target's own folder (never a shared temp folder: the
    pack is personal data) and any still there afterwards (an error, a cancel) is removed;
    :func:`_put_in_place` renames them onto their targets.
    """
    partials = tuple(t.with_name(f".{t.name}.partial") for t in targets)
    try:
        for partial in partials:  # owner-only from the first byte: it is about a child
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        yield partials
    finally:
        for partial in partials:
            if partial.exists():
                partial.unlink()


def _not_saved(target: Path, why: str) -> SendeskError:
    return SendeskError(
        f"The pack could not be saved as {target.name} ({why}): close it if another program "
        "has it open, then try again; the files already in the folder were left as they were."
    )


def _check_targets(targets: Sequence[Path]) -> None:
    """Refuse a folder standing where a file of the pack goes: it is not an earlier pack
    to be replaced, and it is the user's."""
    for target in targets:
        if target.is_dir():
            raise SendeskError(
                f"The pack could not be saved as {target.name}: a folder of that name is "
                "in the way; rename or move that folder, then try again (nothing was saved)."
            )


@contextmanager
def _put_in_place(partials: Sequence[Path], targets: Sequence[Path]) -> Iterator[None]:
    """Rename the finished files onto their targets, both or neither, then run the body
    (the audit); if the body fails, the new files go and the earlier ones come back.

    An earlier pack of the same names is first moved aside to hidden names in the same
    folder, then each new file is renamed in; if any rename fails (on Windows: the old DOCX
    open in Word cannot be moved), what was renamed in is removed and what was set aside is
    put back, so a new PDF never sits beside an old DOCX. The set-aside files are deleted
    only once the body has succeeded. A failed rename is a :class:`SendeskError` naming the
    file.
    """
    _check_targets(targets)
    aside: list[tuple[Path, Path]] = []  # (target, its hidden set-aside name)
    placed: list[Path] = []

    def undo() -> list[str]:
        stuck: list[str] = []
        for target in placed:
            try:
                target.unlink()
            except OSError:
                stuck.append(target.name)
        for target, kept in reversed(aside):
            try:
                os.replace(kept, target)
            except OSError:
                stuck.append(kept.name)
        return stuck

    def undone(note: BaseException) -> None:
        stuck = undo()
        if stuck:
            note.add_note(
                "Some files could not be put back as they were: "
                + ", ".join(stuck)
                + " (in the pack's folder)."
            )

    current = targets[0]
    try:
        for target in targets:
            current = target
            if os.path.lexists(target):
                kept = target.with_name(f".{target.name}.previous")
                os.replace(target, kept)
                aside.append((target, kept))
        for partial, target in zip(partials, targets, strict=True):
            current = target
            os.replace(partial, target)
            placed.append(target)
    except OSError as exc:
        error = _not_saved(current, exc.strerror or type(exc).__name__)
        undone(error)
        raise error from exc
    try:
        yield
    except BaseException as exc:
        undone(exc)
        raise
    for _, kept in aside:
        with suppress(OSError):  # the new pack is in place and audited: the old one lingers
            kept.unlink()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector held off while a pack is built, then as it was.

    A build makes some millions of short-lived objects (PDF objects read and written,
    reportlab's fragments and lines), nearly all freed as soon as they are done with; the
    collector, triggered by the count alone, would scan the whole program's objects a few
    dozen times a build for the few cycles among them — a tenth of the build's time. They
    are collected as usual afterwards.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def build_pack(
    db: Database,
    actor: Actor,
    pupil_id: int,
    out_dir: Path,
    *,
    evidence_ids: Sequence[int] | None = None,
    la_name: str | None = None,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> PackResult:
    """Write the pupil's request pack into ``out_dir`` as a PDF and a DOCX.

    ``evidence_ids`` are the documents to append, in order (None: every document, oldest
    first; empty: none). ``progress(done, total)`` is called after every step; when
    ``cancelled()`` turns true the build stops with :class:`CancelledError` and leaves no
    file. Both files are complete, or neither is written.
    """
    permit(actor, Action.BUILD_PACK)
    folder = Path(out_dir).expanduser()
    if not folder.is_dir():
        raise SendeskError(f"The folder {folder} does not exist.")
    today = today or date.today()
    with _collector_paused():
        return _build(
            db, actor, pupil_id, folder, evidence_ids, la_name, today, progress, cancelled
        )


def _build(
    db: Database,
    actor: Actor,
    pupil_id: int,
    folder: Path,
    evidence_ids: Sequence[int] | None,
    la_name: str | None,
    today: date,
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> PackResult:
    """:func:`build_pack` once its arguments are checked."""
    # Imported here: reportlab and python-docx are slow to import and only a build needs
    # them (the CLI and the wizard import this module before anyone asks for a pack).
    from sendesk.reports import pack_docx, pack_pdf

    steps = _Steps(1, progress, cancelled)
    steps.check()
    data = gather(db, actor, pupil_id, evidence_ids=evidence_ids, la_name=la_name, today=today)
    steps.grow(len(data.evidence) + pack_pdf.steps_needed(data) + pack_docx.steps_needed(data) + 1)
    steps.advance()
    appendices: list[pack_pdf.Appendix] = []
    contents = documents_bytes(db, actor, [c.id for c in data.evidence])  # one transaction
    for n, (choice, content) in enumerate(zip(data.evidence, contents, strict=True), start=1):
        appendices.append(pack_pdf.Appendix(f"E{n}", choice, content))
        steps.advance()
    pdf_name, docx_name = pack_file_names(data.pupil.upn, today)
    pdf_path, docx_path = folder / pdf_name, folder / docx_name
    _check_targets((pdf_path, docx_path))  # before the long build, not after it
    with _partials(pdf_path, docx_path) as (pdf_tmp, docx_tmp):
        written = pack_pdf.write_pack_pdf(data, appendices, pdf_tmp, step=steps.advance)
        pack_docx.write_pack_docx(data, written.ranges, docx_tmp, step=steps.advance)
        steps.check()
        # Both files in place first, then the audit: a failed rename leaves no "pack" event
        # for files that were never saved, and a failed audit takes the new files back out,
        # so no pack exists unaudited.
        with _put_in_place((pdf_tmp, docx_tmp), (pdf_path, docx_path)), db.transaction() as s:
            AuditWriter(s, actor).record(
                "pack",
                "pupil",
                pupil_id,
                {
                    "la": data.la.name,
                    "files": [pdf_name, docx_name],  # as every export names its file
                    "documents": [c.id for c in data.evidence],
                    "pages": written.pages,
                    "missing": [i.key for i in data.missing],
                },
            )
    steps.advance()
    return PackResult(
        pdf=pdf_path,
        docx=docx_path,
        pages=written.pages,
        missing=tuple(i.label for i in data.missing),
        missing_reasons=tuple(f"{i.label}: {i.reason}" for i in data.missing),
    )
