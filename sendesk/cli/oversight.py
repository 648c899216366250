"""Oversight commands: ``deadlines`` (what's due) and ``audit`` (the audit trail)."""

from __future__ import annotations

import argparse

from sendesk.cli.shell import Subparsers, as_user, command, date_arg, existing, signed_in
from sendesk.db import Database
from sendesk.errors import SendeskError
from sendesk.services.actor import Actor


def cmd_deadlines(args: argparse.Namespace) -> int:
    from sendesk.services.due import due_items

    if not 0 <= args.days <= 366:
        raise SendeskError("--days must be between 0 and 366.")
    with as_user(args) as (db, actor):
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

    since = date_arg(args.since, "--since") if args.since else None
    with existing(args) as db:
        # --user filters here; the command signs in as $SENDESK_USER or the only SENCo
        actor = signed_in(db, None)
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


def _access_notice(db: Database, actor: Actor, kinds: set[str]) -> str | None:
    """The AARA edition's warning (past its dates: the rules still apply) when the list has
    access-arrangement lines (``kinds`` of its items), else None."""
    from sendesk.services.access.edition import access_notice

    return access_notice(db, actor) if any("access" in k for k in kinds) else None


def add_deadlines(sub: Subparsers) -> None:
    """``sendesk deadlines``."""
    p = command(
        sub,
        "deadlines",
        help="due and overdue statutory, review and access-arrangement dates",
        description="List every dated item of the app's \"what's due\" page, soonest first: "
        "EHC request milestones, annual reviews and their paperwork, support-plan reviews, "
        "access arrangements expiring. One line each: date, status, pupil, what.",
        handler=cmd_deadlines,
    )
    p.add_argument("--days", type=int, default=28, help="look this many days ahead (default 28)")


def add_audit(sub: Subparsers) -> None:
    """``sendesk audit``."""
    p = command(
        sub,
        "audit",
        help="the audit trail: who did what, when, and the chain's length and newest hash",
        description="List audit events oldest first (time, user, action, what), filtered "
        "by pupil, user and date, then the whole chain's length and newest hash: note them "
        "down, and 'sendesk verify' will tell if events are later removed or rewritten. "
        "SENCo only.",
        handler=cmd_audit,
        user=False,
    )
    # Here --user filters (the contract); the command acts as the SENCo.
    p.add_argument("--upn", help="only events about this pupil")
    p.add_argument("--user", dest="by", metavar="NAME", help="only events by this SENDesk user")
    p.add_argument("--since", metavar="YYYY-MM-DD", help="only events on or after this date")
