"""Writing a review meeting's invitation letter: the files, the date the invitations went
out, the audit — together or not at all.

:func:`write_invitation_letter` gathers the letter's facts
(:func:`sendesk.services.graduated.meetings.letter_data`), writes the PDF and the DOCX
(:mod:`sendesk.reports.meeting_letter`), then, in one transaction, records the letter's
date as the day the invitations went out
(:func:`sendesk.services.graduated.meetings.mark_invitations_sent`) and the export's audit
event. If that transaction fails (someone changed the meeting meanwhile, a busy database)
both files are deleted again: no letter exists unaudited, and no invitation date is
recorded for a letter that was not written. For an annual review it returns the notice
warning (reg 20: at least 2 weeks before the meeting) when the letter's date breaks it.

Why here and not in the service: the report reads the service's plain data, so a service
that called the report would make the layers a loop (as :mod:`sendesk.operations.pack`).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sendesk.db import Database
from sendesk.reports.meeting_letter import write_letter
from sendesk.services.actor import Actor
from sendesk.services.graduated.meetings import letter_data, mark_invitations_sent
from sendesk.services.store.audit import record


@dataclass(frozen=True)
class LetterResult:
    """The files written, the meeting's new version and the notice warning (or None)."""

    pdf: Path
    docx: Path
    version: int
    warning: str | None


def write_invitation_letter(
    db: Database,
    actor: Actor,
    meeting_id: int,
    version: int,
    pdf: Path | str,
    *,
    sent_on: date | None = None,
    today: date | None = None,
) -> LetterResult:
    """Write the letter to ``pdf`` and beside it the same name ``.docx``, dated ``sent_on``
    (today); record that date as the invitations' and audit the export."""
    today = today or date.today()
    sent_on = sent_on or today
    pdf_path = Path(pdf).expanduser()
    if pdf_path.suffix.lower() != ".pdf":
        pdf_path = pdf_path.with_name(pdf_path.name + ".pdf")
    docx_path = pdf_path.with_suffix(".docx")
    data = letter_data(db, actor, meeting_id, letter_on=sent_on)
    written = write_letter(data, pdf_path, docx_path)
    try:
        with db.transaction() as s:
            new_version, warning = mark_invitations_sent(
                s, actor, meeting_id, version, sent_on, today
            )
            record(
                s,
                actor,
                "export",
                "pupil",
                data.meeting.pupil_id,
                {
                    "what": "meeting invitation letter",
                    "pupils": 1,
                    "file": f"{pdf_path.name}, {docx_path.name}",
                    "meeting_id": meeting_id,
                },
            )
    except BaseException:
        for path in written:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        raise
    return LetterResult(written[0], written[1], new_version, warning)


__all__ = ["LetterResult", "write_invitation_letter"]
