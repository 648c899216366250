"""The ``sendesk`` command line: scripting, IT technicians, and the tests.

Each command is a thin shell over a service: parse, find the key, call, print. Errors are
one sentence on stderr and a non-zero exit status; nothing is half-written because every
service runs in one transaction and every file is written under a temporary name.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sendesk import __version__
from sendesk.db import Database, Target, create_database, parse_target
from sendesk.db import target_from_env_or as _db_value
from sendesk.errors import SendeskError
from sendesk.keystore import (
    forget_key,
    key_for_existing,
    key_for_new,
    key_problem,
    store_key,
)
from sendesk.roles import Role
from sendesk.services.actor import Actor
from sendesk.services.store.opening import open_database

if TYPE_CHECKING:
    from sendesk.services.staff.users import UserSummary

Handler = Callable[[argparse.Namespace], int]


# --- keys and databases --------------------------------------------------------------


def _tty_prompt(message: str, confirm: bool) -> str | None:
    """Ask for a passphrase on the terminal; None when there is no terminal to ask on."""
    if not sys.stdin.isatty():
        return None
    first = getpass.getpass(f"{message}: ")
    if confirm:
        problem = key_problem(first)
        if problem:
            raise SendeskError(problem)
        if getpass.getpass("Type it again: ") != first:
            raise SendeskError("The two passphrases differ; nothing was created.")
    return first


def _existing(args: argparse.Namespace, *, upgrade: bool = True) -> Database:
    target = parse_target(_db_value(args.db))
    key = key_for_existing(target.path, _tty_prompt) if target.path is not None else None
    if target.path is None and target.url.username is None:
        return _as_login(target, getattr(args, "user", None), upgrade=upgrade)
    return open_database(target, key, upgrade=upgrade)


def _as_login(target: Target, username: str | None, *, upgrade: bool) -> Database:
    """A server URL that names no account: connect as the user's own login
    (``sendesk_<username>``) with their password, so the server checks it and its roles
    bound what the command can read (services/store/pg_security.py). A URL naming an account
    (the owner, as ``sendesk init`` uses) connects as that account."""
    from sendesk.services.store.pg_security import open_as

    name = username or os.environ.get("SENDESK_USER")
    if not name:
        raise SendeskError(
            "Say who is signing in to the PostgreSQL server: give --user NAME or set "
            "SENDESK_USER; nothing was read."
        )
    return open_as(target, name, _password_of(name), upgrade=upgrade)


def _new(args: argparse.Namespace) -> tuple[Database, str]:
    """Create an empty database; returns it and where its key is kept (in words)."""
    target: Target = parse_target(_db_value(args.db))
    if target.path is None:
        return create_database(target), "the PostgreSQL server (no file key)"
    if target.path.exists():
        raise SendeskError(f"{target.path} already exists: choose a new file name.")
    key, where = key_for_new(target.path, _tty_prompt)
    try:
        return create_database(target, key), where
    except BaseException:
        forget_key(target.path)
        raise


_typed_passwords: dict[str, str] = {}
"""Passwords typed at the prompt in this run: a server login and the sign-in after it ask
once."""


def _password_of(username: str) -> str:
    """The signing-in user's password: $SENDESK_PASSWORD, else asked on the terminal."""
    password = os.environ.get("SENDESK_PASSWORD")
    if password is None and username in _typed_passwords:
        password = _typed_passwords[username]
    if password is None and sys.stdin.isatty():
        password = getpass.getpass(f"SENDesk password for {username}: ")
        _typed_passwords[username] = password
    if not password:
        raise SendeskError(
            f"Give the password of {username} in SENDESK_PASSWORD or at the prompt; "
            "nothing was read."
        )
    return password


def _signed_in(db: Database, username: str | None) -> Actor:
    """Sign in as ``username`` (else $SENDESK_USER, else the only active SENCo) with a
    password, before anything about a pupil is read or written (issue 13). The command
    then does exactly what that user's role allows (the services check it)."""
    from sendesk.services.staff.users import default_username, sign_in

    name = username or os.environ.get("SENDESK_USER") or default_username(db)
    actor = sign_in(db, name, _password_of(name))
    if actor.must_change_password:
        raise _first_password(name)
    return actor


