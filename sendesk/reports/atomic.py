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
    report that someone might send on.
    """
    dest = dest.expanduser()
    if not dest.parent.exists():
        raise SendeskError(f"The folder {dest.parent} does not exist.")
    if dest.is_dir():
        raise SendeskError(f"{dest} is a folder; give a file name.")
    partial = dest.with_name(f".{dest.name}.partial")
    try:
        yield partial
        os.replace(partial, dest)
    finally:
        if partial.exists():
            partial.unlink()
