"""The statutory EHC timeline: every date the law sets, and where a case stands against it.

Why this module exists: a school that sends an EHC needs assessment request has no power
over the local authority's clock, but it is the school that parents ask "should we have
heard by now?", and the SENCo who must chase a late decision, prepare advice, call an
annual review or warn that a phase transfer deadline is near. Getting the arithmetic right
once, in one pure place, means the case screen, the what's-due page and ``sendesk
deadlines`` always show the same dates and the same red, amber and green.

Sources: Special Educational Needs and Disability Regulations 2014 (SI 2014/1530, "reg");
Children and Families Act 2014 ("CFA"); SEND Code of Practice 0–25 (2015, "CoP"); the
Tribunal Procedure (First-tier Tribunal) (HESC) Rules 2008 (SI 2008/2699). Each rule below
names its source beside it.

How the dates are counted (one choice each, kept everywhere):

- Weeks are calendar weeks counted from the date the LA *received* the request: "within
  6 weeks of receiving" a request received on a Monday ends on the Monday 6 weeks later
  (received + 42 days). Week 1 of the clock is days 0–6, so the 20-week deadline day itself
  is the first day of week 21 (:func:`clock_text`).
- "At least 15 days, beginning with the day on which the draft plan was served" (reg
  13(1)(a), reg 22(2)(c)) counts the day served as day 1: the last day to comment is the
  served date + 14 days. A plan sent by post is served when it arrives, so a SENCo should
  enter the day it was received if that is later.
- Months follow the corresponding-date rule: the same day of the month N months on, or
  the last day of that month when it has no such day (31 December + 2 months is 28 or 29
  February; 29 February 2028 + 12 months is 28 February 2029).

Deadlines are dates, never times: a step done on its due date is on time ("done"), one day
later is "done late". An open step is green while more than :data:`AMBER_DAYS` days remain,
amber from :data:`AMBER_DAYS` days before its due date up to and including the due date,
red the day after. A recorded exception (:class:`ClockException`) that the regulation
allows for that step turns amber or red into "extended", with its reason in the note.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

from sendesk.rules.dates import add_months, dmy

# --- statutory limits ---------------------------------------------------------------------

DECIDE_TO_ASSESS_WEEKS = 6  # reg 5(1): decision whether to assess, told to the parent
ADVICE_WEEKS = 6  # reg 8: health and social care bodies give their advice
NOTIFY_NO_PLAN_WEEKS = 16  # reg 10(1): decision not to issue a plan, told to the parent
FINAL_PLAN_WEEKS = 20  # reg 13(2): the final plan sent
REPRESENTATION_DAYS = 15  # reg 13(1)(a), reg 22(2)(c): "at least 15 days, beginning with"
SCHOOL_RESPONSE_DAYS = 15  # CoP 9.83: a school consulted under CFA s39/s40 responds
REVIEW_MONTHS = 12  # CFA s44(1): within the 12 months starting with the plan or review
EARLY_YEARS_REVIEW_MONTHS = (3, 6)  # CoP 9.178: consider every 3–6 months for under-5s
REVIEW_NOTICE_WEEKS = 2  # reg 20(3)–(4): invitations and advice, 2 weeks before the meeting
REVIEW_REPORT_WEEKS = 2  # reg 20: report sent within 2 weeks of the meeting
REVIEW_DECISION_WEEKS = 4  # reg 20: keep, amend or cease, within 4 weeks of the meeting
AMENDED_PLAN_WEEKS = 8  # reg 22(3): final amended plan, 8 weeks after the proposal
REASSESSMENT_WEEKS = 14  # reg 27(2): final plan after a re-assessment
APPEAL_MONTHS = 2  # HESC Rules r.20(1)(c)(i): after notice of the decision
AFTER_MEDIATION_MONTHS = 1  # HESC Rules r.20(1)(c)(ii): after the mediation certificate

AMBER_DAYS = 14
"""An open step due within this many days (inclusive) is amber rather than green."""

# --- vocabulary ---------------------------------------------------------------------------

STATUSES: tuple[str, ...] = (
    "done",
    "done late",
    "green",
    "amber",
    "red",
    "extended",
    "not applicable",
)
"""Every status a :class:`Milestone` may have."""

STAGES: tuple[str, ...] = (
    "request sent",
    "decision to assess",
    "assessment and advice",
    "decision to issue",
    "draft plan",
    "final plan issued",
    "refused",
)
"""Where a request stands, as :func:`stage` words it: the furthest step reached.

