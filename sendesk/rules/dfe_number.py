"""The DfE number of a school: a 3-digit LA number and a 4-digit establishment number.

Why: a CTF names its sender and receiver by it (``SourceSchool``/``DestSchool`` carry
``LEA`` and ``Estab``) and its file name is built from both (``LLLEEEE_CTF_LLLEEEE_NNN.xml``,
ctf.md §3-4). People write it "801/4000", "8014000" or "801 4000"; it is stored as
"801/4000". An LA as sender writes its LA number and "LLLL" — not a school's number, so
not accepted here.
"""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^\s*(\d{3})\s*[/\- ]?\s*(\d{4})\s*$")


def parse(text: str) -> tuple[str, str] | None:
    """(LA, establishment) from ``text``, or None when it is not a DfE number."""
    found = _PATTERN.match(text or "")
    if found is None:
        return None
    return found.group(1), found.group(2)


def normalise(text: str) -> str:
    """``text`` as stored ("801/4000"); ValueError with one sentence when it is not one."""
    parts = parse(text)
    if parts is None:
        raise ValueError(
            f"'{text.strip()}' is not a DfE number: 3 digits for the LA and 4 for the "
            "school, e.g. 801/4000"
        )
    return f"{parts[0]}/{parts[1]}"


def compact(number: str) -> str:
    """ "801/4000" as a CTF file name writes it: "8014000"."""
    la, estab = parse(number) or ("", "")
    return la + estab


__all__ = ["compact", "normalise", "parse"]
