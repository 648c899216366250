"""A private folder for the scratch files a document library writes while it works.

Why: openpyxl streams each sheet's XML — every pupil's name, UPN and needs, in plain
text — to a temporary file before zipping it into the XLSX. A SENDesk killed mid-export
(a crash, a forced shutdown) left that file in the shared temporary folder. Here the
scratch files go into a folder readable by this user only (0700), named after the process
that made it, removed when the export ends, and swept by the next SENDesk that starts if
the process that made it is gone (:func:`sendesk.temp_folders.sweep_folders`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from sendesk.temp_folders import sweep_folders

PREFIX = "sendesk-export-"

_lock = threading.Lock()  # tempfile.tempdir is process-wide: one export at a time swaps it


@contextlib.contextmanager
def private_scratch() -> Iterator[Path]:
    """While inside, Python's temporary files (and so openpyxl's) go to a private folder
    of this process's own; it is deleted, with whatever is in it, on the way out."""
    with _lock:
        folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        previous = tempfile.tempdir
        tempfile.tempdir = str(folder)
        try:
            yield folder
        finally:
            tempfile.tempdir = previous
            shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def report_output(dest: Path, fmt: str) -> Iterator[Path]:
    """:func:`~sendesk.reports.atomic.atomic_output` for a report written as ``fmt``: an
    xlsx is written inside :func:`private_scratch` too, so openpyxl's sheet XML never sits
    in shared temp; a csv or pdf needs no scratch and does not wait for its lock."""
    from sendesk.reports.atomic import atomic_output

    scratch = private_scratch() if fmt == "xlsx" else contextlib.nullcontext()
    with atomic_output(dest) as tmp, scratch:
        yield tmp


STALE_AFTER_SECONDS = 12 * 60 * 60


def sweep_scratch_folders() -> int:
    """Remove this user's scratch folders whose process has ended (killed mid-export), or
    untouched for :data:`STALE_AFTER_SECONDS` (its process id reused since, or Windows).

    Returns how many were removed. Called when the app or a command starts.
    """
    return sweep_folders(PREFIX, max_age_seconds=STALE_AFTER_SECONDS)


__all__ = ["PREFIX", "private_scratch", "report_output", "sweep_scratch_folders"]
