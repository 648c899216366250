"""EHC commands: ``pack`` (the EHC needs assessment request pack)."""

from __future__ import annotations

import argparse
from pathlib import Path

from sendesk.cli.shell import Subparsers, as_user, command, progress_printer
from sendesk.errors import SendeskError


def cmd_pack(args: argparse.Namespace) -> int:
    from sendesk.operations.pack import build_pack
    from sendesk.services.ehc.pack import find_pupil, parse_evidence

    evidence = parse_evidence(args.evidence)
    out = Path(args.out).expanduser()
    if not out.is_dir():
        raise SendeskError(f"The folder {out} does not exist: --out names the folder to write to.")
    with as_user(args) as (db, actor):
        pupil_id = find_pupil(db, actor, args.upn)
        result = build_pack(
            db,
            actor,
            pupil_id,
            out,
            evidence_ids=evidence,
            la_name=args.la,
            progress=progress_printer("Building the request pack"),
        )
    print(f"Wrote the request pack to {result.pdf} ({result.pages} pages)")
    print(f"and its written sections to {result.docx}.")
    if result.missing_reasons:
        print(f"Missing from the pack ({len(result.missing_reasons)}; listed on its cover):")
        for line in result.missing_reasons:
            print(f"  - {line}")
    return 0


def add_pack(sub: Subparsers) -> None:
    """``sendesk pack``."""
    p = command(
        sub,
        "pack",
        help="a pupil's EHC needs assessment request pack (PDF and DOCX)",
        description="Write a pupil's EHC needs assessment request pack into a folder: a PDF "
        "with the readiness check on its cover, the sections in the LA's order and the "
        "evidence documents appended, and a DOCX of the written sections.",
        handler=cmd_pack,
    )
    p.add_argument("--upn", required=True, help="the pupil's UPN")
    p.add_argument("--out", required=True, help="the folder to write the two files to")
    p.add_argument(
        "--la", help="the LA whose rules apply (default: the request's LA, or the school's)"
    )
    p.add_argument(
        "--evidence",
        default="all",
        help="documents to append: all (default, oldest first), none, or their numbers in "
        "order, e.g. 12,7,9",
    )