"request sent": with the LA, no decision yet. "decision to assess": the LA agreed to
assess. "assessment and advice": advice has been asked for. "decision to issue": the LA
agreed to issue a plan, no draft yet. "draft plan": the draft is with the family.
"final plan issued". "refused": the LA declined to assess, or to issue a plan.
"""

EXCEPTION_KINDS: dict[str, str] = {
    "summer_closure": "School or setting closed for 4+ weeks (the summer holiday)",
    "personal_circumstances": "Exceptional personal circumstances",
    "away_from_area": "Child, parent or young person away from the area for 4+ weeks",
    "missed_appointment": "Missed appointment for an examination or test",
}
"""The exceptions the regulations allow to a time limit, and how the screens name them.

- ``summer_closure``: the LA asked a school, college or early years setting for advice in
  the period from one week before it closed for a continuous 4 weeks or more until one
  week before it re-opens (regs 5(4)(a), 10(4)(a)–(b)).
- ``personal_circumstances``: exceptional personal circumstances affect the child, the
  parent or the young person (regs 5(4), 8(2), 10(4)(c)).
- ``away_from_area``: the child, parent or young person is away from the LA's area for a
  continuous 4 weeks or more (regs 5(4), 8(2), 10(4)(d)).
- ``missed_appointment``: the child, parent or young person missed an appointment for an
  examination or test; this excuses the 6 weeks for advice only (reg 8(2)).

