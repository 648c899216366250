"""The whole-school reports: ``sendesk report governors|sen-information|effectiveness``
(issue 16).

Why one command with a kind: the three reports take the same things — the database, who is
signing in, the file to write and an optional period — and are refused in the same words,
so a school's script that makes all three at the end of term reads the same three times.

Each kind's writer has one shape, ``write(db, actor, out, *, start, end, progress)``, audits
its own export, and is imported only when its kind is asked for (reportlab, python-docx and
openpyxl load only then). The dates and ``--out``'s ending are checked before the database
is opened: a bad period or file name writes nothing.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sendesk.cli.shell import Subparsers, as_user, command, date_arg, progress_printer
from sendesk.errors import SendeskError


@dataclass(frozen=True)
class ReportKind:
    """A kind of report: where its writer lives, and what it is called in sentences."""

    module: str
    writer: str
    label: str
    suffixes: tuple[str, ...]
    """The endings ``--out`` may have (the file's format)."""


KINDS: dict[str, ReportKind] = {
    "governors": ReportKind(
        "sendesk.reports.governors_report",
        "write_governors_report",
        "governors' report",
        (".pdf",),
    ),
    "sen-information": ReportKind(
        "sendesk.reports.sen_information",
        "write_sen_information",
        "SEN information report",
        (".docx",),
    ),
    "effectiveness": ReportKind(
        "sendesk.reports.effectiveness_report",
        "write_effectiveness_report",
        "intervention effectiveness report",
        (".pdf", ".xlsx"),
    ),
}


def _writer(kind: ReportKind) -> Callable[..., Any]:
    """The kind's writer, imported now (its libraries load with it)."""
    return getattr(importlib.import_module(kind.module), kind.writer)


def period(args: argparse.Namespace) -> tuple[date | None, date | None]:
    """``--from`` and ``--to`` as dates, refused in one sentence when either is not a date
    or the period ends before it starts."""
    start = date_arg(args.start, "--from") if args.start is not None else None
    end = date_arg(args.end, "--to") if args.end is not None else None
    if start is not None and end is not None and start > end:
        raise SendeskError(
            f"--from {start:%d/%m/%Y} is after --to {end:%d/%m/%Y}: the period must start on "
            "or before its end; nothing was written."
        )
    return start, end


def cmd_report(args: argparse.Namespace) -> int:
    kind = KINDS[args.kind]
    start, end = period(args)
    out = Path(args.out).expanduser()
    if out.suffix.lower() not in kind.suffixes:
        endings = " or ".join(kind.suffixes)
        raise SendeskError(
            f"--out must end in {endings} for the {kind.label} (not "
            f"'{out.suffix or 'no ending'}'); nothing was written."
        )
    if not out.parent.is_dir():
        raise SendeskError(f"--out: the folder {out.parent} does not exist; nothing was written.")
    write = _writer(kind)
    with as_user(args) as (db, actor):
        write(db, actor, out, start=start, end=end, progress=progress_printer("Writing"))
    print(f"Wrote the {kind.label} to {out}.")
    return 0


def add_report(sub: Subparsers) -> None:
    """``sendesk report``."""
    p = command(
        sub,
        "report",
        help="the whole-school reports: governors' SEND report, SEN information report, "
        "intervention effectiveness",
        description="Write a whole-school report. governors: the governors' SEND report "
        "(PDF, no pupil named). sen-information: the SEN information report the school "
        "publishes (DOCX, to edit). effectiveness: each intervention's pupils, measures, "
        "ratio gains or score changes, hours, cost and cost per unit of progress (PDF or "
        "XLSX, from --out's ending; pupils named only for the SENCo). The SENCo and "
        "read-only accounts may run them.",
        handler=cmd_report,
    )
    p.add_argument("kind", choices=list(KINDS), help="which report")
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write")
    p.add_argument(
        "--from",
        dest="start",
        metavar="DATE",
        help="the period's first day (2025-09-01 or 01/09/2025; default: from the start)",
    )
    p.add_argument(
        "--to",
        dest="end",
        metavar="DATE",
        help="the period's last day (default: no end)",
    )
