"""A list exactly as a screen shows it, written as CSV: its headers and cell texts.

Why: "export what I see" must hold what the screen held — the columns shown, in their
order, the rows left by the filters, in the order sorted — and nothing more (a hidden
column of a pupil list is still special-category data). The screen hands over its texts;
this writes them, formula-safe, all or nothing.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from sendesk.reports.atomic import atomic_output
from sendesk.reports.tabular import csv_row


def write_shown_csv(headers: Sequence[str], rows: Sequence[Sequence[str]], dest: Path) -> Path:
    """Write ``headers`` then ``rows`` to ``dest`` (UTF-8 with a BOM, so Excel reads it)."""
    with atomic_output(dest) as tmp, tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(csv_row(headers))
        for row in rows:
            out.writerow(csv_row(row))
    return dest


__all__ = ["write_shown_csv"]
