"""The "Support plans" tab of the pupil window: the pupil's APDR cycles and one in full.

Why it is built this way: the list of cycles, newest first, is the story of the graduated
response at a glance (when each began, whether it was reviewed, how many outcomes were
achieved); the selected cycle is shown whole below it, as text a screen reader reads in
order and anyone can select and copy. Staff who may read plans see exactly that; the SENCo
also gets New cycle (offered only when the current cycle has been reviewed — the next one
starts from that review), Edit and Review, which open
:class:`~sendesk.ui.graduated.support_plan_editor.SupportPlanEditor` and
:class:`~sendesk.ui.graduated.support_plan_editor.PlanReviewDialog`. Every change goes through
:mod:`sendesk.services.graduated.support_plans`, which checks the role, the rules and the version
again; :attr:`SupportPlansTab.changed` tells the window (a saved plan also moves the
pupil's next review date).
"""

from __future__ import annotations

import html
from datetime import date

from PySide6.QtWidgets import QDialog, QTextBrowser

from sendesk.errors import SendeskError
from sendesk.rules.dates import dmy
from sendesk.rules.permissions import Action
from sendesk.services.graduated.support_plans import (
    PlanDetail,
    PlanSummary,
    get_plan,
    list_plans,
    new_cycle_draft,
)
from sendesk.ui.graduated.support_plan_editor import PlanReviewDialog, SupportPlanEditor
from sendesk.ui.kit.record_tab import RecordList, RecordTab
from sendesk.ui.kit.table_model import ColumnSpec

OPEN_PLAN_REASON = "Review the current cycle before starting a new one."


def status_text(plan: PlanSummary, today: date) -> str:
    """ "Reviewed 01/12/2025", "Open", or "Open — review overdue"."""
    if plan.reviewed_on is not None:
        return f"Reviewed {dmy(plan.reviewed_on)}"
    return "Open — review overdue" if plan.review_due < today else "Open"


def achieved_text(plan: PlanSummary) -> str:
    """ "2 of 3" once reviewed; "Not yet reviewed (3 outcomes)" before."""
    if plan.reviewed_on is None:
        return f"Not yet reviewed ({plan.outcomes} outcomes)"
    return f"{plan.achieved} of {plan.outcomes}"


def _paragraphs(text: str) -> str:
    if not text.strip():
        return "<p><i>Not recorded.</i></p>"
    return "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in text.split("\n\n")
    )


def plan_html(plan: PlanDetail) -> str:
    """The whole plan as simple HTML (headings, paragraphs, lists; no colours)."""
    parts = [
        f"<h3>Cycle {plan.cycle}: {dmy(plan.start_date)} to {dmy(plan.review_due)}</h3>",
        "<p>"
        + (
            f"Reviewed {dmy(plan.reviewed_on)}."
            if plan.reviewed_on is not None
            else f"Open: review due {dmy(plan.review_due)}."
        )
        + f" Written by {html.escape(plan.created_by)}.</p>",
        "<h4>Assessment</h4>",
        _paragraphs(plan.assessment),
        "<h4>Outcomes</h4><ol>",
    ]
    for o in plan.outcomes:
        line = f"{html.escape(o.text)} <i>({html.escape(o.area)})</i>"
        if o.result is not None:
            line += f"<br><b>{html.escape(o.result_label)}</b>"
            if o.review_comment:
                line += f": {html.escape(o.review_comment)}"
        parts.append(f"<li>{line}</li>")
    parts.append("</ol><h4>Provision</h4>")
    if plan.provisions:
        parts.append("<ul>")
        for p in plan.provisions:
            extra = []
            if p.intervention_name and p.intervention_name != p.description:
                extra.append(html.escape(p.intervention_name))
            if p.minutes_per_week:
                extra.append(f"{p.minutes_per_week} minutes a week")
            tail = f" ({'; '.join(extra)})" if extra else ""
            parts.append(
                f"<li><b>{html.escape(p.kind_label)}:</b> {html.escape(p.description)}{tail}</li>"
            )
        parts.append("</ul>")
    else:
        parts.append("<p><i>None planned.</i></p>")
    parts += [
        "<h4>The pupil's views</h4>",
        _paragraphs(plan.pupil_views),
        "<h4>The parents' views</h4>",
        _paragraphs(plan.parent_views),
    ]
    if plan.reviewed_on is not None:
        parts += [
            "<h4>Review summary</h4>",
            _paragraphs(plan.review_summary),
            "<h4>What changes next</h4>",
            _paragraphs(plan.next_steps),
        ]
    return "".join(parts)


def _columns(today: date) -> tuple[ColumnSpec[PlanSummary], ...]:
    return (
        ColumnSpec("Cycle", lambda p: str(p.cycle), sort_key=lambda p: p.cycle),
        ColumnSpec("Started", lambda p: dmy(p.start_date), sort_key=lambda p: p.start_date),
        ColumnSpec("Review due", lambda p: dmy(p.review_due), sort_key=lambda p: p.review_due),
        ColumnSpec("Status", lambda p: status_text(p, today)),
        ColumnSpec("Outcomes achieved", achieved_text),
    )


