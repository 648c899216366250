"""The "EHC plan" tab of the pupil window: the request to the LA and its clock, then the plan.

Why it is laid out like this: a SENCo opens this tab to answer two questions — "where is
the LA with this child's request, and is it late?" and "when is the annual review, and is
the paperwork done?". So the top half is the open request: who asked, which LA and
caseworker, the stage in words and the clock in the words a parent understands ("week 23
of 20" when the LA is late), then every statutory milestone with its due date, the date it
happened and its status spelled out and coloured (green, amber, red, or extended when a
recorded exception applies). The bottom half is the issued plan as the school summarises
it (sections B, E and F, hours, funding) with its annual reviews and their own due dates.

Every date here is computed by :mod:`sendesk.rules.timeline` through
:mod:`sendesk.services.ehc.requests` and :mod:`sendesk.services.ehc.plans`; the tab only shows
it. Changes go through the dialogs in
:mod:`sendesk.ui.ehc.ehc_request_dialog` and :mod:`sendesk.ui.ehc.ehc_plan_dialog`, which call the
service (it checks the role, the order of steps and the dates again). Only the SENCo gets
the buttons that change things or build the pack; teachers and learning support read.
Colour never carries meaning alone: each status is also written out, and the colours are
fixed light tints with dark text so they read in light and dark palettes alike.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGroupBox,
    QLabel,
    QScrollArea,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules.census import Provision
from sendesk.rules.dates import dmy
from sendesk.rules.permissions import Action
from sendesk.rules.readiness import money
from sendesk.rules.timeline import Milestone, transfer_source
from sendesk.services.ehc.plans import list_plans, reinstate_plan
from sendesk.services.ehc.records import (
    REQUESTERS,
    ExceptionItem,
    PlanItem,
    RequestItem,
    ReviewItem,
)
from sendesk.services.ehc.requests import clear_step, list_requests, remove_exception
from sendesk.services.ehc.reviews import remove_review
from sendesk.services.register.register import change_status, read_register
from sendesk.ui.ehc.ehc_plan_dialog import (
    LA_DECISION_LABELS,
    RECOMMENDATION_LABELS,
    CeaseDialog,
    PlanDialog,
    ReviewDialog,
)
from sendesk.ui.ehc.ehc_request_dialog import (
    EhcRecordDialog,
    ExceptionDialog,
    RequestDialog,
    StepDialog,
    recorded_steps,
    step_date,
    step_label,
)
from sendesk.ui.kit.buttons import ask, button_row, buttons_for, confirmed_change, warn
from sendesk.ui.kit.forms import note
from sendesk.ui.kit.record_tab import RecordTab
from sendesk.ui.kit.table_model import DARK_TEXT, ColumnSpec, RowsModel
from sendesk.ui.kit.table_view import fit_to_rows, read_only_view, selected_record

CEASE_TEXT, CEASE_NAME = "Cease plan…", "Cease the EHC plan"
REINSTATE_TEXT, REINSTATE_NAME = "Reinstate plan…", "Reinstate the ceased EHC plan"

STATUS_TEXT: dict[str, str] = {
    "done": "Done",
    "done late": "Done late",
    "green": "On track",
    "amber": "Due soon",
    "red": "Late",
    "extended": "Extended",
    "not applicable": "Not applicable",
}
"""Each timeline status written out, so colour never carries it alone."""

STATUS_TINTS: dict[str, str] = {
    "green": "#c8e6c9",
    "amber": "#ffe0a3",
    "red": "#f8c4c4",
    "extended": "#d6d0f0",
    "done late": "#ececec",
}
"""Light tints behind the status cell; the text on them is always dark (see module doc)."""
assert DARK_TEXT  # the kit's dark text on every tint


def status_text(status: str) -> str:
    return STATUS_TEXT.get(status, status.capitalize())


def stage_sentence(request: RequestItem) -> str:
    """The stage as a sentence: "Stage: decision to assess." (with the refusal said)."""
    text = request.stage[:1].upper() + request.stage[1:]
    if request.closed_on is not None:
        text += f"; closed {dmy(request.closed_on)}"
    return text + "."


def clock_sentence(request: RequestItem) -> str:
    """ "Week 23 of 20 — the LA is late." / "Week 4 of 20." / the week the plan came."""
    clock = request.clock[:1].upper() + request.clock[1:]
    if request.clock_start is None:
        return "Not sent yet: the 20-week clock starts when the LA receives the request."
    if request.final_issued_on is not None:
        return f"Final plan issued {dmy(request.final_issued_on)} ({request.clock})."
    if request.closed_on is not None:
        return f"Closed {dmy(request.closed_on)}."
    if request.late:
        return f"{clock} — the LA is late."
    return f"{clock}."


def request_summary(request: RequestItem) -> str:
    """Who asked, when, of which LA and caseworker, as one or two plain sentences."""
    who = REQUESTERS.get(request.requested_by, request.requested_by)
    parts = [f"{who} asked {request.la_name} for an EHC needs assessment"]
    if request.sent_on is not None:
        parts.append(f" on {dmy(request.sent_on)}")
    else:
        parts = [f"{who} is preparing a request to {request.la_name} for an EHC needs assessment"]
    text = "".join(parts) + "."
    if request.received_on is not None and request.received_on != request.sent_on:
        text += f" The LA received it on {dmy(request.received_on)}."
    text += (
        f" Caseworker: {request.caseworker}."
        if request.caseworker
        else " No caseworker recorded yet."
    )
    if request.signed_off_by:
        role = f" ({request.signed_off_role})" if request.signed_off_role else ""
        on = f" on {dmy(request.signed_off_on)}" if request.signed_off_on else ""
        text += f" Signed off by {request.signed_off_by}{role}{on}."
    if request.next_steps:
        text += f" Next steps: {request.next_steps}"
        text += "" if request.next_steps.rstrip().endswith((".", "!", "?")) else "."
    return text


def request_choice_text(request: RequestItem) -> str:
    sent = request.sent_on or request.received_on
    text = f"Request to {request.la_name}" + (f", sent {dmy(sent)}" if sent else "")
    return text + (" (closed)" if request.closed_on is not None else "")


def plan_summary(plan: PlanItem, today: date) -> str:
    """The plan in two or three sentences: when, who, setting, hours, money, next review."""
    text = f"Issued {dmy(plan.issued_on)} by {plan.la_name}"
    text += f", naming {plan.named_setting}." if plan.named_setting else "."
    extras = []
    if plan.hours_per_week is not None:
        hours = f"{plan.hours_per_week:g}"
        extras.append(f"{hours} hour{'s' if hours != '1' else ''} of support a week")
    if plan.top_up_pence is not None:
        from decimal import Decimal

        extras.append(f"top-up funding of {money(Decimal(plan.top_up_pence) / 100)} a year")
    if extras:
        text += " " + "; ".join(extras)[:1].upper() + "; ".join(extras)[1:] + "."
    if plan.ceased_on is not None:
        text += f" Ceased {dmy(plan.ceased_on)}."
    elif plan.next_review_due is not None:
        # CFA s44(1): the review within the 12 months; the LA decides within 4 weeks of the
        # meeting (reg 20), so the meeting comes first (CoP 9.176).
        status = STATUS_TEXT.get(plan.next_review_status, plan.next_review_status)
        text += (
            f" Next annual review: meeting by {dmy(plan.next_meeting_by)} "
            f"({status.lower()}), the LA's decision by {dmy(plan.next_review_due)}."
        )
    if plan.ceased_on is None and plan.transfer_kind:
        text += " " + transfer_sentence(plan)
    return text


def transfer_sentence(plan: PlanItem) -> str:
    """The recorded phase transfer and its reg 18 deadline, as one sentence."""
    if plan.transfer_deadline is None:
        return f"Phase transfer: {plan.transfer_label.lower()}."
    where = f" to {plan.transfer_destination}" if plan.transfer_destination else ""
    rule = transfer_source(plan.transfer_kind)
    return (
        f"Moves{where} on {dmy(plan.transfer_on)}: the plan must be reviewed and amended by "
        f"{dmy(plan.transfer_deadline)} ({rule})."
    )


def _paragraphs(text: str) -> str:
    if not text.strip():
        return "<p><i>Not recorded.</i></p>"
    return "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in text.split("\n\n")
    )


def plan_sections_html(plan: PlanItem) -> str:
    return "".join(
        (
            "<h4>Section B: special educational needs</h4>",
            _paragraphs(plan.needs),
            "<h4>Section E: outcomes</h4>",
            _paragraphs(plan.outcomes),
            "<h4>Section F: provision</h4>",
            _paragraphs(plan.provision),
        )
    )


def _decision_text(review: ReviewItem) -> str:
    """The LA's decision and, after a decision to amend, where the amendment stands."""
    if not review.la_decision:
        return "Not yet"
    text = LA_DECISION_LABELS.get(review.la_decision, review.la_decision)
    text += f", {dmy(review.la_decision_on)}" if review.la_decision_on else ""
    if review.amended_plan_on is not None:
        text += f"; amended plan issued {dmy(review.amended_plan_on)}"
    elif review.amended_plan_due is not None:
        text += f"; amended plan due {dmy(review.amended_plan_due)}"
    elif review.la_decision == "amend":
        text += "; amendments not yet proposed"
    return text


