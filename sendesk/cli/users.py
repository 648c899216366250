"""``sendesk users``: the SENCo lists, adds, changes roles, disables, enables and resets
passwords; anyone changes their own password.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sendesk.cli.shell import (
    Subparsers,
    add_db,
    add_user,
    as_user,
    command,
    existing,
    first_password,
    new_password,
    password_of,
)
from sendesk.roles import Role

if TYPE_CHECKING:
    from sendesk.services.staff.users import UserSummary


def cmd_users(args: argparse.Namespace) -> int:
    """Staff accounts on the command line (issue 13): the SENCo lists, adds, changes
    roles, disables, enables and resets passwords; anyone changes their own password."""
    from sendesk.roles import ROLE_LABELS
    from sendesk.services.staff import users

    if args.action == "add":
        with as_user(args) as (db, actor):
            role = users.role_named(args.role)
            password = new_password(f"Choose a first password for {args.username}")
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
    with as_user(args) as (db, actor):
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

    with existing(args) as db:
        if not users.any_senco_password(db):
            password = new_password(f"Choose a password for {args.username}")
            users.set_first_password(db, args.username, password)
            print(f"{args.username} can now sign in with the new password.")
            return 0
        name = args.user or os.environ.get("SENDESK_USER") or users.default_username(db)
        actor = users.sign_in(db, name, password_of(name))
        own = actor.username == args.username
        if not own and actor.must_change_password:
            raise first_password(name)
        password = new_password(
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


_ROLE_CHOICES = ", ".join(Role)


def add_users(sub: Subparsers) -> None:
    """``sendesk users``."""
    p = command(
        sub,
        "users",
        help="staff accounts: list, add, set-role, disable, enable, reset-password",
        description="Manage SENDesk staff accounts (the SENCo). New passwords come from "
        "SENDESK_NEW_PASSWORD or a prompt; the signing-in user's from SENDESK_PASSWORD or a "
        "prompt. A password the SENCo sets is a first password: its owner chooses their own "
        "at their next sign-in ('users reset-password --user ME ME' on the command line).",
        handler=cmd_users,
        db=False,
        user=False,
    )
    users = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    u = users.add_parser("list", help="every account")
    add_db(u)
    add_user(u)
    u = users.add_parser("add", help="add an account with a first password")
    add_db(u)
    add_user(u)
    u.add_argument("username", metavar="USERNAME")
    u.add_argument("--role", required=True, help=f"one of: {_ROLE_CHOICES}")
    u.add_argument("--name", required=True, help="the person's full name")
    u.add_argument("--staff-code", help="a teacher's MIS staff code (links their classes)")
    u = users.add_parser("set-role", help="change an account's role")
    add_db(u)
    add_user(u)
    u.add_argument("username", metavar="USERNAME")
    u.add_argument("role", metavar="ROLE", help=f"one of: {_ROLE_CHOICES}")
    for action, words in (
        ("disable", "stop an account signing in (its history stays)"),
        ("enable", "let a disabled account sign in again"),
        ("reset-password", "give an account a first password, or change your own"),
    ):
        u = users.add_parser(action, help=words)
        add_db(u)
        add_user(u)
        u.add_argument("username", metavar="USERNAME")
