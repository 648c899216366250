"""Write a document completely or not at all."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sendesk.errors import SendeskError


@contextmanager
def atomic_output(dest: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``dest``; rename it onto ``dest`` only on success.

    A crash or an error half-way leaves the previous file (or no file) — never half a
    report that someone might send on. The file is made owner-only (0600) before anything
    is written into it: reports name pupils, and on a shared school computer the usual
    umask would let every other account read them. Writers reopen the path with "wb",
    which keeps that mode, and the rename carries it onto ``dest``.
    """
    dest = dest.expanduser()
    if not dest.parent.exists():
        raise SendeskError(f"The folder {dest.parent} does not exist.")
    if dest.is_dir():
        raise SendeskError(f"{dest} is a folder; give a file name.")
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)  # left by a crash: its mode is not to be trusted
    try:
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        yield partial
        os.replace(partial, dest)
    finally:
        if partial.exists():
            partial.unlink()
