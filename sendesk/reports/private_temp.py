"""A private folder for the scratch files a document library writes while it works.

Why: openpyxl streams each sheet's XML — every pupil's name, UPN and needs, in plain
text — to a temporary file before zipping it into the XLSX. A SENDesk killed mid-export
(a crash, a forced shutdown) left that file in the shared temporary folder. Here the
scratch files go into a folder readable by this user only (0700), named after the process
that made it, removed when the export ends, and swept by the next SENDesk that starts if
the process that made it is gone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

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


def _alive(pid: int, modified: float) -> bool:
    """Whether the process that made a folder may still be using it."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        # os.kill(pid, 0) would end a process on Windows: go by the folder's age there.
        return time.time() - modified < STALE_AFTER_SECONDS
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or the platform cannot tell: leave it
    return True


def sweep_scratch_folders() -> int:
    """Remove this user's scratch folders whose process has ended (killed mid-export).

    Returns how many were removed. Called when the app or a command starts.
    """
    removed = 0
    base = Path(tempfile.gettempdir())
    try:
        candidates = list(base.glob(PREFIX + "*"))
    except OSError:
        return 0
    for folder in candidates:
        try:
            pid = int(folder.name[len(PREFIX) :].split("-", 1)[0])
            info = folder.lstat()
        except (ValueError, OSError):
            continue
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            continue
        if _alive(pid, info.st_mtime):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed += not folder.exists()
    return removed


__all__ = ["PREFIX", "private_scratch", "report_output", "sweep_scratch_folders"]
