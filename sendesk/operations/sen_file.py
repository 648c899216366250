"""Building a leaver's SEN file: gather, read the chosen evidence, lay out the PDF, put it in
place, audit.

:func:`build_sen_file` is what the pupil window's "SEN file…" and ``sendesk sen-file`` run:
gather (:func:`sendesk.services.transfer.sen_file.gather_sen_file`, the SENCo's, for a
pupil recorded as leaving), read the ticked evidence documents (each checked against its
SHA-256 and audited as opened), lay out the PDF (:mod:`sendesk.reports.sen_file`) under a
temporary name beside its target, owner-only (0600) from the first byte, and rename it in
place only when complete; then the "sen_file" audit event names the file. If the audit
fails the new file is taken out again, so no SEN file exists unaudited; a cancel or a
failure leaves no file behind. The file name carries the UPN and the date, never the
child's name.

Making the file does not mark it sent: the SENCo sends it (by the school's secure route)
and then confirms, which records the day
(:func:`sendesk.services.transfer.sen_file.record_sen_file_sent`) and clears what's due.

Why here and not in a service: as for the request pack (:mod:`sendesk.operations.pack`),
the report reads the services' plain data, so a service calling it would make the layers
a loop.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sendesk.db import Database
from sendesk.errors import CancelledError, SendeskError
from sendesk.operations.pack import _partials  # the pack's temporary files, reused
from sendesk.services.actor import Actor
from sendesk.services.evidence.evidence import documents_bytes
from sendesk.services.permissions import Action, permit
from sendesk.services.store.audit import AuditWriter
from sendesk.services.transfer.sen_file import gather_sen_file

CANCELLED = "The SEN file was cancelled; no file was written."


@dataclass(frozen=True)
class SenFileResult:
    """What :func:`build_sen_file` wrote: the PDF, its pages, and the documents appended
    (labels "E1"…) and those only listed (a Word file, a protected PDF), with why."""

    pdf: Path
    pages: int
    appended: tuple[str, ...]
    notes: tuple[str, ...]


def build_sen_file(
    db: Database,
    actor: Actor,
    pupil_id: int,
    out_dir: Path,
    *,
    evidence_ids: Sequence[int] = (),
    today: date | None = None,
    progress: Callable[[int, int], bool] | None = None,
) -> SenFileResult:
    """Write the leaver's SEN file into ``out_dir``; ``evidence_ids`` are the documents to
    append, in order. ``progress(done, total)`` hears of every step; when it returns False
    the build stops with :class:`CancelledError` and leaves no file."""
    from sendesk.reports import pack_pdf, sen_file  # reportlab is slow to import

    permit(actor, Action.TRANSFER_RECORDS)
    folder = Path(out_dir).expanduser()
    if not folder.is_dir():
        raise SendeskError(f"The folder {folder} does not exist.")
    today = today or date.today()
    done, total = 0, 1

    def step() -> None:
        nonlocal done
        done = min(done + 1, total)
        if progress is not None and progress(done, total) is False:
            raise CancelledError(CANCELLED)

    if progress is not None and progress(0, total) is False:
        raise CancelledError(CANCELLED)
    data = gather_sen_file(db, actor, pupil_id, evidence_ids=evidence_ids, today=today)
    total = 1 + len(data.evidence) + sen_file.steps_needed(data)
    step()
    contents = documents_bytes(db, actor, [c.id for c in data.evidence])  # one transaction
    appendices = []
    for n, (choice, content) in enumerate(zip(data.evidence, contents, strict=True), start=1):
        appendices.append(pack_pdf.Appendix(f"E{n}", choice, content))
        step()
    name = sen_file.sen_file_name(data.record.pupil.upn, today)
    target = folder / name
    if target.is_dir():
        raise SendeskError(
            f"The SEN file could not be saved as {name}: a folder of that name is in the "
            "way; rename or move that folder, then try again (nothing was saved)."
        )
    with _partials(target) as (partial,):
        written = sen_file.write_sen_file_pdf(data, appendices, partial, step=step)
        try:
            os.replace(partial, target)
        except OSError as exc:
            raise SendeskError(
                f"The SEN file could not be saved as {name} ({exc.strerror or exc}): close it "
                "if another program has it open, then try again."
            ) from exc
        try:
            with db.transaction() as s:
                AuditWriter(s, actor).record(
                    "sen_file",
                    "pupil",
                    pupil_id,
                    {
                        "file": name,
                        "destination": data.leaver.destination_school or "",
                        "destination_dfe": data.leaver.destination_dfe or "",
                        "documents": [c.id for c in data.evidence],
                        "pages": written.pages,
                    },
                )
        except BaseException:
            target.unlink(missing_ok=True)  # no SEN file exists unaudited
            raise
    return SenFileResult(
        pdf=target,
        pages=written.pages,
        appended=tuple(label for label, span in written.ranges.items() if span is not None),
        notes=tuple(f"{label}: {note}" for label, note in written.notes.items()),
    )


__all__ = ["SenFileResult", "build_sen_file"]
