"""The ``sendesk`` command line: scripting, IT technicians, and the tests.

Each command is a thin shell over a service: parse, find the key, call, print. Errors are
one sentence on stderr and a non-zero exit status; nothing is half-written because every
service runs in one transaction and every file is written under a temporary name. The
commands live by capability (:mod:`.database`, :mod:`.register`, :mod:`.transfer`,
:mod:`.ehc`, :mod:`.access`, :mod:`.oversight`, :mod:`.reports`, :mod:`.users`); what
they share (opening the database, signing in, the common options) is :mod:`.shell`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from sendesk import __version__
from sendesk.cli import access, database, ehc, oversight, register, reports, transfer, users
from sendesk.cli.shell import Subparsers
from sendesk.errors import SendeskError

Handler = Callable[[argparse.Namespace], int]

COMMANDS: tuple[Callable[[Subparsers], None], ...] = (
    database.add_init,
    database.add_demo,
    register.add_import_pupils,
    transfer.add_import_ctf,
    transfer.add_export_ctf,
    transfer.add_leaver,
    transfer.add_sen_file,
    register.add_register,
    register.add_passport,
    ehc.add_pack,
    access.add_import_classes,
    access.add_access_arrangements,
    access.add_access_evidence,
    oversight.add_deadlines,
    oversight.add_audit,
    register.add_census_check,
    reports.add_report,
    database.add_backup,
    database.add_restore,
    users.add_users,
    database.add_verify,
    database.add_server_roles,
)
"""Every subcommand's parser, in the order ``sendesk --help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sendesk",
        description="SENDesk: the SEN office's register, graduated response, access "
        "arrangements and EHC requests. Run with no command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"SENDesk {__version__}")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the app on a fresh demo school (temporary database)",
    )
    parser.add_argument(
        "--exit-when-ready",
        action="store_true",
        help="open the app, and once the register and what's due have filled in print "
        "one line and quit (exit status 1, and one sentence, if it could not): for CI and "
        "checking an install. Signs in as SENDESK_USER (else the only SENCo) with "
        "SENDESK_PASSWORD",
    )
    parser.add_argument("--db", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in COMMANDS:
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is not None and args.exit_when_ready:
        parser.error("--exit-when-ready opens the app: give it without a command.")
    from sendesk.reports.private_temp import sweep_scratch_folders

    sweep_scratch_folders()  # scratch files of an export that was killed, if any
    try:
        if handler is None:
            from sendesk.app import run_app

            return run_app(demo=args.demo, db=args.db, exit_when_ready=args.exit_when_ready)
        return handler(args)
    except SendeskError as exc:
        print(f"sendesk: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("sendesk: interrupted; nothing was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader of our output (e.g. `| head`) stopped early: not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