MILESTONE_COLUMNS: tuple[ColumnSpec[Milestone], ...] = (
    ColumnSpec("Milestone", lambda m: m.label),
    ColumnSpec("Due", lambda m: dmy(m.due)),
    ColumnSpec("Done", lambda m: dmy(m.done_on)),
    ColumnSpec(
        "Status", lambda m: status_text(m.status), tint=lambda m: STATUS_TINTS.get(m.status)
    ),
    ColumnSpec("Note", lambda m: m.note, tooltip=lambda m: m.note),
)
EXCEPTION_COLUMNS: tuple[ColumnSpec[ExceptionItem], ...] = (
    ColumnSpec("Exception", lambda e: e.kind_label),
    ColumnSpec("Reason", lambda e: e.reason),
    ColumnSpec("Recorded", lambda e: dmy(e.recorded_on)),
)


def _review_columns(today: date) -> tuple[ColumnSpec[ReviewItem], ...]:
    def due(when: date, done: date | None) -> str:
        return dmy(when) + (" — late" if done is None and when < today else "")

    def late(when: date, done: date | None) -> str | None:
        return STATUS_TINTS["red"] if done is None and when < today else None

    def decided(r: ReviewItem) -> date | None:
        return r.la_decision_on if r.la_decision else None

    return (
        ColumnSpec("Meeting", lambda r: dmy(r.meeting_on)),
        ColumnSpec(
            "Invitations by",
            lambda r: (
                dmy(r.invitations_by)
                + (f" (sent {dmy(r.invitations_sent_on)})" if r.invitations_sent_on else "")
            ),
        ),
        ColumnSpec(
            "Report due",
            lambda r: due(r.report_due, r.report_sent_on),
            tint=lambda r: late(r.report_due, r.report_sent_on),
        ),
        ColumnSpec("Report sent", lambda r: dmy(r.report_sent_on, "Not yet")),
        ColumnSpec(
            "Recommendation",
            lambda r: RECOMMENDATION_LABELS.get(r.recommendation, r.recommendation or "Not given"),
        ),
        ColumnSpec(
            "LA decision due",
            lambda r: due(r.la_decision_due, decided(r)),
            tint=lambda r: late(r.la_decision_due, decided(r)),
        ),
        ColumnSpec("LA decision", _decision_text),
    )