def _first_password(name: str) -> SendeskError:
    return SendeskError(
        f"The password of {name} was set by the SENCo and must be changed first: run "
        f"'sendesk users reset-password --user {name} {name}' or sign in to the app."
    )


def _actor(db: Database, args: argparse.Namespace) -> Actor:
    """The signed-in user for a command that reads or writes pupil data (``--user``)."""
    return _signed_in(db, getattr(args, "user", None))


def _new_password(prompt: str, nothing: str = "nothing was changed") -> str:
    """A new password: $SENDESK_NEW_PASSWORD, else typed twice on the terminal."""
    from sendesk.services.staff.users import password_problem

    password = os.environ.get("SENDESK_NEW_PASSWORD")
    again: str | None = None
    if password is None and sys.stdin.isatty():
        password = getpass.getpass(f"{prompt}: ")
        again = getpass.getpass("Type it again: ")
    if password is None:
        raise SendeskError(
            f"Give the new password in SENDESK_NEW_PASSWORD or at the prompt ({prompt.lower()}); "
            f"{nothing}."
        )
    if problem := password_problem(password, again):
        raise SendeskError(f"{problem} {nothing.capitalize()}.")
    return password


def _progress_printer(label: str) -> Callable[[int, int], bool]:
    """A progress callback for long jobs: a line on stderr, only on a terminal."""

    def report(done: int, total: int) -> bool:
        if sys.stderr.isatty() and total:
            sys.stderr.write(f"\r{label}: {done * 100 // total}%")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        return True

    return report