Regulation 13(3) applies the exceptions of reg 10(4)(a)–(d) to the 20-week final plan.
"""

_SCHOOL_AND_FAMILY = frozenset({"summer_closure", "personal_circumstances", "away_from_area"})
_ADVICE = frozenset({"personal_circumstances", "away_from_area", "missed_appointment"})

EXCEPTION_APPLIES: dict[str, frozenset[str]] = {
    "decide_to_assess": _SCHOOL_AND_FAMILY,  # reg 5(4)
    "advice": _ADVICE,  # reg 8(2)
    "notify_no_plan": _SCHOOL_AND_FAMILY,  # reg 10(4)
    # The draft and the family's 15 days have no limit of their own: they are dated back
    # from the 20-week final plan, so they share its exceptions (reg 13(3)).
    "draft_plan": _SCHOOL_AND_FAMILY,
    "consultation": _SCHOOL_AND_FAMILY,
    "final_plan": _SCHOOL_AND_FAMILY,  # reg 13(3)
}
"""Which exception kinds excuse which milestone; steps not listed have none."""

MILESTONE_LABELS: dict[str, str] = {
    "decide_to_assess": "Decision whether to assess",
    "advice": "Health and social care advice",
    "notify_no_plan": "Decision not to issue a plan",
    "way_forward": "Way-forward meeting",
    "appeal": "Last day to appeal to the Tribunal",
    "draft_plan": "Draft plan sent",
    "consultation": "Family's 15 days on the draft",
    "final_plan": "Final plan issued",
}
"""Every milestone key :func:`milestones` may return, with the words the screens show."""


# --- data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockException:
    """An exception to a time limit that the LA (or the school, told by it) has recorded.

    ``kind`` is a key of :data:`EXCEPTION_KINDS`; an unknown kind is refused, because only
    the exceptions in the regulations can excuse a late step.
    """

    kind: str
    reason: str
    recorded_on: date

    def __post_init__(self) -> None:
        if self.kind not in EXCEPTION_KINDS:
            kinds = ", ".join(EXCEPTION_KINDS)
            raise ValueError(f"'{self.kind}' is not an exception to a time limit ({kinds})")


@dataclass(frozen=True)
class CaseFacts:
    """Plain facts about one EHC needs assessment request.

    A decision is ``True`` (yes), ``False`` (no) or ``None`` (not made yet); its date may be
    unknown even when the decision is recorded. The fields after ``exceptions`` are
    optional detail: when advice was asked for and arrived, when a way-forward meeting was
    held, the mediation certificate (it can move the appeal deadline) and an appeal.
    """

    received: date
    decided_to_assess: bool | None = None
    decision_to_assess_on: date | None = None
    decided_to_issue: bool | None = None
    decision_to_issue_on: date | None = None
    draft_sent_on: date | None = None
    final_issued_on: date | None = None
    exceptions: tuple[ClockException, ...] = ()
    advice_asked_on: date | None = None
    advice_received_on: date | None = None
    way_forward_on: date | None = None
    mediation_certificate_on: date | None = None
    appeal_lodged_on: date | None = None


@dataclass(frozen=True)
class Milestone:
    """One step of the timeline: when it is due, whether it is done, and how it stands."""

    key: str
    label: str
    due: date
    done_on: date | None
    status: str
    note: str = ""


# --- date arithmetic ----------------------------------------------------------------------


def _weeks(start: date, weeks: int) -> date:
    return start + timedelta(weeks=weeks)


# --- the 20 weeks -------------------------------------------------------------------------


def assessment_deadlines(received: date) -> dict[str, date]:
    """The three limits counted from the day the LA received the request.

    ``decide_to_assess`` (6 weeks, reg 5(1)), ``notify_no_plan`` (16 weeks, reg 10(1)) and
    ``final_plan`` (20 weeks, reg 13(2)).
    """
    return {
        "decide_to_assess": _weeks(received, DECIDE_TO_ASSESS_WEEKS),
        "notify_no_plan": _weeks(received, NOTIFY_NO_PLAN_WEEKS),
        "final_plan": _weeks(received, FINAL_PLAN_WEEKS),
    }


def advice_due(asked_on: date) -> date:
    """Health and social care advice is due 6 weeks after the body was asked (reg 8(1))."""
    return _weeks(asked_on, ADVICE_WEEKS)


def consultation_ends(draft_sent: date) -> date:
    """The last day the family may comment on the draft and name a school or college.

    Reg 13(1)(a) gives "at least 15 days, beginning with the day on which the draft plan
    was served": the day served is day 1, so the last day is 14 days after it.
    """
    return draft_sent + timedelta(days=REPRESENTATION_DAYS - 1)


def school_consultation_ends(consulted_on: date) -> date:
    """The day a school consulted about being named in a plan should have answered by.

    The duty to consult is CFA 2014 s39(2) (s40(3) where the family named no school); the
    15 days come from CoP 9.83 ("should respond within 15 days"), counted from the day the
    school was consulted. The LA may decide without an answer after that.
    """
    return consulted_on + timedelta(days=SCHOOL_RESPONSE_DAYS)


def latest_draft_date(received: date) -> date:
    """The last day a draft can be sent and still leave the family's 15 days before the
    20-week final plan (reg 13(1)–(2)): no limit of its own, the final plan's less 15 days.
    """
    return assessment_deadlines(received)["final_plan"] - timedelta(days=REPRESENTATION_DAYS)


# --- reviews, amendments, re-assessment ----------------------------------------------------


def annual_review_due(plan_or_last_review: date) -> date:
    """The last lawful day of the annual review: the day before the anniversary.

    CFA 2014 s44(1) requires a review "within the period of 12 months starting with" the
    date the plan was made (or last reviewed), and the day it starts is day 1: a plan
    issued on 1 January 2019 must be reviewed by 31 December 2019 (CoP 9.166). A plan made
    on 29 February has no anniversary in a common year; its 12 months end on 28 February.
    The review is complete only with the LA's decision (reg 20, 4 weeks after the
    meeting), which must also fall inside those 12 months (CoP 9.176): the meeting itself
    is due by :func:`review_meeting_by`.
    """
    try:
        anniversary = plan_or_last_review.replace(year=plan_or_last_review.year + 1)
    except ValueError:  # 29 February: its anniversary in a common year is 1 March
        anniversary = date(plan_or_last_review.year + 1, 3, 1)
    return anniversary - timedelta(days=1)


def review_meeting_by(plan_or_last_review: date) -> date:
    """The last day to hold the annual review meeting so that the LA's decision, due within
    4 weeks of it (reg 20), still falls within the 12 months of CFA s44(1): 4 weeks
    before :func:`annual_review_due` (plan 1 January 2019: meeting by 3 December 2019)."""
    return annual_review_due(plan_or_last_review) - timedelta(weeks=REVIEW_DECISION_WEEKS)


def early_years_review_due(last: date) -> tuple[date, date]:
    """For a child under 5 the LA should consider a review every 3 to 6 months (CoP 9.178):
    the earliest and latest of that window, counted from the last review (or the plan).
    """
    soon, late = EARLY_YEARS_REVIEW_MONTHS
    return add_months(last, soon), add_months(last, late)


def review_invitations_by(meeting: date) -> date:
    """Invitations, and the advice gathered, go out at least 2 weeks before the review
    meeting (reg 20(3)–(4))."""
    return meeting - timedelta(weeks=REVIEW_NOTICE_WEEKS)


def review_report_due(meeting: date) -> date:
    """The review report goes to the LA and everyone invited within 2 weeks (reg 20)."""
    return _weeks(meeting, REVIEW_REPORT_WEEKS)


def la_review_decision_due(meeting: date) -> date:
    """The LA tells the family it will keep, amend or cease the plan within 4 weeks of the
    review meeting (reg 20); when it amends, the proposed amendments come with it."""
    return _weeks(meeting, REVIEW_DECISION_WEEKS)


def amendment_response_ends(proposed_on: date) -> date:
    """The last day to respond to proposed amendments: at least 15 days, beginning with the
    day the notice was served (reg 22(2)(c)), so 14 days after it."""
    return proposed_on + timedelta(days=REPRESENTATION_DAYS - 1)


def amended_plan_due(proposed_on: date) -> date:
    """The final amended plan is due 8 weeks after the proposed amendments were sent
    (reg 22(3))."""
    return _weeks(proposed_on, AMENDED_PLAN_WEEKS)


def reassessment_final_plan_due(notified_on: date) -> date:
    """After a re-assessment the final plan is due within 14 weeks (reg 27(2)).

    The clock runs from the LA's notice that it will re-assess (reg 25(1)) or its own
    decision to re-assess (CFA s44(3)), not from the school's or family's request.
    """
    return _weeks(notified_on, REASSESSMENT_WEEKS)


# --- phase transfer -----------------------------------------------------------------------

NO_TRANSFER = "own_sixth_form"
"""The kind that records a pupil staying on: no transfer between phases, no deadline."""

TRANSFER_KINDS: dict[str, str] = {
    "school_phase": "A move between school phases (nursery to Reception, infant to junior, "
    "primary to secondary, middle school)",
    "secondary_to_post16": "From secondary school to a post-16 institution (a sixth-form or "
    "FE college)",
    "post16_to_post16": "From one post-16 institution to another",
    NO_TRANSFER: "Staying on in the school's own sixth form (no transfer)",
}
"""The phase transfers a plan may record (``EhcPlan.transfer_kind``), and their names.

