"""Who is in the EHC story and the dates it keeps to: the LAs, the timings the demo's
cases follow, the pupils (with the sections of their plans drawn from their needs) and
the cases whose evidence is written last."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from sendesk.demo.tables import load, tuples
from sendesk.models import (
    NeedProfile,
    Pupil,
    RegisterEntry,
)
from sendesk.rules.census import Area, area_of
from sendesk.services.evidence.agencies import InvolvementData
from sendesk.services.evidence.past_agencies import PastDocument
from sendesk.services.store.audit import AuditWriter

_TABLES = load("ehc")
"""The EHC history's text tables: ``resources/demo/ehc.json``."""

NEIGHBOUR_LA = "Bedford Borough"
CASEWORKERS = tuples(_TABLES["CASEWORKERS"])
HEAD_TEACHER = "Mrs Helen Ward"
"""The demo school's head teacher (School details), who signs its requests off."""
SIGNED_OFF_BY = (HEAD_TEACHER, "Head teacher")
"""Who signs the demo school's requests off, as the LA's form asks (name, role)."""
ASPIRATIONS = tuples(_TABLES["ASPIRATIONS"])
"""What is important to the pupil and their hopes for the future (LA forms ask for it)."""
POST16_DESTINATIONS = tuples(_TABLES["POST16_DESTINATIONS"])
"""Where the demo's Year 11 pupils with plans move on to (the school has no sixth form)."""
REVIEWS_KEPT = 6  # Years 7–11 and the transfer review from primary
MAX_YEARS_BACK = 8
REQUEST_AFTER_CYCLES = 2  # reviewed support plans before a demo school asks for an assessment
ADVICE_ASKED_AFTER = timedelta(days=2)  # the LA writes to health and social care
ADVICE_TAKES = timedelta(weeks=5)  # inside the 6 weeks of reg 8
AMENDED_PLAN_TAKES = timedelta(weeks=6)  # inside the 8 weeks of reg 22
_DAY = timedelta(days=1)
_WEEK = timedelta(weeks=1)

# What each area of need looks like in a plan's sections E (outcome) and F (provision).
AREA_PLAN: dict[Area, tuple[str, str]] = {
    Area(k): v for k, v in tuples(_TABLES["AREA_PLAN"]).items()
}
GENERIC_PLAN = tuples(_TABLES["GENERIC_PLAN"])

REVIEW_SUMMARIES = tuples(_TABLES["REVIEW_SUMMARIES"])
PUPIL_VIEWS = tuples(_TABLES["PUPIL_VIEWS"])
PARENT_VIEWS = tuples(_TABLES["PARENT_VIEWS"])
WHY_NOW = tuples(_TABLES["WHY_NOW"])
HEALTH = tuples(_TABLES["HEALTH"])
SOCIAL_CARE = tuples(_TABLES["SOCIAL_CARE"])

OLD_REPORT_STAGES = frozenset({"preparing", "refused to assess", "LA late"})
"""Open requests whose specialist report is a few months past their LA's limit, so the
readiness check has an out-of-date report to flag: the SENCo preparing a request now, a
refusal that asks for fresh advice, and the request on the screenshots."""


@dataclass
class _Pupil:
    row: Pupil
    needs: tuple[str, ...]
    since: date  # the day the current E (or K) spell began
    reason: str
    profiles: dict[str, str]

    @property
    def name(self) -> str:
        return self.row.preferred_forename or self.row.legal_forename

    def words(self) -> dict[str, str]:
        he, him, his = {"F": ("she", "her", "her"), "M": ("he", "him", "his")}.get(
            self.row.gender or "", ("they", "them", "their")
        )
        year = (self.row.year_group or 7) + 1
        return {"name": self.name, "he": he, "him": him, "his": his, "year": str(year)}


def _fill(text: str, pupil: _Pupil) -> str:
    return text.format(**pupil.words())


def _weekday_on_or_before(day: date) -> date:
    while day.weekday() >= 5:
        day -= _DAY
    return day


def _weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += _DAY
    return day


def _load(
    session: Session, pupils: list[tuple[int, str, tuple[str, ...], date | None]], provision: str
) -> list[_Pupil]:
    ids = [pid for pid, status, _, _ in pupils if status == provision]
    if not ids:
        return []
    needs = {pid: n for pid, status, n, _ in pupils if status == provision}
    rows = {p.id: p for p in session.scalars(select(Pupil).where(Pupil.id.in_(ids)))}
    since: dict[int, tuple[date, str]] = {}
    for pid, start, reason in session.execute(
        select(RegisterEntry.pupil_id, RegisterEntry.start_date, RegisterEntry.reason).where(
            RegisterEntry.pupil_id.in_(ids), RegisterEntry.end_date.is_(None)
        )
    ):
        since[pid] = (start, reason or "")
    profiles: dict[int, dict[str, str]] = defaultdict(dict)
    for pid, area, difficulties in session.execute(
        select(NeedProfile.pupil_id, NeedProfile.area, NeedProfile.difficulties).where(
            NeedProfile.pupil_id.in_(ids)
        )
    ):
        if (difficulties or "").strip():
            profiles[pid][area] = difficulties.strip()
    return [
        _Pupil(rows[pid], needs[pid], since[pid][0], since[pid][1], profiles[pid])
        for pid in sorted(ids)
        if pid in rows and pid in since and rows[pid].leaving_date is None
    ]


def _areas(pupil: _Pupil) -> list[Area]:
    found: list[Area] = []
    for code in pupil.needs:
        area = area_of(code)
        if area is not None and area not in found:
            found.append(area)
    return found


@dataclass(frozen=True)
class _Case:
    """A pupil whose EHC case needs its evidence: ``anchor`` is the day a request was sent
    (today while it is being prepared) or the day a plan was issued; ``la`` the LA whose
    report limit applies."""

    pupil: _Pupil
    kind: str  # "request" or "plan"
    anchor: date
    la: str
    old_report: bool


@dataclass(frozen=True)
class _Run:
    """What each part of the EHC history writes with: the caller's session and audit
    writer, the school's name and LA, the day it is anchored on, and the cases whose
    evidence is written last (plans and open requests each add theirs)."""

    session: Session
    audit: AuditWriter
    school: str
    la_name: str
    today: date
    cases: list[_Case]


@dataclass(frozen=True)
class _Planned:
    """One evidence document to write, and the involvement it belongs to (None: a work
    sample; an id: an involvement already there; an InvolvementData: a new one)."""

    pupil_id: int
    involvement: int | InvolvementData | None
    document: PastDocument
