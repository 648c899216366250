"""Auditing exports that the report writers (:mod:`sendesk.reports`) save directly.

Why: a list of pupils leaving SENDesk as a file (the register for SLT, the exams officer's
list, a provision map, the census check) is a disclosure of special-category data, and
the school must be able to say who took which list and when (UK GDPR Art. 5(2)
accountability, Art. 30 records). Writers that read through a service which audits
already (the pupil passport, the access arrangements evidence file, the EHC request pack)
need nothing here; the rest call :func:`record_export` once the file is written.

The event names what was exported, how many pupils it holds and the file's name (not its
folder: that says more about the member of staff than about the data).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from sendesk.db import Database
from sendesk.services.actor import Actor

STANDARD_OUTPUT = "(the screen)"
"""The file name recorded when a command writes its list to the terminal."""


def record_export(
    db: Database,
    actor: Actor,
    what: str,
    pupils: int,
    path: Path | str | None,
    *,
    pupil_id: int | None = None,
) -> None:
    """Audit one export ("export" on the pupil for one pupil's file, else on "export").

    Call it after the file is written. When the event cannot be written (a busy database)
    the file is deleted again and the error raised: no export exists unaudited.
    """
    from sendesk.services.store.audit import record

    name = STANDARD_OUTPUT if path is None else Path(path).name
    detail = {"what": what, "pupils": pupils, "file": name}
    entity = "pupil" if pupil_id is not None else "export"
    try:
        with db.transaction() as s:
            record(s, actor, "export", entity, pupil_id, detail)
    except BaseException:
        if path is not None:
            with contextlib.suppress(OSError):
                Path(path).unlink(missing_ok=True)
        raise


__all__ = ["STANDARD_OUTPUT", "record_export"]