Reg 2(1) defines a transfer between phases: early years to school, infant to junior,
primary to middle or secondary, middle to secondary, and secondary school to a post-16
institution. A Year 11 pupil staying on in the school's own sixth form does not change
institution, so there is no transfer and no reg 18 deadline ("own_sixth_form"). An empty
kind means no transfer is recorded: SENDesk no longer guesses one from the year group.
"""

POST16_MONTHS = 5  # reg 18: post-16 to post-16, at least 5 months before the move


def phase_transfer_deadline(transfer_year: int, to_post16: bool = False) -> date:
    """The last day to review and amend the plan for a move in ``transfer_year``.

    Reg 18(1) says "before 15th February in the calendar year of the transfer", or "before
    31st March" for a move from secondary school to a post-16 institution. "Before" leaves
    the date itself out, so SENDesk shows the last lawful day: 14 February, or 30 March.
    """
    if to_post16:
        return date(transfer_year, 3, 30)
    return date(transfer_year, 2, 14)


def transfer_deadline(kind: str, moves_on: date | None) -> date | None:
    """The reg 18 deadline for a recorded transfer of ``kind`` on ``moves_on``, or None.

    - "school_phase": before 15 February of the year of the move (reg 18(1)): 14 Feb.
    - "secondary_to_post16": before 31 March of that year (reg 18(1)): 30 March.
    - "post16_to_post16": at least 5 months before the move (reg 18).
    - "own_sixth_form", or no kind recorded (""): no transfer, so no deadline.

    None also when the move's date is not known. An unknown kind is a programming error.
    """
    if kind not in TRANSFER_KINDS and kind != "":
        raise ValueError(f"'{kind}' is not a kind of phase transfer")
    if kind in ("", NO_TRANSFER) or moves_on is None:
        return None
    if kind == "post16_to_post16":
        return add_months(moves_on, -POST16_MONTHS)
    return phase_transfer_deadline(moves_on.year, to_post16=kind == "secondary_to_post16")


def transfer_source(kind: str) -> str:
    """The regulation a transfer's deadline comes from, as the screens cite it."""
    return "reg 18" if kind == "post16_to_post16" else "reg 18(1)"


