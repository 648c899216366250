"""Recording an issued EHC plan, its annual reviews, and its end.

Why these dialogs: once the LA issues a plan the school's job changes from gathering
evidence to delivering what section F promises and reviewing it every year. The school
does not keep the LA's document here (that is an evidence file); it keeps a summary it can
act on: the setting named, the needs (section B), the outcomes (section E) and the
provision (section F) in its own words, the hours a week and the top-up funding, so the
provision map and the annual review can be checked against them. A review records the
meeting, the paperwork's dates (invitations 2 weeks before, the report within 2 weeks
after) and the LA's decision, so "what's due" can chase what is missing.

Each dialog saves through :mod:`sendesk.services.ehc.plans` and stays open with everything
typed when the service refuses (one sentence says why); a conflict closes it so the tab
can show what is stored now. Money is typed in pounds and kept in pence.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from sendesk.rules.dates import dmy
from sendesk.rules.timeline import (
    NO_TRANSFER,
    TRANSFER_KINDS,
    transfer_deadline,
    transfer_source,
)
from sendesk.services.ehc.plans import cease_plan, record_plan, update_plan
from sendesk.services.ehc.records import (
    RECOMMENDATIONS,
    PlanData,
    PlanItem,
    RequestItem,
    ReviewData,
    ReviewItem,
)
from sendesk.services.ehc.reviews import record_review, update_review
from sendesk.ui.context import AppContext
from sendesk.ui.ehc.ehc_request_dialog import EhcEntryDialog, EhcRecordDialog, la_combo
from sendesk.ui.ehc.la_profiles_dialog import pence_to_pounds, pounds_to_pence
from sendesk.ui.kit.dates import date_edit, from_qdate, to_qdate
from sendesk.ui.kit.field_widgets import (
    choice,
    labelled,
    line_edit,
    named_ok,
    on_change,
    text_row,
    typed_choice,
)
from sendesk.ui.kit.forms import form_row, note, text_box
from sendesk.ui.ops import Changes

SETTING_MAX = 200
HOURS_MAX = 60.0  # a school week is about 32.5 hours; more is a typing slip
TOP_UP_MAX = 500_000.0  # pounds a year

RECOMMENDATION_LABELS: dict[str, str] = {
    "keep": "Keep the plan as it is",
    "amend": "Amend the plan",
    "cease": "Cease the plan",
}
LA_DECISION_LABELS: dict[str, str] = {
    "keep": "Keep the plan as it is",
    "amend": "Amend the plan",
    "cease": "Cease the plan",
}
MEETING_TEXTS: tuple[tuple[str, str, str, int, str], ...] = (
    ("attendees", "&Attended:", "Who attended", 2, ""),
    ("pupil_views", "P&upil's views:", "The pupil's views", 3, ""),
    ("parent_views", "Pa&rents' views:", "The parents' views", 3, ""),
    (
        "summary",
        "Summar&y:",
        "Summary of the review",
        3,
        "Progress towards each outcome; what is working",
    ),
)
"""A review meeting's free text: (attribute of the review and of the dialog, label, name
for a screen reader, lines high, hint while empty)."""


def _optional_number(name: str, maximum: float, decimals: int) -> QDoubleSpinBox:
    """A number that may be "Not recorded" (its lowest value)."""
    box = QDoubleSpinBox()
    box.setAccessibleName(name)
    box.setDecimals(decimals)
    box.setRange(-1.0, maximum)
    box.setSpecialValueText("Not recorded")
    box.setValue(-1.0)
    return box


def _number(box: QDoubleSpinBox) -> float | None:
    return None if box.value() < 0 else box.value()


def _choice(name: str, labels: dict[str, str], keys: tuple[str, ...], value: str) -> QComboBox:
    items: list[tuple[str, object]] = [("Not yet", "")]
    items += [(labels.get(key, key.capitalize()), key) for key in keys]
    if value and value not in keys:
        items.append((value, value))  # stored before the list changed: still shown
    return choice(name, items, value)


class PlanDialog(EhcRecordDialog):
    """Record the plan the LA issued (``plan`` None), from its ``request`` when given, or
    correct ``plan``."""

    what = "EHC plan"
    ADD = staticmethod(record_plan)
    UPDATE = staticmethod(update_plan)
    TITLES = ("EHC plan", "Record the EHC plan")
    OK_TEXTS = ("&Save plan", "&Save plan")

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        plan: PlanItem | None = None,
        parent: QWidget | None = None,
        *,
        request: RequestItem | None = None,
        today: date | None = None,
    ) -> None:
        self.from_request = request  # read while the form is built
        super().__init__(ctx, pupil_id, plan, parent, today=today)

    def intro(self, plan: PlanItem | None) -> str:
        request = self.from_request
        if plan is not None or request is None:
            return ""
        issued = request.final_issued_on
        return f"From the request to {request.la_name}" + (
            f"; final plan issued {dmy(issued)}." if issued else "."
        )

    def build(self, body: QVBoxLayout, p: PlanItem | None) -> QWidget:
        self.pupil_id, self.plan, request = self.owner_id, p, self.from_request
        self.request_id = p.request_id if p else (request.id if request else None)
        form = self.section(body, "The plan")
        issued = p.issued_on if p else None
        if issued is None and request is not None:
            issued = request.final_issued_on
        self.issued_on = date_edit("Date the plan was issued", issued or self.today)
        form_row(form, "&Issued on:", self.issued_on)
        self.la = la_combo(self.ctx, p.la_name if p else (request.la_name if request else ""))
        form_row(form, "&Local authority:", self.la)
        setting = p.named_setting if p else (request.draft_setting if request else "")
        self.setting = typed_choice(
            "Setting named in the plan (section I)",
            [s for s in (setting, self.ctx.school.name) if s],
            setting or self.ctx.school.name,
            SETTING_MAX,
        )
        form_row(form, "&Setting named:", self.setting)
        self.hours = _optional_number("Hours of support a week", HOURS_MAX, 1)
        self.hours.setSuffix(" hours a week")
        if p and p.hours_per_week is not None:
            self.hours.setValue(p.hours_per_week)
        form_row(form, "&Hours a week:", self.hours)
        self.top_up = _optional_number("Top-up funding a year", TOP_UP_MAX, 2)
        self.top_up.setPrefix("£")
        self.top_up.setSuffix(" a year")
        self.top_up.setGroupSeparatorShown(True)
        if p and p.top_up_pence is not None:
            self.top_up.setValue(pence_to_pounds(p.top_up_pence))
        form_row(form, "&Top-up funding:", self.top_up)

        form = self.section(body, "The plan's sections, in the school's words")
        self.needs = text_row(
            form,
            "Section &B, needs:",
            text_box("Section B: special educational needs", 4),
            p.needs if p else "",
        )
        self.outcomes = text_row(
            form,
            "Section &E, outcomes:",
            text_box("Section E: outcomes", 4),
            p.outcomes if p else "",
        )
        self.provision = text_row(
            form,
            "Section &F, provision:",
            text_box("Section F: special educational provision", 4),
            p.provision if p else "",
            "Who does what, how often and for how long, e.g. 1:1 reading with a teaching "
            "assistant, 3 × 20 minutes a week",
        )
        self._build_transfer(body, p)

        on_change(self._transfer_changed, self.transfer_kind, self.transfer_on)
        self._show_transfer()
        return self.issued_on

    def _build_transfer(self, body: QVBoxLayout, p: PlanItem | None) -> None:
        """The pupil's next phase transfer, if one is known: only a recorded move gets the
        reg 18 deadline (a Year 11 pupil staying in the school's sixth form has none)."""
        form = self.section(body, "Phase transfer (reg 18)")
        self.transfer_kind = choice(
            "Kind of phase transfer",
            [("None recorded", ""), *labelled(TRANSFER_KINDS)],
            p.transfer_kind if p else "",
        )
        form_row(form, "&Moving on:", self.transfer_kind)
        self.transfer_destination = line_edit(
            "School or college the pupil moves to",
            SETTING_MAX,
            "If known",
            p.transfer_destination if p else "",
        )
        form_row(form, "Moving &to:", self.transfer_destination)
        self.transfer_on = self.optional_date(
            form, "transfer_on", "Date of the &move:", "Date of the move"
        )
        self.transfer_hint = QLabel()
        self.transfer_hint.setWordWrap(True)
        form.addRow(self.transfer_hint)

    def _transfer_changed(self) -> None:
        self._show_transfer()
        self.revalidate()

    def _show_transfer(self) -> None:
        """Say the deadline the recorded transfer brings, as the service will count it."""
        kind = str(self.transfer_kind.currentData() or "")
        moving = kind not in ("", NO_TRANSFER)
        # Staying on, or nothing recorded: the destination and date are not saved.
        self.transfer_destination.setEnabled(moving)
        self.transfer_on.set_enabled(moving)
        due = transfer_deadline(kind, self.transfer_on.value()) if moving else None
        if due is not None:
            rule = transfer_source(kind)
            text = f"The plan must be reviewed and amended by {dmy(due)} ({rule})."
        elif moving:
            text = "Give the date of the move: the deadline is counted from it."
        else:
            text = "No transfer: no phase transfer deadline."
        self.transfer_hint.setText(text)

    def data(self) -> PlanData:
        top_up = _number(self.top_up)
        kind = str(self.transfer_kind.currentData() or "")
        moving = kind not in ("", NO_TRANSFER)
        return PlanData(
            issued_on=from_qdate(self.issued_on.date()),
            la_name=self.la.currentText().strip(),
            named_setting=self.setting.currentText().strip(),
            needs=self.needs.toPlainText(),
            outcomes=self.outcomes.toPlainText(),
            provision=self.provision.toPlainText(),
            hours_per_week=_number(self.hours),
            top_up_pence=pounds_to_pence(top_up) if top_up is not None else None,
            request_id=self.request_id,
            transfer_kind=kind,
            transfer_destination=self.transfer_destination.text().strip() if moving else "",
            transfer_on=self.transfer_on.value() if moving else None,
        )

    @property
    def plan_id(self) -> int | None:
        """The plan's id: the one corrected, or the one recorded once it is stored."""
        return self.saved_id

    def problems(self) -> list[str]:
        found = [] if self.la.currentText().strip() else ["name the local authority"]
        d = self.data()
        if d.transfer_kind not in ("", NO_TRANSFER) and d.transfer_on is None:
            found.append("give the date of the phase transfer")
        return found


class ReviewDialog(EhcRecordDialog):
    """Record an annual review of ``plan`` (``review`` None) or correct ``review``."""

    what = "annual review"
    ADD = staticmethod(record_review)
    UPDATE = staticmethod(update_review)
    TITLES = ("Annual review", "Record an annual review")
    OK_TEXTS = ("&Save review", "&Save review")

    def __init__(
        self,
        ctx: AppContext,
        plan: PlanItem,
        review: ReviewItem | None = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        self.plan = plan  # read while the form is built
        super().__init__(ctx, plan.id, review, parent, today=today)

    def intro(self, review: ReviewItem | None) -> str:
        due = self.plan.next_review_due
        return (
            "Invitations and advice go out at least 2 weeks before the meeting; the report "
            "goes to the LA within 2 weeks after it; the LA decides within 4 weeks. After a "
            "decision to amend, the family has 15 days to answer the proposed amendments and "
            "the amended plan is due within 8 weeks of them."
            + (f" This plan's review is due by {dmy(due)}." if due and review is None else "")
        )

    def build(self, body: QVBoxLayout, r: ReviewItem | None) -> QWidget:
        self.review, due = r, self.plan.next_review_due
        form = self.section(body, "The meeting")
        default = r.meeting_on if r else min(self.today, due) if due else self.today
        self.meeting_on = date_edit("Date of the review meeting", default)
        form_row(form, "&Meeting on:", self.meeting_on)
        self.invitations_sent_on = self.optional_date(
            form, "invitations_sent_on", "&Invitations sent on:", "Invitations sent on"
        )
        self.texts = [
            text_row(form, label, text_box(name, lines), getattr(r, attr) if r else "", hint)
            for attr, label, name, lines, hint in MEETING_TEXTS
        ]
        self.attendees, self.pupil_views, self.parent_views, self.summary = self.texts
        self.recommendation = _choice(
            "The school's recommendation",
            RECOMMENDATION_LABELS,
            RECOMMENDATIONS,
            r.recommendation if r else "",
        )
        form_row(form, "Re&commendation:", self.recommendation)

        form = self.section(body, "After the meeting")
        self.report_sent_on = self.optional_date(
            form, "report_sent_on", "Report sent to the &LA on:", "Report sent on"
        )
        self.la_decision = _choice(
            "The LA's decision", LA_DECISION_LABELS, RECOMMENDATIONS, r.la_decision if r else ""
        )
        form_row(form, "LA's &decision:", self.la_decision)
        self.la_decision_on = self.optional_date(
            form, "la_decision_on", "LA decided &on:", "Date of the LA's decision"
        )
        self.amendments_proposed_on = self.optional_date(
            form,
            "amendments_proposed_on",
            "Amendments &proposed on:",
            "Date the LA proposed amendments",
        )
        self.amended_plan_on = self.optional_date(
            form, "amended_plan_on", "Amended plan &issued on:", "Date the amended plan was issued"
        )

        return self.meeting_on

    def data(self) -> ReviewData:
        return ReviewData(
            meeting_on=from_qdate(self.meeting_on.date()),
            invitations_sent_on=self.invitations_sent_on.value(),
            report_sent_on=self.report_sent_on.value(),
            attendees=self.attendees.toPlainText(),
            pupil_views=self.pupil_views.toPlainText(),
            parent_views=self.parent_views.toPlainText(),
            summary=self.summary.toPlainText(),
            recommendation=str(self.recommendation.currentData() or ""),
            la_decision=str(self.la_decision.currentData() or ""),
            la_decision_on=self.la_decision_on.value(),
            amendments_proposed_on=self.amendments_proposed_on.value(),
            amended_plan_on=self.amended_plan_on.value(),
        )

    @property
    def review_id(self) -> int | None:
        """The review's id: the one corrected, or the one recorded once it is stored."""
        return self.saved_id

    def problems(self) -> list[str]:
        d = self.data()
        if d.la_decision and d.la_decision_on is None:
            return ["give the date of the LA's decision"]
        return []


class CeaseDialog(EhcEntryDialog):
    """The date the plan ceased (the LA's decision, or the pupil leaving its care)."""

    TITLE = "Cease the EHC plan"
    CHANGES = Changes.EHC | Changes.DUE | Changes.PUPIL

    def build(self, layout: QVBoxLayout, plan: PlanItem) -> None:
        self.plan = plan
        note(
            layout,
            f"The plan issued {dmy(plan.issued_on)} stops being maintained from this date; "
            'its annual reviews leave "what\'s due". The plan and its reviews are kept.',
        )
        form = QFormLayout()
        layout.addLayout(form)
        self.on = date_edit("Date the plan ceased", self.today)
        self.on.setMinimumDate(to_qdate(plan.issued_on))
        form_row(form, "&Ceased on:", self.on)
        named_ok(self, layout, "C&ease plan", "Cease the plan")

    def accept(self) -> None:
        db, actor, plan, on = self.ctx.db, self.ctx.actor, self.plan, from_qdate(self.on.date())
        self.save_with(lambda: cease_plan(db, actor, plan.id, plan.version, on))


__all__ = ["CeaseDialog", "PlanDialog", "ReviewDialog"]
