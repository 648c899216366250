"""Sweeping the private folders a SENDesk process makes in the temporary folder.

Why: two places keep plain-text pupil data in a folder of the process's own while they
work — an export's scratch files (``reports/private_temp``) and the document viewer's
copies (``services/evidence``). Each names its folder ``PREFIX<pid>-…`` and removes it when
done, but a crash or a forced shutdown leaves it behind, so the next SENDesk to start
sweeps them. Which folders may go is one judgement, made here once for both: only this
user's folders with the prefix, and of those the ones whose process has ended or that have
lain untouched too long (a process id can be reused after a crash, and Windows cannot be
asked whether a process runs). It sits at the top of the package, below both layers, and
imports nothing of SENDesk's.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import time
from collections.abc import Callable
from pathlib import Path


def process_ended(pid: int) -> bool:
    """True only when the process ``pid`` is known to have ended.

    Only on POSIX: ``os.kill(pid, 0)`` asks whether the process exists without touching
    it; on Windows the same call would end the process, so there the answer is always
    False (the caller goes by age). This process, pid 0 (the process group) and another
    user's process (EPERM) are never judged ended.
    """
    if os.name != "posix" or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def _pid_in_name(name: str, prefix: str) -> int | None:
    """The process id a folder's name carries after ``prefix``, or None."""
    text = name.removeprefix(prefix).split("-", 1)[0]
    return int(text) if text.isdigit() else None


def _remove(folder: Path) -> bool:
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def sweep_folders(
    prefix: str,
    *,
    max_age_seconds: float,
    keep: Path | None = None,
    remove: Callable[[Path], bool] = _remove,
) -> int:
    """Remove this user's folders named ``prefix*`` in the temporary folder that a
    SENDesk left behind; return how many went.

    A folder goes when the process in its name has ended or it has not been touched for
    ``max_age_seconds``. Passed over: ``keep`` and any folder named for this process (this
    run's own), anything that is not a folder (a link, a file), another user's folders.
    ``remove`` removes one and says whether it is gone (the viewer's copies are read-only
    and need their mode changed).
    """
    now = time.time()
    try:
        candidates = list(Path(tempfile.gettempdir()).glob(prefix + "*"))
    except OSError:
        return 0
    removed = 0
    for folder in candidates:
        if folder == keep:
            continue
        try:
            info = folder.lstat()
        except OSError:
            continue
        if not stat.S_ISDIR(info.st_mode):
            continue
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            continue
        pid = _pid_in_name(folder.name, prefix)
        if pid == os.getpid():
            continue  # this run's own: it removes them itself, however long it works
        ended = pid is not None and process_ended(pid)
        if not ended and now - info.st_mtime < max_age_seconds:
            continue
        removed += remove(folder)
    return removed


__all__ = ["process_ended", "sweep_folders"]