# --- compulsory school age ----------------------------------------------------------------


def _last_friday_of_june(year: int) -> date:
    last = date(year, 6, 30)
    return last - timedelta(days=(last.weekday() - 4) % 7)


def end_of_compulsory_school_age(date_of_birth: date) -> date:
    """The day compulsory school age ends: the last Friday of June of the school year
    (1 September to 31 August) in which the pupil turns 16.

    Education Act 1996 s8(3)–(4) and the Education (School Leaving Date) Order 1997: a pupil
    born 1 September 2010 turns 16 in the school year 2026/27 and is of compulsory school
    age until Friday 25 June 2027; one born 31 August 2010 turns 16 in 2025/26 and leaves
    on Friday 26 June 2026, before the birthday.
    """
    turns_16 = date_of_birth.year + 16
    # The school year of the 16th birthday ends in August of the calendar year it is in,
    # or of the next year for a September–December birthday (29 February: still February).
    return _last_friday_of_june(turns_16 + (1 if date_of_birth.month >= 9 else 0))


def is_young_person(date_of_birth: date, on: date) -> bool:
    """Whether the pupil is a "young person" on ``on``: over compulsory school age (CFA
    2014 s83(2)), that is after the end of :func:`end_of_compulsory_school_age` (s8(3): at
    the end of that Friday). From then the request, consent and views are theirs (CFA
    s36(1), s19; CoP 8.13), not on the 16th birthday."""
    return on > end_of_compulsory_school_age(date_of_birth)


# --- appeal -------------------------------------------------------------------------------


def appeal_deadline(decision_on: date, mediation_certificate_on: date | None = None) -> date:
    """The last day to appeal to the First-tier Tribunal (SEND) against a decision.

    2 months after written notice of the decision was sent or, if later, 1 month after the
    mediation certificate was issued (HESC Rules 2008 r.20(1)(c)). ``decision_on`` is the
    date the decision letter was sent.
    """
    deadline = add_months(decision_on, APPEAL_MONTHS)
    if mediation_certificate_on is not None:
        deadline = max(deadline, add_months(mediation_certificate_on, AFTER_MEDIATION_MONTHS))
    return deadline


# --- the clock ----------------------------------------------------------------------------


def week_of(received: date, today: date) -> int:
    """Which week of the clock ``today`` falls in: week 1 is days 0–6 after receipt.

    A date before the request was received gives 0.
    """
    days = (today - received).days
    return 0 if days < 0 else days // 7 + 1


def clock_text(received: date, today: date, limit_weeks: int = FINAL_PLAN_WEEKS) -> str:
    """The clock in words, e.g. "week 3 of 20"; a late LA shows as "week 23 of 20".

    The deadline day (received + ``limit_weeks`` weeks) is the first day of the week after
    the limit: on it the clock reads "week 21 of 20" while the step is still on time.
    """
    return f"week {week_of(received, today)} of {limit_weeks}"


