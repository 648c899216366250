"""Access arrangement commands: ``import-classes``, ``access-arrangements`` and
``access-evidence``.

Why ``import-classes`` here: teaching groups decide who records normal-way-of-working
evidence for whom.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from sendesk.cli.shell import (
    Subparsers,
    add_encoding,
    as_user,
    command,
    import_file,
)
from sendesk.errors import SendeskError


def cmd_import_classes(args: argparse.Namespace) -> int:
    from sendesk.services.staff.teaching_groups import import_classes, parse_class_map

    report = import_file(args, import_classes, parse_class_map)
    print(report.format())
    return 0 if report.written else 2


def cmd_access_arrangements(args: argparse.Namespace) -> int:
    from sendesk.reports.access_list import write_access_list
    from sendesk.services.access.overviews import exams_officer_rows
    from sendesk.services.school.school import school_info

    fmt = args.format or Path(args.out).suffix.lstrip(".").lower()
    if fmt not in ("csv", "xlsx", "pdf"):
        raise SendeskError("Give --format csv, xlsx or pdf (or an --out name ending in one).")
    from sendesk.services.evidence.exports import record_export

    with as_user(args) as (db, actor):
        rows = exams_officer_rows(db, actor)
        school = school_info(db).name
        write_access_list(rows, Path(args.out), fmt, school=school, today=date.today())
        n = len({r.pupil_id for r in rows})
        record_export(db, actor, "exams officer's list", n, args.out)
    who = "candidate" if len(rows) == 1 else "candidates"
    print(f"Wrote {len(rows)} {who} with access arrangements to {args.out}.")
    return 0


def cmd_access_evidence(args: argparse.Namespace) -> int:
    from sendesk.reports.access_evidence import evidence_file_for
    from sendesk.services.access.records import find_pupil

    with as_user(args) as (db, actor):
        out = evidence_file_for(db, actor, find_pupil(db, actor, args.upn), Path(args.out))
    print(f"Wrote the access arrangements evidence file to {out}.")
    return 0


def add_import_classes(sub: Subparsers) -> None:
    """``sendesk import-classes``."""
    p = command(
        sub,
        "import-classes",
        help="import teaching groups (class lists) from the MIS",
        description="Import class lists from the MIS (CSV or XLSX, one row per pupil per "
        "class: class code, subject, teacher, UPN, and optionally an Entered column (yes/no) "
        "saying the pupil is entered for that subject's exam). Every row is checked first; "
        "one bad row means nothing is written. Classes in the file replace the members of MIS "
        "groups with the same code; groups made by hand are left alone.",
        handler=cmd_import_classes,
    )
    p.add_argument("file", help="the class-list export: .csv or .xlsx")
    p.add_argument("--map", help='extra column names, e.g. "Group=code,Staff=teacher"')
    add_encoding(p)


def add_access_arrangements(sub: Subparsers) -> None:
    """``sendesk access-arrangements``."""
    p = command(
        sub,
        "access-arrangements",
        help="the exams officer's list of access arrangements",
        description="Write the exams officer's list: each candidate with approved (or "
        "applied-for) access arrangements, their subjects, extra time, room needs, approval "
        "and expiry dates.",
        handler=cmd_access_arrangements,
    )
    p.add_argument("--format", choices=["csv", "xlsx", "pdf"], help="default: from --out")
    p.add_argument("--out", required=True, help="the file to write")


def add_access_evidence(sub: Subparsers) -> None:
    """``sendesk access-evidence``."""
    p = command(
        sub,
        "access-evidence",
        help="a candidate's access arrangements evidence file as PDF",
        description="Write the evidence file an inspector asks for: the candidate's "
        "arrangements and approvals, the assessment with the JCQ criteria verdict, the "
        "picture of need and the teachers' evidence by subject, including mocks.",
        handler=cmd_access_evidence,
    )
    p.add_argument("--upn", required=True, help="the candidate's UPN")
    p.add_argument("--out", required=True, help="the PDF file to write")
