"""What every command shares: opening the database (its key, or a PostgreSQL login),
signing in, asking for passwords and passphrases, progress on a terminal, the common
options, and the one shape of a command that reads or writes pupil data.

Why one module: each command used to repeat "open the database, sign in, check the file
exists"; written once, every command asks for the same things in the same words.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from sendesk.db import Database, Target, create_database, parse_target
from sendesk.db import target_from_env_or as db_value
from sendesk.errors import SendeskError
from sendesk.keystore import (
    forget_key,
    key_for_existing,
    key_for_new,
    key_problem,
)
from sendesk.services.actor import Actor
from sendesk.services.store.opening import open_database


def tty_prompt(message: str, confirm: bool) -> str | None:
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


def existing(args: argparse.Namespace, *, upgrade: bool = True) -> Database:
    target = parse_target(db_value(args.db))
    key = key_for_existing(target.path, tty_prompt) if target.path is not None else None
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
    return open_as(target, name, password_of(name), upgrade=upgrade)


def new_database(args: argparse.Namespace) -> tuple[Database, str]:
    """Create an empty database; returns it and where its key is kept (in words)."""
    target: Target = parse_target(db_value(args.db))
    if target.path is None:
        return create_database(target), "the PostgreSQL server (no file key)"
    if target.path.exists():
        raise SendeskError(f"{target.path} already exists: choose a new file name.")
    key, where = key_for_new(target.path, tty_prompt)
    try:
        return create_database(target, key), where
    except BaseException:
        forget_key(target.path)
        raise


_typed_passwords: dict[str, str] = {}
"""Passwords typed at the prompt in this run: a server login and the sign-in after it ask
once."""


def password_of(username: str) -> str:
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


def signed_in(db: Database, username: str | None) -> Actor:
    """Sign in as ``username`` (else $SENDESK_USER, else the only active SENCo) with a
    password, before anything about a pupil is read or written (issue 13). The command
    then does exactly what that user's role allows (the services check it)."""
    from sendesk.services.staff.users import default_username, sign_in

    name = username or os.environ.get("SENDESK_USER") or default_username(db)
    actor = sign_in(db, name, password_of(name))
    if actor.must_change_password:
        raise first_password(name)
    return actor


def first_password(name: str) -> SendeskError:
    return SendeskError(
        f"The password of {name} was set by the SENCo and must be changed first: run "
        f"'sendesk users reset-password --user {name} {name}' or sign in to the app."
    )


def actor_of(db: Database, args: argparse.Namespace) -> Actor:
    """The signed-in user for a command that reads or writes pupil data (``--user``)."""
    return signed_in(db, getattr(args, "user", None))


def new_password(prompt: str, nothing: str = "nothing was changed") -> str:
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


def progress_printer(label: str) -> Callable[[int, int], bool]:
    """A progress callback for long jobs: a line on stderr, only on a terminal."""

    def report(done: int, total: int) -> bool:
        if sys.stderr.isatty() and total:
            sys.stderr.write(f"\r{label}: {done * 100 // total}%")
            if done >= total:
                sys.stderr.write("\n")
            sys.stderr.flush()
        return True

    return report


def add_encoding(p: argparse.ArgumentParser) -> None:
    """``--encoding`` for a CSV import: detect (the default) names the lines that were not
    UTF-8 and were read as Windows-1252; choosing one reads every line that way."""
    p.add_argument(
        "--encoding",
        choices=["utf-8", "windows-1252"],
        help="how a CSV file's text is written (default: detect, reading lines that are not "
        "UTF-8 as Windows-1252 and naming them in the report)",
    )


def date_arg(text: str, option: str) -> date:
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


def add_db(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--db", help="database file, or a postgresql+psycopg:// URL (default: $SENDESK_DB)"
    )


def add_user(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--user",
        help="sign in as this SENDesk user (default: $SENDESK_USER, else the only SENCo); "
        "the password comes from $SENDESK_PASSWORD or a prompt",
    )


Subparsers = argparse._SubParsersAction  # argparse names no public type for it


@contextmanager
def as_user(args: argparse.Namespace) -> Iterator[tuple[Database, Actor]]:
    """The database named by ``--db``, signed in as ``--user``: the shape of every command
    that reads or writes pupil data. The database closes however the command ends."""
    with existing(args) as db:
        yield db, actor_of(db, args)


def existing_file(text: str) -> Path:
    """The file a command reads, refused in one sentence when it is not there."""
    path = Path(text)
    if not path.is_file():
        raise SendeskError(f"{path} does not exist.")
    return path


def command(
    sub: Subparsers,
    name: str,
    *,
    handler: Callable[[argparse.Namespace], int],
    db: bool = True,
    user: bool = True,
    **kwargs: Any,
) -> argparse.ArgumentParser:
    """A subcommand with ``--db`` and ``--user`` (unless told not), run by ``handler``."""
    p = sub.add_parser(name, **kwargs)
    if db:
        add_db(p)
    if user:
        add_user(p)
    p.set_defaults(handler=handler)
    return p


def import_file(
    args: argparse.Namespace,
    importer: Callable[..., Any],
    parse_map: Callable[[str], Any],
    **options: Any,
) -> Any:
    """The shape of the MIS imports (pupils, class lists): the person's column map, the
    file (refused if missing), then the import as the signed-in user with progress on a
    terminal; returns the importer's report."""
    mapping = parse_map(args.map) if args.map else None
    path = existing_file(args.file)
    with as_user(args) as (db, actor):
        return importer(
            db,
            actor,
            path,
            mapping=mapping,
            progress=progress_printer("Importing"),
            encoding=args.encoding,
            **options,
        )