def rag(due: date, today: date, done_on: date | None = None, extended: bool = False) -> str:
    """The status of one step due on ``due``, as seen on ``today``.

    Done on or before the due date: "done"; after it: "done late". Open: "green" with more
    than :data:`AMBER_DAYS` days to go, "amber" from then until the due date itself, "red"
    from the day after. ``extended`` (an exception applies) turns amber or red into
    "extended"; green stays green.
    """
    if done_on is not None:
        return "done" if done_on <= due else "done late"
    days_left = (due - today).days
    if days_left > AMBER_DAYS:
        return "green"
    status = "amber" if days_left >= 0 else "red"
    return "extended" if extended else status


# --- where a case stands ------------------------------------------------------------------


def _issuing(facts: CaseFacts) -> bool | None:
    """The decision to issue, read from the later steps when it was not recorded."""
    if facts.decided_to_issue is not None:
        return facts.decided_to_issue
    if facts.draft_sent_on is not None or facts.final_issued_on is not None:
        return True
    return None


def stage(facts: CaseFacts) -> str:
    """The furthest step the request has reached, in the words of :data:`STAGES`."""
    if facts.final_issued_on is not None:
        return "final plan issued"
    if facts.decided_to_assess is False:
        return "refused"
    issuing = _issuing(facts)
    if facts.decided_to_assess is True and issuing is False:
        return "refused"
    if facts.draft_sent_on is not None:
        return "draft plan"
    if issuing:
        return "decision to issue"
    if facts.decided_to_assess is True:
        return "assessment and advice" if facts.advice_asked_on else "decision to assess"
    return "request sent"


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _exception_note(exceptions: Iterable[ClockException]) -> str:
    return "; ".join(
        f"{EXCEPTION_KINDS[e.kind]}: {e.reason.strip()}"
        if e.reason.strip()
        else EXCEPTION_KINDS[e.kind]
        for e in exceptions
    )


def _step(
    key: str,
    due: date,
    today: date,
    exceptions: Sequence[ClockException],
    *,
    done_on: date | None = None,
    done: bool | None = None,
    note: str = "",
) -> Milestone:
    """A statutory step: done (on time or late), or open and green/amber/red/extended.

    It is done when ``done_on`` is recorded, unless ``done`` says otherwise (a decision
    known to be made without its date, or an earlier step passed over by a later one)."""
    if done is None:
        done = done_on is not None
    applies = EXCEPTION_APPLIES.get(key, frozenset())
    excuses = [e for e in exceptions if e.kind in applies and e.recorded_on <= today]
    label = MILESTONE_LABELS[key]
    if done:
        if done_on is None:
            return Milestone(key, label, due, None, "done", _join(note, "date not recorded"))
        status = rag(due, today, done_on)
        if status == "done late" and excuses:
            note = _join(note, "exception: " + _exception_note(excuses))
        return Milestone(key, label, due, done_on, status, note)
    status = rag(due, today, extended=bool(excuses))
    if excuses:
        prefix = "extended" if status == "extended" else "exception recorded"
        note = _join(f"{prefix}: {_exception_note(excuses)}", note)
    return Milestone(key, label, due, None, status, note)


def _right(key: str, due: date, today: date, done_on: date | None, note: str) -> Milestone:
    """A step the family may take (a way-forward meeting, an appeal), not a duty of the LA:
    it is never red. Once the window has closed with nothing recorded it no longer applies.
    """
    label = MILESTONE_LABELS[key]
    if done_on is not None:
        return Milestone(key, label, due, done_on, rag(due, today, done_on), note)
    status = rag(due, today)
    if status == "red":
        closed = f"nothing recorded by {dmy(due)}"
        return Milestone(key, label, due, None, "not applicable", _join(note, closed))
    return Milestone(key, label, due, None, status, note)


def _not_applicable(key: str, due: date, why: str) -> Milestone:
    return Milestone(key, MILESTONE_LABELS[key], due, None, "not applicable", why)


