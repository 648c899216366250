"""Commands that make, copy and check a database: ``init``, ``demo``, ``backup``,
``restore``, ``verify`` and ``server-roles``.

Why together: they work on the database as a whole (its key, its file, the server's roles),
mostly before anyone signs in.
"""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path

from sendesk.cli.shell import (
    Subparsers,
    command,
    existing,
    existing_file,
    new_database,
    new_password,
    progress_printer,
    tty_prompt,
)
from sendesk.db import parse_target
from sendesk.db import target_from_env_or as db_value
from sendesk.errors import SendeskError
from sendesk.keystore import (
    forget_key,
    key_for_existing,
    store_key,
)
from sendesk.services.store.opening import open_database


def cmd_init(args: argparse.Namespace) -> int:
    from sendesk.services.school.school import init_school, validate_school

    validate_school(args.school, args.urn, args.dfe)
    username = args.senco or getpass.getuser()
    password = new_password(
        f"Choose a password for the SENCo account {username}", "nothing was created"
    )
    target = parse_target(db_value(args.db))
    if target.path is None:  # the owner must be able to make the staff's logins
        from sendesk.services.store.pg_security import check_owner

        check_owner(target)
    db, where = new_database(args)
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
    db, where = new_database(args)
    try:
        with db:
            summary = write_demo_school(
                db,
                pupils=args.pupils,
                seed=args.seed,
                password=DEMO_PASSWORD,
                progress=progress_printer("Writing demo school"),
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


def cmd_backup(args: argparse.Namespace) -> int:
    from sendesk.services.store.backup import backup_file

    with existing(args) as db:
        dest = backup_file(db, Path(args.out))
    print(f"Backed up to {dest} (encrypted with the same key as the database).")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from sendesk.services.store.backup import restore_file

    target = parse_target(db_value(args.db))
    if target.path is None:
        raise SendeskError("Restore a PostgreSQL database with the server's own tools.")
    backup = existing_file(args.file)
    key = key_for_existing(target.path if target.path.exists() else backup, tty_prompt)
    result = restore_file(target.path, backup, key)
    if not target.path.exists() or result.previous_copy is None:
        store_key(target.path, key)
    open_database(target, key).dispose()  # upgrades an older backup, with its own backup
    print(f"Restored {target.path} from {backup}.")
    if result.previous_copy is not None:
        print(f"The database as it was before is kept in {result.previous_copy}.")
    return 0


def cmd_server_roles(args: argparse.Namespace) -> int:
    """Give an existing PostgreSQL school the server's roles (issue 13): what ``init``
    does for a new one. Run as the owner; idempotent (it also repairs the grants)."""
    from sendesk.services.store import pg_security

    target = parse_target(db_value(args.db))
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

    with existing(args, upgrade=False) as db:
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


def add_init(sub: Subparsers) -> None:
    """``sendesk init``."""
    p = command(
        sub,
        "init",
        help="create an empty school database",
        description="Create an empty, encrypted school database.",
        handler=cmd_init,
        user=False,
    )
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


def add_demo(sub: Subparsers) -> None:
    """``sendesk demo``."""
    p = command(
        sub,
        "demo",
        help="write a demo school",
        description="Write a believable demo secondary school to a new "
        "database. The same seed gives the same school.",
        handler=cmd_demo,
        user=False,
    )
    p.add_argument("--pupils", type=int, default=1200, help="number of pupils (default 1200)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")


def add_backup(sub: Subparsers) -> None:
    """``sendesk backup``."""
    p = command(
        sub,
        "backup",
        help="back up the database to an encrypted file",
        description="Copy the database to a new file, encrypted with the same key.",
        handler=cmd_backup,
        user=False,
    )
    p.add_argument("--out", required=True, help="the backup file to create")


def add_restore(sub: Subparsers) -> None:
    """``sendesk restore``."""
    p = command(
        sub,
        "restore",
        help="restore the database from a backup",
        description="Replace the database with a backup, after checking the "
        "backup; the database as it was is kept beside it.",
        handler=cmd_restore,
        user=False,
    )
    p.add_argument("file", help="the backup file")


def add_verify(sub: Subparsers) -> None:
    """``sendesk verify``."""
    command(
        sub,
        "verify",
        help="check integrity, schema and the audit trail",
        description="Check the file's integrity, that the schema is current, "
        "that the audit chain is unbroken and the register meets census "
        "rules. Changes nothing.",
        handler=cmd_verify,
        user=False,
    )


def add_server_roles(sub: Subparsers) -> None:
    """``sendesk server-roles``."""
    command(
        sub,
        "server-roles",
        help="give an existing PostgreSQL school its staff logins and roles (the owner)",
        description="On a PostgreSQL server: make the group roles, grants and row-level "
        "policies, and a login for every account (init does this for a new school). "
        "Run with the owner's URL; running it again repairs the grants.",
        handler=cmd_server_roles,
        user=False,
    )
