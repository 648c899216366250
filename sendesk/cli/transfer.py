"""Transfer commands: ``import-ctf``, ``export-ctf``, ``leaver`` and ``sen-file``.

Why together: a pupil's SEN history arrives and leaves by Common Transfer File.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sendesk.cli.shell import (
    Subparsers,
    as_user,
    command,
    date_arg,
    existing_file,
    progress_printer,
)
from sendesk.errors import SendeskError


def cmd_import_ctf(args: argparse.Namespace) -> int:
    from sendesk.services.transfer.ctf_import import import_ctf

    path = existing_file(args.file)
    with as_user(args) as (db, actor):
        report = import_ctf(db, actor, path, skip_invalid=args.skip_invalid)
    print("\n".join(report.lines()))
    return 0 if report.written and not report.problems else 2


def cmd_export_ctf(args: argparse.Namespace) -> int:
    from sendesk.reports.ctf_xml import write_ctf
    from sendesk.services.transfer.ctf_export import ctf_export_data, record_ctf_sent

    folder = Path(args.out).expanduser()
    if not folder.is_dir():
        raise SendeskError(f"The folder {folder} does not exist.")
    with as_user(args) as (db, actor):
        data = ctf_export_data(db, actor, args.upn, dest=args.dest)
        path = write_ctf(data, folder)
        try:
            record_ctf_sent(db, actor, data, path)
        except BaseException:
            path.unlink(missing_ok=True)  # no export leaves unaudited
            raise
    print(f"Wrote the SEN section of {len(data.pupils)} pupil(s) to {path}.")
    return 0


def cmd_leaver(args: argparse.Namespace) -> int:
    from sendesk.rules.permissions import Action
    from sendesk.services.register.pupils import pupil_id_of
    from sendesk.services.transfer.leavers import record_leaving

    on = date_arg(args.on, "--on")
    with as_user(args) as (db, actor):
        pupil_id = pupil_id_of(db, actor, args.upn, Action.TRANSFER_RECORDS)
        record_leaving(db, actor, pupil_id, on, args.dest_name or "", args.dest or "")
    print(
        f"Recorded {args.upn.strip().upper()} leaving on {on:%d/%m/%Y}; their SEN file is "
        "due 15 school days on (sendesk deadlines)."
    )
    return 0


def cmd_sen_file(args: argparse.Namespace) -> int:
    from sendesk.operations.sen_file import build_sen_file
    from sendesk.rules.permissions import Action
    from sendesk.services.register.pupils import pupil_id_of

    out = Path(args.out).expanduser()
    if not out.is_dir():
        raise SendeskError(f"The folder {out} does not exist: --out names the folder to write to.")
    with as_user(args) as (db, actor):
        pupil_id = pupil_id_of(db, actor, args.upn, Action.TRANSFER_RECORDS)
        result = build_sen_file(
            db,
            actor,
            pupil_id,
            out,
            evidence_ids=args.evidence or (),
            progress=progress_printer("Making the SEN file"),
        )
    print(f"Wrote the SEN file to {result.pdf} ({result.pages} pages).")
    for note in result.notes:
        print(f"  - {note}")
    print("Once it has gone to the next school, sendesk export-ctf records it as sent.")
    return 0


def add_import_ctf(sub: Subparsers) -> None:
    """``sendesk import-ctf``."""
    p = command(
        sub,
        "import-ctf",
        help="add pupils' SEN history from a Common Transfer File",
        description="Read a CTF (XML) from the previous school and add each matched "
        "pupil's SEN history (provision entries and ranked needs) before their history "
        "here, marked as from that school. Nothing recorded here is changed; importing "
        "the same file again changes nothing. By default one problem means nothing is "
        "written.",
        handler=cmd_import_ctf,
    )
    p.add_argument("file", help="the CTF: an .xml file")
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the pupils without problems and list those left out",
    )


def add_export_ctf(sub: Subparsers) -> None:
    """``sendesk export-ctf``."""
    p = command(
        sub,
        "export-ctf",
        help="write leavers' SEN history as a Common Transfer File",
        description="Write a CTF-shaped file (SEN history only: DocumentQualifier "
        "partial) for the pupils named, named as the DfE names CTFs "
        "(LLLEEEE_CTF_LLLEEEE_NNN.xml), and record their SEN file as sent.",
        handler=cmd_export_ctf,
    )
    p.add_argument("--upn", action="append", required=True, help="a pupil (repeat for more)")
    p.add_argument("--dest", help="the destination school's DfE number, LLL/EEEE")
    p.add_argument("--out", required=True, help="the folder to write into")


def add_leaver(sub: Subparsers) -> None:
    """``sendesk leaver``."""
    p = command(
        sub,
        "leaver",
        help="record that a pupil leaves, and for which school",
        description="Record a pupil's leaving date and destination; what's due then asks "
        "for their SEN file within 15 school days.",
        handler=cmd_leaver,
    )
    p.add_argument("--upn", required=True)
    p.add_argument("--on", required=True, help="the leaving date, DD/MM/YYYY or YYYY-MM-DD")
    p.add_argument("--dest", help="the destination school's DfE number, LLL/EEEE")
    p.add_argument("--dest-name", help="the destination school's name")


def add_sen_file(sub: Subparsers) -> None:
    """``sendesk sen-file``."""
    p = command(
        sub,
        "sen-file",
        help="write a leaver's SEN file (PDF) for the next school",
        description="Write one PDF for the next school's SENCo: register history, needs "
        "and provision, the latest support plans and reviews, interventions and progress, "
        "access arrangements, the EHC plan if any, and the evidence documents named "
        "(appended in that order). The pupil must be recorded as leaving (sendesk leaver).",
        handler=cmd_sen_file,
    )
    p.add_argument("--upn", required=True)
    p.add_argument("--out", required=True, help="the folder to write into")
    p.add_argument(
        "--evidence",
        type=int,
        nargs="+",
        action="extend",
        metavar="ID",
        help="evidence documents to append, by number, in the order given",
    )