def _refusal_steps(
    facts: CaseFacts, today: date, decided_on: date | None, fallback: date, what: str
) -> list[Milestone]:
    """After a refusal (to assess, or to issue): a way-forward meeting and the appeal."""
    sent = decided_on or fallback
    counted = "" if decided_on else "decision date not recorded: counted from the deadline"
    deadline = appeal_deadline(sent, facts.mediation_certificate_on)
    mediation = (
        f"mediation certificate {dmy(facts.mediation_certificate_on)}"
        if facts.mediation_certificate_on
        else "mediation advice first (a certificate can move the deadline)"
    )
    return [
        _right(
            "way_forward",
            deadline,
            today,
            facts.way_forward_on,
            _join(
                "no statutory limit: offered with the decision, best held before the "
                "appeal deadline",
                counted,
            ),
        ),
        _right(
            "appeal",
            deadline,
            today,
            facts.appeal_lodged_on,
            _join(f"against the decision not to {what}", mediation, counted),
        ),
    ]


def milestones(facts: CaseFacts, today: date) -> list[Milestone]:
    """Every step of the request in order, with its due date and status on ``today``.

    The decisions decide the path (reg 5, 10, 13):

    - Not yet decided: the decision to assess is open, and the later steps show the dates
      they would have if the LA agrees ("notify_no_plan" only matters if it then refuses).
    - Refused to assess: the 20-week clock stops. A way-forward meeting and the appeal
      follow the decision; advice, the plan and its steps are "not applicable".
    - Assessed, refused to issue: the refusal is due by week 16 ("notify_no_plan"); a
      way-forward meeting and the appeal follow; the plan steps are "not applicable".
    - Assessed, issuing: the draft, the family's 15 days and the final plan by week 20;
      once the final plan is out, the family's appeal against its contents.

    The draft and the 15 days have no limit of their own: they are dated back from the
    final plan (:func:`latest_draft_date`), so a late draft shows before a late plan does.
    """
    deadlines = assessment_deadlines(facts.received)
    # Every statutory step is judged on the same day against the same recorded exceptions.
    step = partial(_step, today=today, exceptions=facts.exceptions)
    result: list[Milestone] = [
        step(
            "decide_to_assess",
            deadlines["decide_to_assess"],
            done=facts.decided_to_assess is not None,
            done_on=facts.decision_to_assess_on,
        )
    ]

    if facts.advice_asked_on is not None:
        advice_date, advice_note = advice_due(facts.advice_asked_on), ""
    elif facts.decision_to_assess_on is not None:
        advice_date = advice_due(facts.decision_to_assess_on)
        advice_note = (
            "counted from the decision to assess: the date advice was asked is not recorded"
        )
    else:
        advice_date = advice_due(deadlines["decide_to_assess"])
        advice_note = "projected from the deadline for the decision to assess"
    draft_due = latest_draft_date(facts.received)
    projected_consultation = consultation_ends(draft_due)

    if facts.decided_to_assess is False:
        why = "the LA decided not to assess" + (
            f" on {dmy(facts.decision_to_assess_on)}" if facts.decision_to_assess_on else ""
        )
        result += _refusal_steps(
            facts, today, facts.decision_to_assess_on, deadlines["decide_to_assess"], "assess"
        )
        result += [
            _not_applicable("advice", advice_date, why),
            _not_applicable("notify_no_plan", deadlines["notify_no_plan"], why),
            _not_applicable("draft_plan", draft_due, why),
            _not_applicable("consultation", projected_consultation, why),
            _not_applicable("final_plan", deadlines["final_plan"], why),
        ]
        return result

    issuing = _issuing(facts) if facts.decided_to_assess else None
    advice_done = facts.advice_received_on is not None or issuing is not None
    result.append(
        step(
            "advice",
            advice_date,
            done=advice_done,
            done_on=facts.advice_received_on,
            note=advice_note,
        )
    )

    if issuing is False:
        why = "the LA decided not to issue a plan" + (
            f" on {dmy(facts.decision_to_issue_on)}" if facts.decision_to_issue_on else ""
        )
        result.append(
            step(
                "notify_no_plan",
                deadlines["notify_no_plan"],
                done=True,
                done_on=facts.decision_to_issue_on,
            )
        )
        result += _refusal_steps(
            facts,
            today,
            facts.decision_to_issue_on,
            deadlines["notify_no_plan"],
            "issue a plan",
        )
        result += [
            _not_applicable("draft_plan", draft_due, why),
            _not_applicable("consultation", projected_consultation, why),
            _not_applicable("final_plan", deadlines["final_plan"], why),
        ]
        return result

    if issuing:
        result.append(
            _not_applicable(
                "notify_no_plan", deadlines["notify_no_plan"], "the LA decided to issue a plan"
            )
        )
    else:
        result.append(
            step(
                "notify_no_plan",
                deadlines["notify_no_plan"],
                note="only if the LA decides not to issue a plan",
            )
        )

    result.append(
        step(
            "draft_plan",
            draft_due,
            done_on=facts.draft_sent_on,
            note="no limit of its own: the latest date that leaves 15 days before week 20",
        )
    )
    result.append(_consultation(facts, today, projected_consultation))
    result.append(step("final_plan", deadlines["final_plan"], done_on=facts.final_issued_on))
    if facts.final_issued_on is not None:
        result.append(
            _right(
                "appeal",
                appeal_deadline(facts.final_issued_on, facts.mediation_certificate_on),
                today,
                facts.appeal_lodged_on,
                "against the plan's description of needs, provision or school (B, F, I)",
            )
        )
    return result