class SupportPlansTab(RecordTab):
    """A pupil's support plans. Raises SendeskError when they may not be read.

    ``changed`` is emitted after a plan or review is saved (the next review date may move).
    """

    def build(self) -> None:
        ctx = self.ctx
        self.editable = ctx.may(Action.EDIT_SUPPORT_PLANS)
        self.detail: PlanDetail | None = None
        self.detail_view = QTextBrowser()
        self.detail_view.setAccessibleName("Support plan details")
        self.detail_view.setOpenLinks(False)
        self.plan_list: RecordList[PlanSummary] = RecordList(
            "Support plan cycles",
            _columns(self.today),
            "Support plan cycles",
            intro="Each assess–plan–do–review cycle, newest first. A new cycle starts from "
            "the last review.",
            empty="No support plans yet."
            + (" Start the first cycle with New cycle." if self.editable else ""),
        )
        plans = self.plan_list
        self.table, self.empty_label = plans.view, plans.empty_label
        action = Action.EDIT_SUPPORT_PLANS
        self.new_button, self.edit_button, self.review_button = plans.offer_row(
            ctx,
            (action, "Ne&w cycle…", "New support plan cycle", self.new_cycle),
            (action, "&Edit plan…", "Edit the selected plan", self.edit_plan),
            (action, "Re&view…", "Review the selected plan", self.review_plan),
        )
        plans.selection_changed.connect(self._selection_changed)
        if self.editable:
            self.table.activated.connect(lambda _index: self.edit_plan())
        self.layout_.addWidget(plans, 1)
        self.layout_.addWidget(self.detail_view, 2)

    # --- showing --------------------------------------------------------------------------------

    @property
    def plans(self) -> list[PlanSummary]:
        return self.plan_list.rows

    @property
    def open_plan(self) -> PlanSummary | None:
        return next((p for p in self.plans if not p.is_reviewed), None)

    def reload(self, select_id: int | None = None) -> None:
        """Read the cycles again, keeping (or moving to) the selected plan."""
        self.plan_list.set_rows(
            list_plans(self.ctx.db, self.ctx.actor, self.pupil_id), select=select_id
        )

    def selected_id(self) -> int | None:
        plan = self.plan_list.selected()
        return None if plan is None else plan.id

    def _selection_changed(self) -> None:
        plan_id = self.selected_id()
        self.detail = None
        if plan_id is not None:
            try:
                self.detail = get_plan(self.ctx.db, self.ctx.actor, plan_id)
            except SendeskError as exc:
                self.warn(exc)
        self.detail_view.setHtml(plan_html(self.detail) if self.detail else "")
        self.detail_view.setVisible(self.detail is not None)
        self._update_buttons()

    def _update_buttons(self) -> None:
        if self.new_button is None or self.edit_button is None or self.review_button is None:
            return
        blocked = self.open_plan is not None
        self.new_button.setEnabled(not blocked)
        self.new_button.setToolTip(OPEN_PLAN_REASON if blocked else "")
        chosen = self.detail is not None
        self.edit_button.setEnabled(chosen)
        self.review_button.setEnabled(chosen)
        reviewed = self.detail is not None and self.detail.is_reviewed
        self.review_button.setText("Correct re&view…" if reviewed else "Re&view…")

    # --- actions --------------------------------------------------------------------------------

    def new_cycle(self) -> None:
        """Start the next cycle from the last review (carried-over outcomes pre-filled)."""
        try:
            draft = new_cycle_draft(self.ctx.db, self.ctx.actor, self.pupil_id, today=self.today)
        except SendeskError as exc:
            self.warn(exc)
            return
        last = self.plans[0] if self.plans else None
        note = ""
        if last is not None and last.reviewed_on is not None:
            carried = len(draft.outcomes)
            note = f"This cycle starts from the review of {dmy(last.reviewed_on)}: " + (
                f"{carried} outcome{'s' if carried != 1 else ''} partly or not achieved "
                "carried over; change them as you need."
                if carried
                else "every outcome was achieved, so none carried over."
            )
        editor = SupportPlanEditor(
            self.ctx,
            self.pupil_id,
            None,
            draft,
            self,
            not_before=last.reviewed_on if last is not None else None,
            note=note,
            today=self.today,
        )
        if editor.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()
            self.reload(select_id=editor.plan_id)
        else:
            self.reload()

    def _fresh_detail(self) -> PlanDetail | None:
        plan_id = self.selected_id()
        if plan_id is None:
            return None
        try:
            return get_plan(self.ctx.db, self.ctx.actor, plan_id)
        except SendeskError as exc:
            self.warn(exc)
            return None

    def _plan_to_change(self) -> PlanDetail | None:
        """The selected plan as stored now, when the reader may change it."""
        return self._fresh_detail() if self.editable else None

    def edit_plan(self) -> None:
        plan = self._plan_to_change()
        if plan is None:
            return
        previous = next((p for p in self.plans if p.id == plan.previous_plan_id), None)
        editor = SupportPlanEditor(
            self.ctx,
            self.pupil_id,
            plan,
            None,
            self,
            not_before=previous.reviewed_on if previous is not None else None,
            today=self.today,
        )
        editor.exec()
        if editor.saved:
            self.changed.emit()
        self.reload(select_id=plan.id)

    def review_plan(self) -> None:
        plan = self._plan_to_change()
        if plan is None:
            return
        dialog = PlanReviewDialog(self.ctx, plan, self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()
        self.reload(select_id=plan.id)


__all__ = ["OPEN_PLAN_REASON", "SupportPlansTab", "achieved_text", "plan_html", "status_text"]