def _fitted(model: RowsModel[Any], name: str) -> QTableView:
    return fit_to_rows(read_only_view(model, name))


T = TypeVar("T")


class EhcTab(RecordTab):
    """A pupil's EHC needs assessment requests and EHC plans.

    Raises SendeskError when they may not be read (a read-only account). ``changed`` is
    emitted after anything is saved here (the register and what's due may change).
    """

    def build(self) -> None:
        self.editable = self.ctx.may(Action.MANAGE_EHC)
        self.requests: list[RequestItem] = []
        self.plans: list[PlanItem] = []

        outer = self.layout_
        outer.setContentsMargins(0, 0, 0, 0)
        content = QWidget()
        layout = QVBoxLayout(content)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(content)
        outer.addWidget(scroll)

        layout.addWidget(self._build_request_box())
        layout.addWidget(self._build_plan_box())
        layout.addStretch(1)

    def first_read(self) -> None:
        self._read()  # raises for an account that may not read EHC records
        self._show_all()

    # --- building ---------------------------------------------------------------------------

    @staticmethod
    def _label(name: str) -> QLabel:
        label = QLabel()
        label.setWordWrap(True)
        label.setAccessibleName(name)
        label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        return label

    @staticmethod
    def _chosen_box(
        title: str, which: str, show: Callable[[], None]
    ) -> tuple[QGroupBox, QVBoxLayout, QComboBox]:
        """A box showing one of several records, chosen in the list at its top (hidden
        while there is only one), which calls ``show`` when another is chosen."""
        box = QGroupBox(title)
        layout = QVBoxLayout(box)
        choice = QComboBox()
        choice.setAccessibleName(which)
        choice.currentIndexChanged.connect(show)
        layout.addWidget(choice)
        return box, layout, choice

    def _build_request_box(self) -> QGroupBox:
        box, layout, self.request_choice = self._chosen_box(
            "EHC needs assessment request", "Which request", self._show_request
        )
        self.no_request_label = note(
            layout,
            "No request for an EHC needs assessment has been recorded for this pupil. Open "
            "one with Open a request."
            if self.editable
            # Requests and where a case stands are the SENCo's only (issue 13): others are
            # not told whether one exists.
            else "Requests for an EHC needs assessment are seen by the SENCo only.",
        )
        self.request_label = self._label("About the request")
        layout.addWidget(self.request_label)
        self.stage_label = self._label("Stage of the request")
        layout.addWidget(self.stage_label)
        self.clock_label = self._label("Statutory clock")
        font = self.clock_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.clock_label.setFont(font)
        layout.addWidget(self.clock_label)

        self.milestone_model: RowsModel[Milestone] = RowsModel(MILESTONE_COLUMNS)
        self.milestones = _fitted(self.milestone_model, "Statutory milestones")
        layout.addWidget(self.milestones)
        self.exceptions_label = QLabel("Exceptions to the time limits:")
        layout.addWidget(self.exceptions_label)
        self.exception_model: RowsModel[ExceptionItem] = RowsModel(EXCEPTION_COLUMNS)
        self.exceptions = _fitted(self.exception_model, "Exceptions to the time limits")
        # Only the SENCo reads an exception's reason (the service blanks it for others):
        # theirs would be an empty column.
        self.exceptions.setColumnHidden(1, not self.editable)  # the reason
        self.exceptions_label.setBuddy(self.exceptions)
        self.exceptions.selectionModel().selectionChanged.connect(self._update_buttons)
        layout.addWidget(self.exceptions)

        (
            self.open_button,
            self.edit_button,
            self.step_button,
            self.undo_button,
            self.add_exception_button,
            self.remove_exception_button,
            self.pack_button,
        ) = buttons_for(
            self.editable,
            ("&Open a request…", "Open an EHC needs assessment request", self.open_request),
            ("E&dit request…", "Edit the request", self.edit_request),
            ("&Record next step…", "Record the next step of the request", self.record_step),
            ("&Undo last step", "Undo the last step recorded", self.undo_step),
            ("Add e&xception…", "Record an exception to the time limits", self.add_exception),
            ("Re&move exception", "Remove the selected exception", self.remove_exception),
            ("&Build request pack…", "Build the request pack", self.build_pack),
        )
        if self.editable:
            button_row(
                layout, self.open_button, self.edit_button, self.step_button, self.undo_button
            )
            button_row(
                layout,
                self.add_exception_button,
                self.remove_exception_button,
                right=(self.pack_button,),
            )
        return box

    def _build_plan_box(self) -> QGroupBox:
        box, layout, self.plan_choice = self._chosen_box("EHC plan", "Which plan", self._show_plan)
        self.no_plan_label = note(
            layout,
            "No EHC plan has been recorded for this pupil."
            + (" Once the LA issues one, record it with Record the plan." if self.editable else ""),
        )
        self.plan_label = self._label("About the plan")
        layout.addWidget(self.plan_label)
        self.sections = QTextBrowser()
        self.sections.setAccessibleName("The plan's sections B, E and F")
        self.sections.setOpenLinks(False)
        line = self.sections.fontMetrics().lineSpacing()
        self.sections.setMinimumHeight(line * 12)
        layout.addWidget(self.sections)
        self.reviews_label = QLabel("Annual reviews:")
        layout.addWidget(self.reviews_label)
        self.review_model: RowsModel[ReviewItem] = RowsModel(_review_columns(self.today))
        self.reviews = _fitted(self.review_model, "Annual reviews")
        self.reviews_label.setBuddy(self.reviews)
        self.reviews.selectionModel().selectionChanged.connect(self._update_buttons)
        layout.addWidget(self.reviews)
        self.no_reviews_label = QLabel("No annual review recorded yet.")
        layout.addWidget(self.no_reviews_label)

        # The cease button reads "Reinstate plan…" while the plan shown has ceased.
        (
            self.record_plan_button,
            self.edit_plan_button,
            self.review_button,
            self.edit_review_button,
            self.remove_review_button,
            self.cease_button,
        ) = buttons_for(
            self.editable,
            ("Record the pl&an…", "Record the EHC plan", self.record_plan),
            ("Edi&t plan…", "Edit the EHC plan", self.edit_plan),
            ("Record a revie&w…", "Record an annual review", self.record_review),
            ("Edit review…", "Edit the selected annual review", self.edit_review),
            ("Remove review…", "Remove the selected annual review", self.remove_review),
            (CEASE_TEXT, CEASE_NAME, self.cease_or_reinstate),
        )
        if self.editable:
            button_row(
                layout,
                self.record_plan_button,
                self.edit_plan_button,
                self.review_button,
                self.edit_review_button,
                self.remove_review_button,
                self.cease_button,
            )
            self.reviews.activated.connect(lambda _index: self.edit_review())
        return box

    # --- showing ----------------------------------------------------------------------------

    def _read(self) -> None:
        self.requests = (  # requests and where a case stands are the SENCo's only
            list_requests(self.ctx.db, self.ctx.actor, self.pupil_id, today=self.today)
            if self.ctx.may(Action.VIEW_EHC_REQUESTS)
            else []
        )
        self.plans = list_plans(self.ctx.db, self.ctx.actor, self.pupil_id, today=self.today)

    def reload(self) -> None:
        """Read the requests and plans again, keeping the chosen ones."""
        keep_request = self.request.id if self.request else None
        keep_plan = self.plan.id if self.plan else None
        try:
            self._read()
        except SendeskError as exc:
            warn(self, exc)
            return
        self._show_all(keep_request, keep_plan)

    def _show_all(self, keep_request: int | None = None, keep_plan: int | None = None) -> None:
        self._refill(self.request_choice, [request_choice_text(r) for r in self.requests])
        ids = [r.id for r in self.requests]
        self.request_choice.setCurrentIndex(ids.index(keep_request) if keep_request in ids else 0)
        self._refill(self.plan_choice, [self._plan_choice_text(p) for p in self.plans])
        ids = [p.id for p in self.plans]
        current = next((i for i, p in enumerate(self.plans) if p.ceased_on is None), 0)
        self.plan_choice.setCurrentIndex(ids.index(keep_plan) if keep_plan in ids else current)
        self._show_request()
        self._show_plan()

    @staticmethod
    def _plan_choice_text(plan: PlanItem) -> str:
        text = f"Plan issued {dmy(plan.issued_on)} by {plan.la_name}"
        return text + (f" (ceased {dmy(plan.ceased_on)})" if plan.ceased_on else "")

    @staticmethod
    def _refill(combo: QComboBox, texts: list[str]) -> None:
        combo.blockSignals(True)
        combo.clear()
        combo.addItems(texts)
        combo.blockSignals(False)
        combo.setVisible(len(texts) > 1)

    @staticmethod
    def _chosen(items: list[T], choice: QComboBox) -> T | None:
        """The record ``choice`` shows among ``items`` (the first if it shows none)."""
        if not items:
            return None
        row = choice.currentIndex()
        return items[row] if 0 <= row < len(items) else items[0]

    @property
    def request(self) -> RequestItem | None:
        return self._chosen(self.requests, self.request_choice)

    @property
    def open_request_item(self) -> RequestItem | None:
        """A request still with the LA (neither closed nor ended by a final plan), if any:
        a pupil has one at a time."""
        return next((r for r in self.requests if r.is_open), None)

    @property
    def plan(self) -> PlanItem | None:
        return self._chosen(self.plans, self.plan_choice)

    @property
    def current_plan(self) -> PlanItem | None:
        return next((p for p in self.plans if p.ceased_on is None), None)

    def _shown_or_none(
        self, item: T | None, none: QWidget, parts: tuple[QWidget, ...], lists: tuple[QWidget, ...]
    ) -> T | None:
        """Show ``parts`` of the chosen ``item``, or the ``none`` note when there is none;
        its ``lists`` (shown by whether they have rows) are hidden then too. Returns ``item``."""
        none.setVisible(item is None)
        for widget in parts:
            widget.setVisible(item is not None)
        if item is None:
            for widget in lists:
                widget.setVisible(False)
            self._update_buttons()
        return item

    def _show_request(self) -> None:
        request = self._shown_or_none(
            self.request,
            self.no_request_label,
            (self.request_label, self.stage_label, self.clock_label, self.milestones),
            (self.exceptions_label, self.exceptions),
        )
        if request is None:
            return
        self.request_label.setText(request_summary(request))
        self.stage_label.setText("Stage: " + stage_sentence(request))
        self.clock_label.setText(clock_sentence(request))
        self.milestone_model.set_rows(request.milestones)
        self.milestones.setVisible(bool(request.milestones))
        self.exception_model.set_rows(request.exceptions)
        self.exceptions_label.setVisible(bool(request.exceptions))
        self.exceptions.setVisible(bool(request.exceptions))
        self._update_buttons()

    def _show_plan(self) -> None:
        plan = self._shown_or_none(
            self.plan,
            self.no_plan_label,
            (self.plan_label, self.sections, self.reviews_label),
            (self.reviews, self.no_reviews_label),
        )
        if plan is None:
            return
        self.plan_label.setText(plan_summary(plan, self.today))
        self.sections.setHtml(plan_sections_html(plan))
        self.review_model.set_rows(plan.reviews)
        self.reviews.setVisible(bool(plan.reviews))
        self.no_reviews_label.setVisible(not plan.reviews)
        if plan.reviews:
            self.reviews.selectRow(len(plan.reviews) - 1)
        self._update_buttons()

    def selected_exception(self) -> ExceptionItem | None:
        return selected_record(self.exceptions) if self.request is not None else None

    def selected_review(self) -> ReviewItem | None:
        return selected_record(self.reviews) if self.plan is not None else None

    def _update_buttons(self) -> None:
        if not self.editable:
            return
        request = self.request
        running = (
            request is not None and request.closed_on is None and request.clock_start is not None
        )
        assert self.open_button is not None and self.edit_button is not None
        assert self.step_button is not None and self.undo_button is not None
        assert self.add_exception_button is not None
        assert self.remove_exception_button is not None and self.pack_button is not None
        blocked = self.open_request_item is not None
        self.open_button.setEnabled(not blocked)
        self.open_button.setToolTip(
            "This pupil has an open request: close it (or record its final plan) before "
            "opening another."
            if blocked
            else ""
        )
        self.edit_button.setEnabled(request is not None)
        self.step_button.setEnabled(request is not None)
        self.undo_button.setEnabled(request is not None and bool(recorded_steps(request)))
        self.add_exception_button.setEnabled(running)
        self.remove_exception_button.setEnabled(self.selected_exception() is not None)
        assert self.record_plan_button is not None and self.edit_plan_button is not None
        assert self.review_button is not None and self.edit_review_button is not None
        assert self.remove_review_button is not None and self.cease_button is not None
        plan = self.plan
        live = plan is not None and plan.ceased_on is None
        self.record_plan_button.setEnabled(self.current_plan is None)
        self.record_plan_button.setToolTip(
            "" if self.current_plan is None else "Cease the current plan before recording another."
        )
        self.edit_plan_button.setEnabled(plan is not None)
        self.review_button.setEnabled(live)
        self.edit_review_button.setEnabled(self.selected_review() is not None)
        self.remove_review_button.setEnabled(self.selected_review() is not None)
        ceased = plan is not None and plan.ceased_on is not None
        self.cease_button.setText(REINSTATE_TEXT if ceased else CEASE_TEXT)
        self.cease_button.setAccessibleName(REINSTATE_NAME if ceased else CEASE_NAME)
        self.cease_button.setEnabled(plan is not None)

    def _after(self, accepted: bool) -> None:
        if accepted:
            self.changed.emit()
        self.reload()

    def _edit(
        self, item: Any, make: Callable[[Any], QDialog], *, saved: bool = False
    ) -> QDialog | None:
        """Run the dialog ``make`` builds for ``item`` (nothing without one), then read again
        (telling the pupil window when it was accepted — and, where ``saved``, when it
        stored something: OK with nothing changed stores nothing). The dialog when accepted."""
        if item is None:
            return None
        dialog = make(item)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        self._after(accepted and (not saved or bool(getattr(dialog, "saved", False))))
        return dialog if accepted else None

    # --- request actions --------------------------------------------------------------------

    def open_request(self) -> None:
        dialog = RequestDialog(self.ctx, self.pupil_id, None, self, today=self.today)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        if accepted and dialog.request_id is not None:
            self.reload()
            ids = [r.id for r in self.requests]
            if dialog.request_id in ids:
                self.request_choice.setCurrentIndex(ids.index(dialog.request_id))
            self.changed.emit()
            return
        self._after(accepted)

    def _correct(self, item: Any, dialog: type[EhcRecordDialog]) -> None:
        """Correct the chosen request or plan in its ``dialog``; read again after."""
        self._edit(
            item, lambda i: dialog(self.ctx, self.pupil_id, i, self, today=self.today), saved=True
        )

    def edit_request(self) -> None:
        self._correct(self.request, RequestDialog)

    def record_step(self) -> None:
        dialog = self._edit(self.request, lambda r: StepDialog(self.ctx, r, self, today=self.today))
        if isinstance(dialog, StepDialog) and dialog.chosen() == "final":
            self._after_final_plan(dialog.request.id)

    def _after_final_plan(self, request_id: int) -> None:
        """The final plan is out: the register's E needs the plan recorded here, so offer
        to record it (which then offers E), or offer E at once if it already is."""
        issued = next((r.final_issued_on for r in self.requests if r.id == request_id), None)
        live = self.current_plan
        if issued is None:
            return
        if live is not None:
            self.offer_register_change(live.issued_on)
            return
        if ask(
            self,
            f"The final EHC plan was issued on {dmy(issued)}. Record the plan now (its "
            "sections, hours and funding)? The register can then change to E.",
            default=True,
        ):
            self.record_plan()

    def offer_register_change(self, issued_on: date) -> None:
        """Offer to move the pupil to E on the SEND register from the plan's issue date.

        Only after the plan is saved: the register service accepts E only for a pupil with
        a recorded EHC plan (census: E means an EHC plan is maintained). Nothing is asked
        when the pupil is already E; the needs stay as they are.
        """
        try:
            # What the question is asked about: a change made meanwhile by someone else is
            # then refused with who and when (issue 12), not built on.
            shown = read_register(self.ctx.db, self.ctx.actor, self.pupil_id)
        except SendeskError as exc:
            warn(self, exc)
            return
        if shown.provision == Provision.E.value:
            return
        if not ask(
            self, f"Change the register to E (EHC plan) from {dmy(issued_on)}?", default=True
        ):
            return
        try:
            change_status(
                self.ctx.db,
                self.ctx.actor,
                self.pupil_id,
                Provision.E,
                shown.needs,
                issued_on,
                f"EHC plan issued {dmy(issued_on)}",
                seen=shown.version,
            )
        except SendeskError as exc:
            warn(self, exc)
            return
        self.changed.emit()

    def undo_step(self) -> None:
        request = self.request
        if request is None:
            return
        steps = recorded_steps(request)
        if not steps:
            return
        step = steps[-1]
        on = step_date(request, step)
        done = confirmed_change(
            self,
            f"Undo “{step_label(step)}” recorded for {dmy(on)}? The milestones are worked "
            "out again without it.",
            lambda: clear_step(self.ctx.db, self.ctx.actor, request.id, request.version, step),
        )
        if done is not None:
            self._after(done)  # refused: read again, it may have changed meanwhile

    def add_exception(self) -> None:
        self._edit(self.request, lambda r: ExceptionDialog(self.ctx, r, self, today=self.today))

    def remove_exception(self) -> None:
        chosen = self.selected_exception()
        if chosen is None:
            return
        kind = chosen.kind_label
        done = confirmed_change(
            self,
            f"Remove the exception “{kind}” recorded on {dmy(chosen.recorded_on)}? "
            "Milestones it extended will show as late again if they are.",
            lambda: remove_exception(self.ctx.db, self.ctx.actor, chosen.id),
        )
        if done is not None:
            self._after(done)

    def build_pack(self) -> None:
        from sendesk.ui.ehc.pack_wizard import PackWizard

        request = self.open_request_item or self.request
        wizard = PackWizard(
            self.ctx,
            self.pupil_id,
            self,
            la_name=request.la_name if request else None,
            today=self.today,
        )
        wizard.exec()

    # --- plan actions -----------------------------------------------------------------------

    def record_plan(self) -> None:
        issued = next((r for r in self.requests if r.final_issued_on is not None), None)
        dialog = PlanDialog(self.ctx, self.pupil_id, None, self, request=issued, today=self.today)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        self.reload()
        if accepted:
            ids = [p.id for p in self.plans]
            if dialog.plan_id in ids:
                self.plan_choice.setCurrentIndex(ids.index(dialog.plan_id))
            self.changed.emit()
            saved = self.plan
            if saved is not None and saved.id == dialog.plan_id:
                self.offer_register_change(saved.issued_on)

    def edit_plan(self) -> None:
        self._correct(self.plan, PlanDialog)

    def record_review(self) -> None:
        self._edit(self.plan, lambda p: ReviewDialog(self.ctx, p, None, self, today=self.today))

    def edit_review(self) -> None:
        plan, review = self.plan, self.selected_review()
        if plan is not None and self.editable:
            self._edit(
                review,
                lambda r: ReviewDialog(self.ctx, plan, r, self, today=self.today),
                saved=True,
            )

    def remove_review(self) -> None:
        plan, review = self.plan, self.selected_review()
        if plan is None or review is None or not self.editable:
            return
        done = confirmed_change(
            self,
            f"Remove the annual review meeting on {dmy(review.meeting_on)}? Everything "
            "recorded for it goes, and the next annual review is worked out again without it.",
            lambda: remove_review(
                self.ctx.db, self.ctx.actor, review.id, review.version, today=self.today
            ),
        )
        if done is not None:
            self._after(done)

    def cease_or_reinstate(self) -> None:
        """The one button: cease a live plan, reinstate a ceased one."""
        plan = self.plan
        if plan is not None and plan.ceased_on is not None:
            self.reinstate_plan()
        else:
            self.cease_plan()

    def reinstate_plan(self) -> None:
        plan = self.plan
        if plan is None or plan.ceased_on is None or not self.editable:
            return
        done = confirmed_change(
            self,
            f"Reinstate the EHC plan issued {dmy(plan.issued_on)} by {plan.la_name}, recorded "
            f"as ceased on {dmy(plan.ceased_on)}? Its annual reviews fall due again.",
            lambda: reinstate_plan(
                self.ctx.db, self.ctx.actor, plan.id, plan.version, today=self.today
            ),
        )
        if done is not None:
            self._after(done)

    def cease_plan(self) -> None:
        self._edit(self.plan, lambda p: CeaseDialog(self.ctx, p, self, today=self.today))


__all__ = [
    "STATUS_TEXT",
    "EhcTab",
    "clock_sentence",
    "plan_summary",
    "request_summary",
    "stage_sentence",
]
