"""The school's JCQ settings: which edition of the regulations applies, how long
evidence stays current and approvals last, and the next exam season.

Why settings: JCQ publishes a new edition each year and schools differ in how long they
keep evidence, so the numbers are the school's to set, with the JCQ defaults.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from sendesk.db import Database
from sendesk.errors import ValidationError
from sendesk.rules import jcq
from sendesk.services.access.records import (
    APPROVAL_MONTHS_SETTING,
    CURRENT_EVIDENCE_DAYS,
    EDITION_ENDS_SETTING,
    EDITION_NAME_SETTING,
    EDITION_STARTS_SETTING,
    EVIDENCE_DAYS_SETTING,
    SUMMER_SERIES,
    check_date,
)
from sendesk.services.actor import Actor
from sendesk.services.permissions import Action, permit
from sendesk.services.school.settings import parse_date, parse_int, read_setting, write_setting
from sendesk.services.staff.teaching_groups import squash
from sendesk.services.store.audit import AuditWriter


def approval_months(session: Session) -> int:
    """How many months an approval lasts: the setting, else ``jcq.APPROVAL_MONTHS``."""
    months = parse_int(read_setting(session, APPROVAL_MONTHS_SETTING), jcq.APPROVAL_MONTHS)
    return months if months >= 1 else jcq.APPROVAL_MONTHS


def evidence_days(session: Session) -> int:
    """How many days NWW evidence counts as current: the setting, else 365."""
    days = parse_int(read_setting(session, EVIDENCE_DAYS_SETTING), CURRENT_EVIDENCE_DAYS)
    return days if days >= 1 else CURRENT_EVIDENCE_DAYS


def edition(session: Session) -> jcq.Edition:
    """The AARA edition the school says is in force: its settings, else 2025–26."""
    default = jcq.EDITION_2025_26
    name = (read_setting(session, EDITION_NAME_SETTING) or "").strip() or default.name
    starts = parse_date(read_setting(session, EDITION_STARTS_SETTING), default.starts)
    ends = parse_date(read_setting(session, EDITION_ENDS_SETTING), default.ends)
    assert starts is not None and ends is not None
    return jcq.Edition(name, starts, ends)


def access_notice(db: Database, actor: Actor, *, today: date | None = None) -> str | None:
    """A plain warning when today is outside the edition's dates (None otherwise): the
    rules still apply; the SENCo is asked to check JCQ's current edition."""
    permit(actor, Action.VIEW_ACCESS_ARRANGEMENTS)
    with db.session() as s:
        found = edition(s)
    return jcq.edition_notice(today or date.today(), found)


def current_edition(db: Database, actor: Actor) -> jcq.Edition:
    """The AARA edition the school's settings name (2025–26 by default)."""
    permit(actor, Action.VIEW_ACCESS_ARRANGEMENTS)
    with db.session() as s:
        return edition(s)


EDITION_NAME_MAX = 120


def set_edition(db: Database, actor: Actor, found: jcq.Edition) -> None:
    """The SENCo records the AARA edition in force and its dates (e.g. JCQ keeps 2025–26
    for 2026–27: move the end date on). One transaction, an audit event per changed key."""
    permit(actor, Action.CHANGE_SETTINGS)
    name = squash(found.name or "")
    if not name:
        raise ValidationError("The edition's name is missing.")
    if len(name) > EDITION_NAME_MAX:
        raise ValidationError(f"The edition's name is longer than {EDITION_NAME_MAX} characters.")
    check_date("edition's start date", found.starts)
    check_date("edition's end date", found.ends)
    if found.ends < found.starts:
        raise ValidationError("The edition's end date must be on or after its start date.")
    values = {
        EDITION_NAME_SETTING: name,
        EDITION_STARTS_SETTING: found.starts.isoformat(),
        EDITION_ENDS_SETTING: found.ends.isoformat(),
    }
    with db.transaction() as s:
        audit = AuditWriter(s, actor)
        for key, value in values.items():
            write_setting(s, audit, key, value)


def next_exam_season(today: date) -> date:
    """The first day of the next summer series (1 May), or of this one while it runs."""
    month, day = SUMMER_SERIES
    start = date(today.year, month, day)
    return start if today.month < 7 else date(today.year + 1, month, day)
