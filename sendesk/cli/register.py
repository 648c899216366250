"""Register commands: ``import-pupils``, ``register``, ``passport`` and ``census-check``.

Why together: they read or fill the SEND register and what the census asks of it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sendesk.cli.shell import (
    Subparsers,
    add_encoding,
    as_user,
    command,
    date_arg,
    import_file,
)
from sendesk.errors import SendeskError


def cmd_import_pupils(args: argparse.Namespace) -> int:
    from sendesk.services.register.mis_columns import parse_map
    from sendesk.services.register.pupil_import import import_pupils

    report = import_file(args, import_pupils, parse_map, skip_invalid=args.skip_invalid)
    print(report.format())
    return 0 if report.written and not report.problems else 2


def cmd_register(args: argparse.Namespace) -> int:
    from sendesk.reports.register_export import write_register
    from sendesk.services.evidence.exports import record_export
    from sendesk.services.register.register_view import register_rows

    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "csv")
    if not args.out and fmt != "csv":
        raise SendeskError("Only CSV can go to the screen; give --out FILE for xlsx.")
    with as_user(args) as (db, actor):
        rows = register_rows(db, actor, include_all=args.all)
        if args.out:
            write_register(rows, Path(args.out), fmt)
        record_export(db, actor, "register", len(rows), args.out)  # None: the screen
    if args.out:
        print(f"Wrote {len(rows)} pupils to {args.out}.")
    else:
        from sendesk.reports.register_export import write_csv

        write_csv(rows, sys.stdout)
    return 0


def cmd_passport(args: argparse.Namespace) -> int:
    from sendesk.reports.passport import passport_for

    with as_user(args) as (db, actor):
        out = passport_for(db, actor, args.upn, Path(args.out))
    print(f"Wrote the pupil passport to {out}.")
    return 0


def cmd_census_check(args: argparse.Namespace) -> int:
    """One line per problem (pupil, rule, what is wrong, how to fix), then the census day
    and a summary; exit status 1 when there is anything to fix, so a script can tell."""
    import csv

    from sendesk.reports.tabular import csv_row
    from sendesk.services.register.census_check import census_check

    on = date_arg(args.on, "--on") if args.on else None
    from sendesk.services.evidence.exports import record_export

    with as_user(args) as (db, actor):
        report = census_check(db, actor, today=on)
        if args.format == "csv":  # a list of named pupils, to the screen
            pupils = len({(p.upn, p.name) for p in report.problems})
            record_export(db, actor, "census check", pupils, None)
    if args.format == "csv":
        out = csv.writer(sys.stdout, lineterminator="\n")
        out.writerow(["UPN", "Pupil", "Rule number", "Number confirmed", "Rule", "Found", "Fix"])
        for p in report.problems:
            number = p.rule.number or ""
            out.writerow(
                csv_row(
                    [
                        p.upn,
                        p.name,
                        number,
                        "yes" if p.rule.confirmed else "no",
                        p.rule.text,
                        p.detail,
                        p.rule.fix,
                    ]
                )
            )
    else:
        for p in report.problems:
            query = ", a query" if p.rule.kind == "query" else ""
            print(
                f"{p.upn}  {p.name}  {p.rule.label}{query}: {p.rule.text} "
                f"(found: {p.detail}). Fix: {p.rule.fix}"
            )
        if report.problems:
            print()
        print(f"Next census day: {report.census_day:%d/%m/%Y}, {report.census}.")
        print(report.summary())
    return 1 if report.problems else 0


def add_import_pupils(sub: Subparsers) -> None:
    """``sendesk import-pupils``."""
    p = command(
        sub,
        "import-pupils",
        help="import a pupil export from the MIS",
        description="Import pupils from a SIMS, Arbor or Bromcom export "
        "(CSV or XLSX). Every row is checked first; by default one bad row "
        "means nothing is written.",
        handler=cmd_import_pupils,
    )
    p.add_argument("file", help="the export: .csv or .xlsx")
    p.add_argument(
        "--skip-invalid", action="store_true", help="write the good rows and report the bad ones"
    )
    p.add_argument("--map", help='extra column names, e.g. "Legal Surname=surname,DOB=dob"')
    add_encoding(p)


def add_register(sub: Subparsers) -> None:
    """``sendesk register``."""
    p = command(
        sub,
        "register",
        help="export the SEND register",
        description="Export the SEND register (pupils on SEN support or "
        "with an EHC plan); --all adds every other pupil.",
        handler=cmd_register,
    )
    p.add_argument("--all", action="store_true", help="include pupils not on the register")
    p.add_argument("--format", choices=["csv", "xlsx"], help="default: from --out, or csv")
    p.add_argument("--out", help="file to write (default: CSV to the screen)")


def add_passport(sub: Subparsers) -> None:
    """``sendesk passport``."""
    p = command(
        sub,
        "passport",
        help="a pupil's one-page passport as PDF",
        description="Write a pupil passport (one-page profile) as PDF: who I am, what I "
        "find hard, what helps me, my targets now.",
        handler=cmd_passport,
    )
    p.add_argument("--upn", required=True, help="the pupil's UPN")
    p.add_argument("--out", required=True, help="the PDF file to write")


def add_census_check(sub: Subparsers) -> None:
    """``sendesk census-check``."""
    p = command(
        sub,
        "census-check",
        help="check the register against the DfE school census rules",
        description="Check the SEND register against the DfE school census SEN and UPN rules "
        "before the next census day (first Thursday of October, third Thursday of January, "
        "third Thursday of May). One line per problem: the pupil's UPN and name, the rule's "
        "number and text, what was found and how to fix it; then the census day and a "
        "summary. Changes nothing.",
        epilog="Exit status: 0 when nothing needs fixing, 1 when problems are listed (or "
        "the check could not run: the message says why), 3 for a user who may not run it.",
        handler=cmd_census_check,
    )
    p.add_argument("--format", choices=["text", "csv"], default="text", help="default: text")
    p.add_argument(
        "--on", help="check for the first census day on or after this date (default: today)"
    )