# --- commands ----------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from sendesk.services.school.school import init_school, validate_school

    validate_school(args.school, args.urn, args.dfe)
    username = args.senco or getpass.getuser()
    password = _new_password(
        f"Choose a password for the SENCo account {username}", "nothing was created"
    )
    target = parse_target(_db_value(args.db))
    if target.path is None:  # the owner must be able to make the staff's logins
        from sendesk.services.store.pg_security import check_owner

        check_owner(target)
    db, where = _new(args)
    with db:
        init_school(
            db,
            args.school,
            urn=args.urn,
            la_name=args.la,
            dfe_number=args.dfe,
            senco_username=username,
            senco_name=args.senco_name or username,
            senco_password=password,
        )
        if not db.is_file:  # the server's roles, and the first SENCo's login
            from sendesk.services.store import pg_security

            pg_security.secure(db, {username: password})
    print(f"Created the SENDesk database for {args.school} at {db.target.describe()}.")
    print(f"Its encryption key is kept in {where}. First SENCo account: {username}.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from sendesk.demo import DEMO_PASSWORD, write_demo_school

    if args.pupils < 1 or args.pupils > 50_000:
        raise SendeskError("--pupils must be between 1 and 50000.")
    db, where = _new(args)
    try:
        with db:
            summary = write_demo_school(
                db,
                pupils=args.pupils,
                seed=args.seed,
                password=DEMO_PASSWORD,
                progress=_progress_printer("Writing demo school"),
            )
    except BaseException:
        if db.target.path is not None and db.target.path.exists():
            db.target.path.unlink()
            forget_key(db.target.path)
        raise
    print(
        f"Wrote the demo school '{summary.school}' to {db.target.describe()}: "
        f"{summary.pupils} pupils, {summary.sen_support} on SEN support (K), "
        f"{summary.ehcp} with an EHC plan (E). Key kept in {where}."
    )
    from sendesk.roles import ROLE_LABELS

    print(f"Every demo account has the password '{DEMO_PASSWORD}':")
    width = max(len(name) for name, _, _ in summary.accounts)
    for name, role, display in summary.accounts:
        print(f"  {name:<{width}}  {ROLE_LABELS[role]:<16}  {display}")
    return 0


def cmd_import_pupils(args: argparse.Namespace) -> int:
    from sendesk.services.register.mis_columns import parse_map
    from sendesk.services.register.pupil_import import import_pupils

    mapping = parse_map(args.map) if args.map else None
    path = Path(args.file)
    if not path.is_file():
        raise SendeskError(f"{path} does not exist.")
    with _existing(args) as db:
        report = import_pupils(
            db,
            _actor(db, args),
            path,
            mapping=mapping,
            skip_invalid=args.skip_invalid,
            progress=_progress_printer("Importing"),
            encoding=args.encoding,
        )
    print(report.format())
    return 0 if report.written and not report.problems else 2


def cmd_import_ctf(args: argparse.Namespace) -> int:
    from sendesk.services.transfer.ctf_import import import_ctf

    path = Path(args.file)
    if not path.is_file():
        raise SendeskError(f"{path} does not exist.")
    with _existing(args) as db:
        report = import_ctf(db, _actor(db, args), path, skip_invalid=args.skip_invalid)
    print("\n".join(report.lines()))
    return 0 if report.written and not report.problems else 2


def cmd_export_ctf(args: argparse.Namespace) -> int:
    from sendesk.reports.ctf_xml import write_ctf
    from sendesk.services.transfer.ctf_export import ctf_export_data, record_ctf_sent

    folder = Path(args.out).expanduser()
    if not folder.is_dir():
        raise SendeskError(f"The folder {folder} does not exist.")
    with _existing(args) as db:
        actor = _actor(db, args)
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

    on = _date_arg(args.on, "--on")
    with _existing(args) as db:
        actor = _actor(db, args)
        pupil_id = pupil_id_of(db, actor, args.upn, Action.TRANSFER_RECORDS)
        record_leaving(db, actor, pupil_id, on, args.dest_name or "", args.dest or "")
    print(
        f"Recorded {args.upn.strip().upper()} leaving on {on:%d/%m/%Y}; their SEN file is "
        "due 15 school days on (sendesk deadlines)."
    )
    return 0


def cmd_register(args: argparse.Namespace) -> int:
    from sendesk.reports.register_export import write_register
    from sendesk.services.evidence.exports import record_export
    from sendesk.services.register.register_view import register_rows

    fmt = args.format or (Path(args.out).suffix.lstrip(".").lower() if args.out else "csv")
    if not args.out and fmt != "csv":
        raise SendeskError("Only CSV can go to the screen; give --out FILE for xlsx.")
    with _existing(args) as db:
        actor = _actor(db, args)
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

    with _existing(args) as db:
        out = passport_for(db, _actor(db, args), args.upn, Path(args.out))
    print(f"Wrote the pupil passport to {out}.")
    return 0


def cmd_pack(args: argparse.Namespace) -> int:
    from sendesk.operations.pack import build_pack
    from sendesk.services.ehc.pack import find_pupil, parse_evidence

    evidence = parse_evidence(args.evidence)
    out = Path(args.out).expanduser()
    if not out.is_dir():
        raise SendeskError(f"The folder {out} does not exist: --out names the folder to write to.")
    with _existing(args) as db:
        actor = _actor(db, args)
        pupil_id = find_pupil(db, actor, args.upn)
        result = build_pack(
            db,
            actor,
            pupil_id,
            out,
            evidence_ids=evidence,
            la_name=args.la,
            progress=_progress_printer("Building the request pack"),
        )
    print(f"Wrote the request pack to {result.pdf} ({result.pages} pages)")
    print(f"and its written sections to {result.docx}.")
    if result.missing_reasons:
        print(f"Missing from the pack ({len(result.missing_reasons)}; listed on its cover):")
        for line in result.missing_reasons:
            print(f"  - {line}")
    return 0


def _add_encoding(p: argparse.ArgumentParser) -> None:
    """``--encoding`` for a CSV import: detect (the default) names the lines that were not
    UTF-8 and were read as Windows-1252; choosing one reads every line that way."""
    p.add_argument(
        "--encoding",
        choices=["utf-8", "windows-1252"],
        help="how a CSV file's text is written (default: detect, reading lines that are not "
        "UTF-8 as Windows-1252 and naming them in the report)",
    )


def cmd_import_classes(args: argparse.Namespace) -> int:
    from sendesk.services.staff.teaching_groups import import_classes, parse_class_map

    mapping = parse_class_map(args.map) if args.map else None
    path = Path(args.file)
    if not path.is_file():
        raise SendeskError(f"{path} does not exist.")
    with _existing(args) as db:
        report = import_classes(
            db,
            _actor(db, args),
            path,
            mapping=mapping,
            progress=_progress_printer("Importing"),
            encoding=args.encoding,
        )
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

    with _existing(args) as db:
        actor = _actor(db, args)
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

    with _existing(args) as db:
        actor = _actor(db, args)
        out = evidence_file_for(db, actor, find_pupil(db, actor, args.upn), Path(args.out))
    print(f"Wrote the access arrangements evidence file to {out}.")
    return 0


def cmd_deadlines(args: argparse.Namespace) -> int:
    from sendesk.services.due import due_items

    if not 0 <= args.days <= 366:
        raise SendeskError("--days must be between 0 and 366.")
    with _existing(args) as db:
        actor = _actor(db, args)
        items = due_items(db, actor, horizon_days=args.days)
        notice = _access_notice(db, actor, {i.kind for i in items})
    if notice:
        print(f"Warning: {notice}")
    dated = sorted(
        (i for i in items if i.due is not None),
        key=lambda i: (i.due, (i.pupil_name or i.group_name).casefold(), i.kind),
    )
    for i in dated:
        print(f"{i.due:%d/%m/%Y}  {i.severity:<7}  {i.who}  {i.kind}: {i.text}")
    if not dated:
        print(f"Nothing is overdue or due in the next {args.days} days.")
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from sendesk.services.store.audit_log import audit_listing

    since = _date_arg(args.since, "--since") if args.since else None
    with _existing(args) as db:
        # --user filters here; the command signs in as $SENDESK_USER or the only SENCo
        actor = _signed_in(db, None)
        listing = audit_listing(db, actor, upn=args.upn, username=args.by, since=since)
    for line in listing.lines:
        what = f"{line.entity} {line.entity_id}" if line.entity_id is not None else line.entity
        if line.upn:
            what += f" (UPN {line.upn})"
        print(f"{line.at:%d/%m/%Y %H:%M:%S}  {line.username:<16}  {line.action:<22}  {what}")
    if not listing.lines:
        print("No audit events match.")
    anchor = listing.anchor
    print(f"Audit trail: {anchor.length:,} events; newest hash {anchor.head}")
    return 0


def _date_arg(text: str, option: str) -> date:
    """A date typed on the command line, as the MIS imports read dates (2026-12-07 or
    07/12/2026)."""
    from sendesk.services.register.mis_values import parse_date

    try:
        day = parse_date(text)
    except ValueError as exc:
        raise SendeskError(f"{option} {exc}.") from None
    if day is None:
        raise SendeskError(f"{option} needs a date, e.g. 2026-12-07 or 07/12/2026.")
    return day


def cmd_census_check(args: argparse.Namespace) -> int:
    """One line per problem (pupil, rule, what is wrong, how to fix), then the census day
    and a summary; exit status 1 when there is anything to fix, so a script can tell."""
    import csv

    from sendesk.reports.tabular import csv_row
    from sendesk.services.register.census_check import census_check

    on = _date_arg(args.on, "--on") if args.on else None
    from sendesk.services.evidence.exports import record_export

    with _existing(args) as db:
        actor = _actor(db, args)
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


def _access_notice(db: Database, actor: Actor, kinds: set[str]) -> str | None:
    """The AARA edition's warning (past its dates: the rules still apply) when the list has
    access-arrangement lines (``kinds`` of its items), else None."""
    from sendesk.services.access.edition import access_notice

    return access_notice(db, actor) if any("access" in k for k in kinds) else None


def cmd_backup(args: argparse.Namespace) -> int:
    from sendesk.services.store.backup import backup_file

    with _existing(args) as db:
        dest = backup_file(db, Path(args.out))
    print(f"Backed up to {dest} (encrypted with the same key as the database).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from sendesk.services.store.backup import restore_file

    target = parse_target(_db_value(args.db))
    if target.path is None:
        raise SendeskError("Restore a PostgreSQL database with the server's own tools.")
    backup = Path(args.file)
    if not backup.is_file():
        raise SendeskError(f"{backup} does not exist.")
    key = key_for_existing(target.path if target.path.exists() else backup, _tty_prompt)
    result = restore_file(target.path, backup, key)
    if not target.path.exists() or result.previous_copy is None:
        store_key(target.path, key)
    open_database(target, key).dispose()  # upgrades an older backup, with its own backup
    print(f"Restored {target.path} from {backup}.")
    if result.previous_copy is not None:
        print(f"The database as it was before is kept in {result.previous_copy}.")
    return 0


def cmd_users(args: argparse.Namespace) -> int:
    """Staff accounts on the command line (issue 13): the SENCo lists, adds, changes
    roles, disables, enables and resets passwords; anyone changes their own password."""
    from sendesk.roles import ROLE_LABELS
    from sendesk.services.staff import users

    if args.action == "add":
        with _existing(args) as db:
            actor = _actor(db, args)
            role = users.role_named(args.role)
            password = _new_password(f"Choose a first password for {args.username}")
            users.create_user(
                db,
                actor,
                args.username,
                args.name,
                role,
                password,
                staff_code=args.staff_code,
            )
        print(
            f"Added {args.username} ({ROLE_LABELS[role]}); they choose their own password when "
            "they first sign in."
        )
        return 0
    if args.action == "reset-password":
        return _reset_password(args)
    with _existing(args) as db:
        actor = _actor(db, args)
        if args.action == "list":
            _print_users(users.list_users(db, actor))
        elif args.action == "set-role":
            role = users.role_named(args.role)
            users.set_role(db, actor, args.username, role)
            print(f"{args.username} is now {ROLE_LABELS[role]}.")
        else:
            active = args.action == "enable"
            users.set_active(db, actor, args.username, active)
            print(
                f"{args.username} can sign in again."
                if active
                else f"{args.username} can no longer sign in; their history stays."
            )
    return 0


def _print_users(summaries: Sequence[UserSummary]) -> None:
    print("Username          Role              Active  Password    Staff code  Name")
    for u in summaries:
        password = "to change" if u.must_change_password else "set" if u.has_password else "none"
        print(
            f"{u.username:<16}  {u.role_label:<16}  {'yes' if u.active else 'no':<6}  "
            f"{password:<10}  {u.staff_code or '':<10}  {u.display_name}"
        )


def _reset_password(args: argparse.Namespace) -> int:
    """A SENCo resets anyone's password (a first password, changed at the next sign-in);
    a user sets their own (also the way past a first password on the command line). A
    database whose SENCo accounts have no password yet (made before passwords were
    required) lets the key holder give a SENCo one, once."""
    from sendesk.services.staff import users

    with _existing(args) as db:
        if not users.any_senco_password(db):
            password = _new_password(f"Choose a password for {args.username}")
            users.set_first_password(db, args.username, password)
            print(f"{args.username} can now sign in with the new password.")
            return 0
        name = args.user or os.environ.get("SENDESK_USER") or users.default_username(db)
        actor = users.sign_in(db, name, _password_of(name))
        own = actor.username == args.username
        if not own and actor.must_change_password:
            raise _first_password(name)
        password = _new_password(
            "Choose your new password" if own else f"Choose a first password for {args.username}"
        )
        if own:
            users.change_own_password(db, actor, password, password)
            print("Your password is changed.")
        else:
            users.set_password(db, actor, args.username, password)
            print(
                f"{args.username}'s password is reset; they choose their own when they next "
                "sign in."
            )
    return 0


def cmd_server_roles(args: argparse.Namespace) -> int:
    """Give an existing PostgreSQL school the server's roles (issue 13): what ``init``
    does for a new one. Run as the owner; idempotent (it also repairs the grants)."""
    from sendesk.services.store import pg_security

    target = parse_target(_db_value(args.db))
    if target.path is not None:
        raise SendeskError("Server roles are for a PostgreSQL database; a file has its key.")
    if target.url.username is None:
        raise SendeskError(
            "Name the database's owner in the URL (postgresql+psycopg://OWNER@HOST/DB): "
            "only the owner sets up the roles; nothing was changed."
        )
    pg_security.check_owner(target)
    with open_database(target) as db:
        pg_security.apply(db.engine)
        made = pg_security.sync_all_logins(db.engine)
    print(f"Set up the SENDesk roles of {db.target.describe()}; {len(made)} staff logins.")
    print(
        "A login has no password until one is set: the SENCo sets their own with "
        "'sendesk users reset-password --db OWNER-URL --user SENCO SENCO', then resets "
        "each colleague's (a first password, changed at their next sign-in). After that, "
        "everyone connects with a URL naming no account."
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from sendesk.services.store.backup import verify

    with _existing(args, upgrade=False) as db:
        checks = verify(db)
    for check in checks:
        print(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}")
        for problem in check.problems[:20]:
            print(f"        {problem}")
        if len(check.problems) > 20:
            print(f"        … and {len(check.problems) - 20} more")
    failed = [c for c in checks if not c.ok]
    print("All checks passed." if not failed else f"{len(failed)} check(s) failed.")
    return 0 if not failed else 1


# --- parser ----------------------------------------------------------------------------------


def _add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", help="database file, or a postgresql+psycopg:// URL (default: $SENDESK_DB)"
    )


def _add_user(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--user",
        help="sign in as this SENDesk user (default: $SENDESK_USER, else the only SENCo); "
        "the password comes from $SENDESK_PASSWORD or a prompt",
    )


_ROLE_CHOICES = ", ".join(Role)


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
    parser.add_argument("--db", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "init",
        help="create an empty school database",
        description="Create an empty, encrypted school database.",
    )
    _add_db(p)
    p.add_argument("--school", required=True, help="the school's name")
    p.add_argument("--urn", help="the school's 6-digit URN")
    p.add_argument("--la", help="the local authority's name")
    p.add_argument(
        "--senco",
        help="username of the first SENCo account (default: your login); its password "
        "comes from $SENDESK_NEW_PASSWORD or a prompt",
    )
    p.add_argument("--senco-name", help="the SENCo's name as shown in the app")
    p.add_argument("--dfe", help="the school's DfE number, LLL/EEEE (a CTF names its sender by it)")
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser(
        "demo",
        help="write a demo school",
        description="Write a believable demo secondary school to a new "
        "database. The same seed gives the same school.",
    )
    _add_db(p)
    p.add_argument("--pupils", type=int, default=1200, help="number of pupils (default 1200)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser(
        "import-pupils",
        help="import a pupil export from the MIS",
        description="Import pupils from a SIMS, Arbor or Bromcom export "
        "(CSV or XLSX). Every row is checked first; by default one bad row "
        "means nothing is written.",
    )
    _add_db(p)
    _add_user(p)
    p.add_argument("file", help="the export: .csv or .xlsx")
    p.add_argument(
        "--skip-invalid", action="store_true", help="write the good rows and report the bad ones"
    )
    p.add_argument("--map", help='extra column names, e.g. "Legal Surname=surname,DOB=dob"')
    _add_encoding(p)
    p.set_defaults(handler=cmd_import_pupils)

    p = sub.add_parser(
        "import-ctf",
        help="add pupils' SEN history from a Common Transfer File",
        description="Read a CTF (XML) from the previous school and add each matched "
        "pupil's SEN history (provision entries and ranked needs) before their history "
        "here, marked as from that school. Nothing recorded here is changed; importing "
        "the same file again changes nothing. By default one problem means nothing is "
        "written.",
    )
    _add_db(p)
    _add_user(p)
    p.add_argument("file", help="the CTF: an .xml file")
    p.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the pupils without problems and list those left out",
    )
    p.set_defaults(handler=cmd_import_ctf)

    p = sub.add_parser(
        "export-ctf",
        help="write leavers' SEN history as a Common Transfer File",
        description="Write a CTF-shaped file (SEN history only: DocumentQualifier "
        "partial) for the pupils named, named as the DfE names CTFs "
        "(LLLEEEE_CTF_LLLEEEE_NNN.xml), and record their SEN file as sent.",
    )
    _add_db(p)
    _add_user(p)
    p.add_argument("--upn", action="append", required=True, help="a pupil (repeat for more)")
    p.add_argument("--dest", help="the destination school's DfE number, LLL/EEEE")
    p.add_argument("--out", required=True, help="the folder to write into")
    p.set_defaults(handler=cmd_export_ctf)

    p = sub.add_parser(
        "leaver",
        help="record that a pupil leaves, and for which school",
        description="Record a pupil's leaving date and destination; what's due then asks "
        "for their SEN file within 15 school days.",
    )
    _add_db(p)
    _add_user(p)
    p.add_argument("--upn", required=True)
    p.add_argument("--on", required=True, help="the leaving date, DD/MM/YYYY or YYYY-MM-DD")
    p.add_argument("--dest", help="the destination school's DfE number, LLL/EEEE")
    p.add_argument("--dest-name", help="the destination school's name")
    p.set_defaults(handler=cmd_leaver)

    p = sub.add_parser(
        "register",
        help="export the SEND register",
        description="Export the SEND register (pupils on SEN support or "
        "with an EHC plan); --all adds every other pupil.",
    )
    _add_db(p)
    _add_user(p)
    p.add_argument("--all", action="store_true", help="include pupils not on the register")
    p.add_argument("--format", choices=["csv", "xlsx"], help="default: from --out, or csv")
    p.add_argument("--out", help="file to write (default: CSV to the screen)")
    p.set_defaults(handler=cmd_register)

    p = sub.add_parser(
        "passport",
        help="a pupil's one-page passport as PDF",
        description="Write a pupil passport (one-page profile) as PDF: who I am, what I "
        "find hard, what helps me, my targets now.",
    )
    _add_db(p)
    _add_user(p)
    p.add_argument("--upn", required=True, help="the pupil's UPN")
    p.add_argument("--out", required=True, help="the PDF file to write")
    p.set_defaults(handler=cmd_passport)

    p = sub.add_parser(
        "pack",
        help="a pupil's EHC needs assessment request pack (PDF and DOCX)",
        description="Write a pupil's EHC needs assessment request pack into a folder: a PDF "
        "with the readiness check on its cover, the sections in the LA's order and the "
        "evidence documents appended, and a DOCX of the written sections.",
    )
    _add_db(p)
    _add_user(p)
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
    p.set_defaults(handler=cmd_pack)

    p = sub.add_parser(
        "import-classes",
        help="import teaching groups (class lists) from the MIS",
        description="Import class lists from the MIS (CSV or XLSX, one row per pupil per "
        "class: class code, subject, teacher, UPN, and optionally an Entered column (yes/no) "
        "saying the pupil is entered for that subject's exam). Every row is checked first; "
        "one bad row means nothing is written. Classes in the file replace the members of MIS "
        "groups with the same code; groups made by hand are left alone.",
    )
    _add_db(p)
    _add_user(p)
    p.add_argument("file", help="the class-list export: .csv or .xlsx")
    p.add_argument("--map", help='extra column names, e.g. "Group=code,Staff=teacher"')
    _add_encoding(p)
    p.set_defaults(handler=cmd_import_classes)

    p = sub.add_parser(
        "access-arrangements",
        help="the exams officer's list of access arrangements",
        description="Write the exams officer's list: each candidate with approved (or "
        "applied-for) access arrangements, their subjects, extra time, room needs, approval "
        "and expiry dates.",
    )
    _add_db(p)
    _add_user(p)
    p.add_argument("--format", choices=["csv", "xlsx", "pdf"], help="default: from --out")
    p.add_argument("--out", required=True, help="the file to write")
    p.set_defaults(handler=cmd_access_arrangements)

    p = sub.add_parser(
        "access-evidence",
        help="a candidate's access arrangements evidence file as PDF",
        description="Write the evidence file an inspector asks for: the candidate's "
        "arrangements and approvals, the assessment with the JCQ criteria verdict, the "
        "picture of need and the teachers' evidence by subject, including mocks.",
    )
    _add_db(p)
    _add_user(p)
    p.add_argument("--upn", required=True, help="the candidate's UPN")
    p.add_argument("--out", required=True, help="the PDF file to write")
    p.set_defaults(handler=cmd_access_evidence)

    p = sub.add_parser(
        "deadlines",
        help="due and overdue statutory, review and access-arrangement dates",
        description="List every dated item of the app's \"what's due\" page, soonest first: "
        "EHC request milestones, annual reviews and their paperwork, support-plan reviews, "
        "access arrangements expiring. One line each: date, status, pupil, what.",
    )
    _add_db(p)
    _add_user(p)
    p.add_argument("--days", type=int, default=28, help="look this many days ahead (default 28)")
    p.set_defaults(handler=cmd_deadlines)

    p = sub.add_parser(
        "audit",
        help="the audit trail: who did what, when, and the chain's length and newest hash",
        description="List audit events oldest first (time, user, action, what), filtered "
        "by pupil, user and date, then the whole chain's length and newest hash: note them "
        "down, and 'sendesk verify' will tell if events are later removed or rewritten. "
        "SENCo only.",
    )
    _add_db(p)
    # Here --user filters (the contract); the command acts as the SENCo.
    p.add_argument("--upn", help="only events about this pupil")
    p.add_argument("--user", dest="by", metavar="NAME", help="only events by this SENDesk user")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only events on or after this date")
    p.set_defaults(handler=cmd_audit)

    p = sub.add_parser(
        "census-check",
        help="check the register against the DfE school census rules",
        description="Check the SEND register against the DfE school census SEN and UPN rules "
        "before the next census day (first Thursday of October, third Thursday of January, "
        "third Thursday of May). One line per problem: the pupil's UPN and name, the rule's "
        "number and text, what was found and how to fix it; then the census day and a "
        "summary. Changes nothing.",
        epilog="Exit status: 0 when nothing needs fixing, 1 when problems are listed (or "
        "the check could not run: the message says why), 3 for a user who may not run it.",
    )
    _add_db(p)
    _add_user(p)
    p.add_argument("--format", choices=["text", "csv"], default="text", help="default: text")
    p.add_argument(
        "--on", help="check for the first census day on or after this date (default: today)"
    )
    p.set_defaults(handler=cmd_census_check)

    p = sub.add_parser(
        "backup",
        help="back up the database to an encrypted file",
        description="Copy the database to a new file, encrypted with the same key.",
    )
    _add_db(p)
    p.add_argument("--out", required=True, help="the backup file to create")
    p.set_defaults(handler=cmd_backup)

    p = sub.add_parser(
        "restore",
        help="restore the database from a backup",
        description="Replace the database with a backup, after checking the "
        "backup; the database as it was is kept beside it.",
    )
    _add_db(p)
    p.add_argument("file", help="the backup file")
    p.set_defaults(handler=cmd_restore)

    p = sub.add_parser(
        "users",
        help="staff accounts: list, add, set-role, disable, enable, reset-password",
        description="Manage SENDesk staff accounts (the SENCo). New passwords come from "
        "SENDESK_NEW_PASSWORD or a prompt; the signing-in user's from SENDESK_PASSWORD or a "
        "prompt. A password the SENCo sets is a first password: its owner chooses their own "
        "at their next sign-in ('users reset-password --user ME ME' on the command line).",
    )
    users = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    u = users.add_parser("list", help="every account")
    _add_db(u)
    _add_user(u)
    u = users.add_parser("add", help="add an account with a first password")
    _add_db(u)
    _add_user(u)
    u.add_argument("username", metavar="USERNAME")
    u.add_argument("--role", required=True, help=f"one of: {_ROLE_CHOICES}")
    u.add_argument("--name", required=True, help="the person's full name")
    u.add_argument("--staff-code", help="a teacher's MIS staff code (links their classes)")
    u = users.add_parser("set-role", help="change an account's role")
    _add_db(u)
    _add_user(u)
    u.add_argument("username", metavar="USERNAME")
    u.add_argument("role", metavar="ROLE", help=f"one of: {_ROLE_CHOICES}")
    for action, words in (
        ("disable", "stop an account signing in (its history stays)"),
        ("enable", "let a disabled account sign in again"),
        ("reset-password", "give an account a first password, or change your own"),
    ):
        u = users.add_parser(action, help=words)
        _add_db(u)
        _add_user(u)
        u.add_argument("username", metavar="USERNAME")
    p.set_defaults(handler=cmd_users)

    p = sub.add_parser(
        "verify",
        help="check integrity, schema and the audit trail",
        description="Check the file's integrity, that the schema is current, "
        "that the audit chain is unbroken and the register meets census "
        "rules. Changes nothing.",
    )
    _add_db(p)
    p.set_defaults(handler=cmd_verify)

    p = sub.add_parser(
        "server-roles",
        help="give an existing PostgreSQL school its staff logins and roles (the owner)",
        description="On a PostgreSQL server: make the group roles, grants and row-level "
        "policies, and a login for every account (init does this for a new school). "
        "Run with the owner's URL; running it again repairs the grants.",
    )
    _add_db(p)
    p.set_defaults(handler=cmd_server_roles)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    from sendesk.reports.private_temp import sweep_scratch_folders

    sweep_scratch_folders()  # scratch files of an export that was killed, if any
    try:
        if handler is None:
            from sendesk.app import run_app

            return run_app(demo=args.demo, db=args.db)
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