def _consultation(facts: CaseFacts, today: date, projected: date) -> Milestone:
    """The family's 15 days: dated from the draft once sent (and over when they are over),
    or projected from the latest draft date until then."""
    key = "consultation"
    if facts.draft_sent_on is None:
        return _step(key, projected, today, facts.exceptions, note="projected: no draft yet")
    ends = consultation_ends(facts.draft_sent_on)
    label = MILESTONE_LABELS[key]
    note = f"comments and a named school or college by {dmy(ends)}"
    final = facts.final_issued_on
    if final is not None and final <= ends:
        cut = "the final plan was issued before the 15 days ended"
        return Milestone(key, label, ends, final, "done", _join(note, cut))
    if today > ends or final is not None:
        return Milestone(key, label, ends, ends, "done", note)
    return Milestone(key, label, ends, None, rag(ends, today), note)


__all__ = [
    "ADVICE_WEEKS",
    "AFTER_MEDIATION_MONTHS",
    "AMBER_DAYS",
    "AMENDED_PLAN_WEEKS",
    "APPEAL_MONTHS",
    "DECIDE_TO_ASSESS_WEEKS",
    "EARLY_YEARS_REVIEW_MONTHS",
    "EXCEPTION_APPLIES",
    "EXCEPTION_KINDS",
    "FINAL_PLAN_WEEKS",
    "MILESTONE_LABELS",
    "NOTIFY_NO_PLAN_WEEKS",
    "NO_TRANSFER",
    "POST16_MONTHS",
    "REASSESSMENT_WEEKS",
    "REPRESENTATION_DAYS",
    "REVIEW_DECISION_WEEKS",
    "REVIEW_MONTHS",
    "REVIEW_NOTICE_WEEKS",
    "REVIEW_REPORT_WEEKS",
    "SCHOOL_RESPONSE_DAYS",
    "STAGES",
    "STATUSES",
    "TRANSFER_KINDS",
    "CaseFacts",
    "ClockException",
    "Milestone",
    "add_months",
    "advice_due",
    "amended_plan_due",
    "amendment_response_ends",
    "annual_review_due",
    "appeal_deadline",
    "assessment_deadlines",
    "clock_text",
    "consultation_ends",
    "early_years_review_due",
    "end_of_compulsory_school_age",
    "is_young_person",
    "la_review_decision_due",
    "latest_draft_date",
    "milestones",
    "phase_transfer_deadline",
    "rag",
    "reassessment_final_plan_due",
    "review_invitations_by",
    "review_meeting_by",
    "review_report_due",
    "school_consultation_ends",
    "stage",
    "transfer_deadline",
    "transfer_source",
    "week_of",
]
