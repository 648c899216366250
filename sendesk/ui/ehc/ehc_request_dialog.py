"""Editing an EHC needs assessment request: the request itself, each step after it, and
the exceptions that extend the statutory clock.

Why three dialogs: the request (who asked, when, which LA, consent, the family's views)
is written once and corrected now and then; the decisions that follow ("the LA agreed to
assess on 02/03", "draft plan sent, naming Hill School") arrive one at a time over twenty
weeks and are each a date with perhaps a yes/no or a setting; and an exception to a limit
(advice asked during the summer closure) is a reason the clock is extended, recorded
beside the request rather than by editing a date. Each dialog saves through
:mod:`sendesk.services.ehc.requests`, which checks the role, the order of the steps and the dates
and says in one sentence what is wrong; the dialog shows that sentence and stays open with
everything typed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules.timeline import (
    EXCEPTION_KINDS,
    end_of_compulsory_school_age,
    is_young_person,
)
from sendesk.services.ehc.records import (
    REQUESTERS,
    SIGNED_BY_MAX,
    SIGNED_ROLE_MAX,
    STEPS,
    VALUE_STEPS,
    RequestData,
    RequestItem,
)
from sendesk.services.ehc.request_steps import available_steps
from sendesk.services.ehc.requests import add_exception, open_request, record_step, update_request
from sendesk.services.register.pupil_record import get_record
from sendesk.ui.context import AppContext
from sendesk.ui.graduated.support_plan_editor import _GuardedDialog, _scrolling, date_edit, text_box
from sendesk.ui.kit.dates import from_qdate, to_qdate
from sendesk.ui.kit.form_dialog import SavingDialog, store_call
from sendesk.ui.kit.forms import form_row, note
from sendesk.ui.ops import Changes
from sendesk.ui.register.pupil_forms import OptionalDate

APP = "SENDesk"
LA_MAX = 120
CASEWORKER_MAX = 120
SIGN_OFF_ROLES = ("Head teacher", "SENCo", "Deputy head teacher")
"""Roles offered for the sign-off (any other may be typed)."""
SETTING_MAX = 200

STEP_LABELS: dict[str, str] = {
    "assess": "Decision whether to assess",
    "advice_asked": "Health and social care advice asked for",
    "advice_received": "Health and social care advice received",
    "issue": "Decision whether to issue a plan",
    "draft": "Draft plan sent",
    "final": "Final plan issued",
    "way_forward": "Way-forward meeting",
    "mediation": "Mediation",
    "mediation_certificate": "Mediation certificate issued",
    "appeal": "Appeal lodged with the tribunal",
    "close": "Request closed",
}
"""What each step of :data:`sendesk.services.ehc.records.STEPS` is called on screen."""

STEP_DATES: dict[str, str] = {
    "assess": "decision_to_assess_on",
    "advice_asked": "advice_asked_on",
    "advice_received": "advice_received_on",
    "issue": "decision_to_issue_on",
    "draft": "draft_sent_on",
    "final": "final_issued_on",
    "way_forward": "way_forward_on",
    "mediation": "mediation_on",
    "mediation_certificate": "mediation_certificate_on",
    "appeal": "appeal_lodged_on",
    "close": "closed_on",
}
"""The request's date column that says each step has happened."""

YES_NO_STEPS = VALUE_STEPS


def step_label(step: str) -> str:
    return STEP_LABELS.get(step, step.replace("_", " ").capitalize())


def step_date(request: RequestItem, step: str) -> date | None:
    value = getattr(request, STEP_DATES.get(step, f"{step}_on"), None)
    return value if isinstance(value, date) else None


def recorded_steps(request: RequestItem) -> list[str]:
    """The steps recorded on ``request``, in the order of :data:`STEPS`."""
    return [s for s in STEPS if step_date(request, s) is not None]


def suggested_step(request: RequestItem, offered: tuple[str, ...]) -> str:
    """The step most likely to come next among ``offered``: the first after the latest one
    recorded (a step passed over, such as the advice, is still offered but not pressed)."""
    order = list(STEPS)
    done = recorded_steps(request)
    last = max((order.index(s) for s in done), default=-1)
    later = [s for s in offered if s not in done and order.index(s) > last]
    if later:
        return later[0]
    return next((s for s in offered if s not in done), offered[-1] if offered else "")


def _dmy(value: date | None) -> str:
    return f"{value:%d/%m/%Y}" if value is not None else "no date"


def exception_kinds() -> list[tuple[str, str]]:
    """(kind, what it is called) for each exception the regulations allow."""
    return list(EXCEPTION_KINDS.items())


def _line(value: str, name: str, limit: int, placeholder: str = "") -> QLineEdit:
    edit = QLineEdit(value)
    edit.setAccessibleName(name)
    edit.setMaxLength(limit)
    if placeholder:
        edit.setPlaceholderText(placeholder)
    return edit


def _date_row(form: QFormLayout, picker: OptionalDate) -> None:
    """An optional date: its checkbox is the row's label (and says what the date is)."""
    form.addRow(picker.check, picker.edit)


def la_choices(ctx: AppContext, extra: tuple[str, ...] = ()) -> list[str]:
    """LA names to offer: the school's own LA, those with settings, any ``extra``."""
    from sendesk.services.ehc.la_profiles import list_la_profiles

    names = [*extra, ctx.school.la_name or ""]
    with contextlib.suppress(SendeskError):  # the names are only suggestions
        names += [p.name for p in list_la_profiles(ctx.db, ctx.actor)]
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        if name.strip() and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


def la_combo(ctx: AppContext, value: str, name: str = "Local authority") -> QComboBox:
    """An editable list of LA names: choose a known one or type another."""
    combo = QComboBox()
    combo.setEditable(True)
    combo.setAccessibleName(name)
    combo.addItems(la_choices(ctx, (value,) if value else ()))
    combo.setCurrentText(value or (ctx.school.la_name or ""))
    line = combo.lineEdit()
    if line is not None:
        line.setMaxLength(LA_MAX)
        line.setAccessibleName(name)
    return combo


def young_person_note(ctx: AppContext, pupil_id: int, today: date) -> str:
    """Whose consent and views the request needs: a young person's own once compulsory
    school age has ended (the last Friday of June of the school year in which they turn
    16: Education Act 1996 s8; CFA 2014 s83(2)), not from the 16th birthday."""
    rule = (
        "A young person consents for themselves once compulsory school age has ended (the "
        "last Friday of June of the school year in which they turn 16), not on their 16th "
        "birthday."
    )
    try:
        born = get_record(ctx.db, ctx.actor, pupil_id).dob
    except SendeskError:
        return rule
    ended = end_of_compulsory_school_age(born)
    if is_young_person(born, today):
        return (
            f"Compulsory school age ended on {_dmy(ended)}: the young person's own consent "
            "and views are needed."
        )
    return f"{rule} For this pupil that is after {_dmy(ended)}."


class RequestDialog(_GuardedDialog):
    """Open a request for ``pupil_id`` (``request`` None) or correct ``request``."""

    what = "request"

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        request: RequestItem | None = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent, changes=Changes.EHC | Changes.DUE)
        self.ctx, self.pupil_id, self.request = ctx, pupil_id, request
        self.today = today or date.today()
        self.request_id: int | None = request.id if request else None
        self.stored.connect(self._remember)
        self.setWindowTitle(
            ("EHC needs assessment request" if request else "Open an EHC needs assessment request")
            + f" — {APP}"
        )
        r = request
        layout = QVBoxLayout(self)
        note(
            layout,
            "The statutory clock starts when the LA receives the request (reg 5); if you do "
            "not know that date, the date it was sent is used. While the request is still "
            "being prepared, leave the date sent unticked: it then has no statutory dates.",
        )
        content = QWidget()
        body = QVBoxLayout(content)
        layout.addWidget(_scrolling(content), 1)

        case = QGroupBox("The request")
        form = QFormLayout(case)
        body.addWidget(case)
        self.requested_by = QComboBox()
        self.requested_by.setAccessibleName("Who requests the assessment")
        for key, label in REQUESTERS.items():
            self.requested_by.addItem(label, key)
        self.requested_by.setCurrentIndex(
            max(self.requested_by.findData(r.requested_by if r else "school"), 0)
        )
        form_row(form, "Re&quested by:", self.requested_by)
        self.la = la_combo(ctx, r.la_name if r else "")
        form_row(form, "&Local authority:", self.la)
        self.caseworker = _line(
            r.caseworker if r else "", "LA caseworker", CASEWORKER_MAX, "Name, if known"
        )
        form_row(form, "LA &caseworker:", self.caseworker)
        self.sent_on = OptionalDate("Sent to the LA &on:", "Date sent to the LA")
        # A new request is being prepared: ticking "sent" is what starts the clock.
        self.sent_on.set_value(r.sent_on if r else None)
        _date_row(form, self.sent_on)
        self.received_on = OptionalDate("Recei&ved by the LA on:", "Date the LA received it")
        self.received_on.set_value(r.received_on if r else None)
        _date_row(form, self.received_on)

        consent = QGroupBox("Consent")
        form = QFormLayout(consent)
        body.addWidget(consent)
        self.consent_on = OptionalDate("&Parent's consent given on:", "Parent's consent date")
        self.consent_on.set_value(r.consent_on if r else None)
        _date_row(form, self.consent_on)
        self.young_person_consent_on = OptionalDate(
            "&Young person's own consent on:", "Young person's consent date"
        )
        self.young_person_consent_on.set_value(r.young_person_consent_on if r else None)
        _date_row(form, self.young_person_consent_on)
        self.young_person_hint = QLabel(young_person_note(ctx, pupil_id, self.today))
        self.young_person_hint.setWordWrap(True)
        form.addRow(self.young_person_hint)

        story = QGroupBox("What the panel reads")
        form = QFormLayout(story)
        body.addWidget(story)

        def text(value: str, name: str, label: str, placeholder: str) -> QPlainTextEdit:
            edit = text_box(name, 3)
            edit.setPlainText(value)
            edit.setPlaceholderText(placeholder)
            form_row(form, label, edit)
            return edit

        self.why_now = text(
            r.why_now if r else "",
            "Why an assessment is asked for now",
            "&Why now:",
            "What has been tried, and why SEN support is not enough",
        )
        self.pupil_views = text(
            r.pupil_views if r else "",
            "The pupil's views",
            "P&upil's views:",
            "In the pupil's own words, where possible",
        )
        self.aspirations = text(
            r.aspirations if r else "",
            "What is important to the pupil, their hopes for the future",
            "&Hopes and what matters:",
            "What is important to me, my hopes for the future",
        )
        self.parent_views = text(
            r.parent_views if r else "",
            "The parents' views",
            "P&arents' views:",
            "What the family wants for the child",
        )
        self.health_info = text(
            r.health_info if r else "",
            "Health information",
            "H&ealth:",
            "Diagnoses, medication, therapies, health professionals involved",
        )
        self.social_care_info = text(
            r.social_care_info if r else "",
            "Social care information",
            "&Social care:",
            "Social worker, early help, child in need or looked-after status",
        )
        self.health_none_known = QCheckBox("No health or social care &needs are known")
        self.health_none_known.setAccessibleName("No health or social care needs are known")
        self.health_none_known.setChecked(bool(r and r.health_none_known))
        form.addRow("", self.health_none_known)

        sign_off = QGroupBox("Signed off for the school")
        form = QFormLayout(sign_off)
        body.addWidget(sign_off)
        self.signed_off_by = _line(
            r.signed_off_by if r else "", "Signed off by", SIGNED_BY_MAX, "Name"
        )
        form_row(form, "Signed off &by:", self.signed_off_by)
        self.signed_off_role = QComboBox()
        self.signed_off_role.setEditable(True)
        self.signed_off_role.setAccessibleName("Role of who signed off")
        self.signed_off_role.addItems(["", *SIGN_OFF_ROLES])
        self.signed_off_role.setCurrentText(r.signed_off_role if r else "")
        role_line = self.signed_off_role.lineEdit()
        if role_line is not None:
            role_line.setMaxLength(SIGNED_ROLE_MAX)
            role_line.setAccessibleName("Role of who signed off")
        form_row(form, "&Role:", self.signed_off_role)
        self.signed_off_on = OptionalDate("Si&gned off on:", "Date signed off")
        self.signed_off_on.set_value(r.signed_off_on if r else None)
        _date_row(form, self.signed_off_on)
        body.addStretch(1)

        for picker in (self.sent_on, self.received_on, self.consent_on):
            picker.connect(self.revalidate)
        self.young_person_consent_on.connect(self.revalidate)
        self.signed_off_on.connect(self.revalidate)
        self.signed_off_by.textChanged.connect(self.revalidate)
        self.signed_off_role.currentTextChanged.connect(self.revalidate)
        self.requested_by.currentIndexChanged.connect(self.revalidate)
        self.la.currentTextChanged.connect(self.revalidate)
        self.caseworker.textChanged.connect(self.revalidate)
        for edit in (
            self.why_now,
            self.pupil_views,
            self.aspirations,
            self.parent_views,
            self.health_info,
            self.social_care_info,
        ):
            edit.textChanged.connect(self.revalidate)
        self.health_none_known.toggled.connect(self.revalidate)
        self._finish_building(layout, "&Save request" if r else "&Open request")
        self.requested_by.setFocus()

    def data(self) -> RequestData:
        return RequestData(
            requested_by=str(self.requested_by.currentData()),
            la_name=self.la.currentText().strip(),
            sent_on=self.sent_on.value(),
            caseworker=self.caseworker.text().strip(),
            received_on=self.received_on.value(),
            consent_on=self.consent_on.value(),
            young_person_consent_on=self.young_person_consent_on.value(),
            why_now=self.why_now.toPlainText(),
            pupil_views=self.pupil_views.toPlainText(),
            parent_views=self.parent_views.toPlainText(),
            health_info=self.health_info.toPlainText(),
            social_care_info=self.social_care_info.toPlainText(),
            health_none_known=self.health_none_known.isChecked(),
            aspirations=self.aspirations.toPlainText(),
            signed_off_by=self.signed_off_by.text().strip(),
            signed_off_role=self.signed_off_role.currentText().strip(),
            signed_off_on=self.signed_off_on.value(),
        )

    def state(self) -> RequestData:
        return self.data()

    def problems(self) -> list[str]:
        d = self.data()
        found = []
        if not d.la_name:
            found.append("name the local authority the request goes to")
        if not d.signed_off_by and (d.signed_off_role or d.signed_off_on):
            found.append("say who signed the request off")
        return found

    def saving(self) -> Callable[[], object] | None:
        """The request's checks read the whole record: saved on the worker thread."""
        return store_call(
            self.ctx,
            self.data(),
            add=open_request,
            owner_id=self.pupil_id,
            update=update_request,
            item=self.request,
            today=self.today,
            changed=self.is_dirty,
        )

    def _remember(self, result: object) -> None:
        if self.request is None and isinstance(result, int):
            self.request_id = result


class StepDialog(SavingDialog):
    """Record one step of ``request``: which, when, and the decision or setting it needs."""

    def __init__(
        self,
        ctx: AppContext,
        request: RequestItem,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent, changes=Changes.EHC | Changes.DUE)
        self.ctx, self.request = ctx, request
        self.today = today or date.today()
        self.setWindowTitle(f"Record a step — {APP}")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        done = set(recorded_steps(request))
        offered = available_steps(request)
        self.step = QComboBox()
        self.step.setAccessibleName("Step")
        for step in offered:
            text = step_label(step)
            if step in done:
                text += f" (correct the entry for {_dmy(step_date(request, step))})"
            self.step.addItem(text, step)
        self.step.setCurrentIndex(max(self.step.findData(suggested_step(request, offered)), 0))
        form_row(form, "&Step:", self.step)
        self.on = date_edit("Date of the step", self.today)
        form_row(form, "&Date:", self.on)

        self.decision_box = QWidget()
        decision = QHBoxLayout(self.decision_box)
        decision.setContentsMargins(0, 0, 0, 0)
        self.yes = QRadioButton("&Yes")
        self.yes.setAccessibleName("The LA said yes")
        self.no = QRadioButton("N&o")
        self.no.setAccessibleName("The LA said no")
        self.decision = QButtonGroup(self)
        self.decision.addButton(self.yes)
        self.decision.addButton(self.no)
        decision.addWidget(self.yes)
        decision.addWidget(self.no)
        decision.addStretch(1)
        self.decision_label = QLabel("The LA's decision:")
        self.decision_label.setBuddy(self.yes)
        form.addRow(self.decision_label, self.decision_box)

        self.setting = _line(
            request.draft_setting,
            "Setting named in the draft plan",
            SETTING_MAX,
            "School or college",
        )
        self.setting_label = QLabel("Setting &named:")
        self.setting_label.setBuddy(self.setting)
        form.addRow(self.setting_label, self.setting)

        self.note = QPlainTextEdit()
        self.note.setAccessibleName("Note")
        self.note.setTabChangesFocus(True)
        self.note.setPlaceholderText("What was said or agreed, what happens next")
        margin = 2 * (self.note.frameWidth() + int(self.note.document().documentMargin()))
        self.note.setFixedHeight(self.note.fontMetrics().lineSpacing() * 3 + margin)
        form_row(form, "No&te:", self.note)

        self.hint = note(layout)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Record")
        ok.setAccessibleName("Record the step")
        self.ok_button = ok
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.save_buttons = self.buttons
        self.step.currentIndexChanged.connect(self._step_changed)
        self.decision.buttonToggled.connect(self._update_ok)
        self.setting.textChanged.connect(self._update_ok)
        self._step_changed()
        self.step.setFocus()

    def chosen(self) -> str:
        return str(self.step.currentData() or "")

    def _step_changed(self) -> None:
        step = self.chosen()
        recorded = step_date(self.request, step) if step else None
        self.on.setDate(to_qdate(recorded or self.today))
        if step in YES_NO_STEPS:
            value = getattr(self.request, f"decided_to_{step}", None)
            self.decision.setExclusive(False)
            self.yes.setChecked(value is True)
            self.no.setChecked(value is False)
            self.decision.setExclusive(True)
        asks_decision = step in YES_NO_STEPS
        for widget in (self.decision_label, self.decision_box):
            widget.setVisible(asks_decision)
        for widget in (self.setting_label, self.setting):
            widget.setVisible(step == "draft")
        hints = {
            "assess": "The LA must decide within 6 weeks of receiving the request.",
            "advice_asked": "Health and social care must give their advice within 6 weeks "
            "of being asked (reg 8).",
            "issue": "If the LA will not issue a plan it must say so within 16 weeks.",
            "draft": "The family has at least 15 days to comment on the draft and name a "
            "setting; name the setting the draft proposes, if it does.",
            "final": "The final plan is due within 20 weeks of the request.",
            "mediation_certificate": "An appeal can be lodged once the certificate is issued.",
        }
        self.hint.setText(hints.get(step, ""))
        self.hint.setVisible(step in hints)
        self.adjustSize()
        self._update_ok()

    def _update_ok(self) -> None:
        step = self.chosen()
        ready = bool(step)
        if step in YES_NO_STEPS:
            ready = ready and (self.yes.isChecked() or self.no.isChecked())
        self.ok_button.setEnabled(ready)

    def accept(self) -> None:
        step = self.chosen()
        if not step:
            return
        value: bool | None = None
        if step in YES_NO_STEPS:
            if not (self.yes.isChecked() or self.no.isChecked()):
                return
            value = self.yes.isChecked()
        db, actor, request, today = self.ctx.db, self.ctx.actor, self.request, self.today
        on = from_qdate(self.on.date())
        setting = self.setting.text().strip() if step == "draft" else ""
        note = self.note.toPlainText().strip()
        self.save_with(  # a conflict closes the dialog: the tab reloads what is stored now
            lambda: record_step(
                db,
                actor,
                request.id,
                request.version,
                step,
                on,
                value=value,
                setting=setting,
                note=note,
                today=today,
            )
        )


class ExceptionDialog(SavingDialog):
    """Record why a statutory limit cannot be met (the clock shows as extended)."""

    def __init__(
        self,
        ctx: AppContext,
        request: RequestItem,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent, changes=Changes.EHC | Changes.DUE)
        self.ctx, self.request = ctx, request
        self.today = today or date.today()
        self.exception_id: int | None = None
        self.stored.connect(lambda new_id: setattr(self, "exception_id", new_id))
        self.setWindowTitle(f"Record an exception to the time limits — {APP}")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "The regulations allow a limit to be missed for these reasons only (regs 5(4), "
            "10(4), 13(3)). The clock then shows as extended, with the reason, rather than "
            "late."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        layout.addLayout(form)
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind of exception")
        for key, label in exception_kinds():
            self.kind.addItem(label, key)
        form_row(form, "&Kind:", self.kind)
        self.reason = QPlainTextEdit()
        self.reason.setAccessibleName("Reason for the exception")
        self.reason.setTabChangesFocus(True)
        self.reason.setPlaceholderText(
            "For example: EP advice asked on 15/07; school closed 22/07 to 03/09"
        )
        form_row(form, "&Reason:", self.reason)
        self.recorded_on = date_edit("Date recorded", self.today)
        form_row(form, "&Date:", self.recorded_on)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Record")
        ok.setAccessibleName("Record the exception")
        self.ok_button = ok
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.save_buttons = self.buttons
        self.reason.textChanged.connect(
            lambda: self.ok_button.setEnabled(bool(self.reason.toPlainText().strip()))
        )
        self.ok_button.setEnabled(False)
        self.kind.setFocus()

    def accept(self) -> None:
        reason = self.reason.toPlainText().strip()
        if not reason:
            return
        db, actor, request_id, today = self.ctx.db, self.ctx.actor, self.request.id, self.today
        kind, on = str(self.kind.currentData()), from_qdate(self.recorded_on.date())
        self.save_with(lambda: add_exception(db, actor, request_id, kind, reason, on, today=today))


__all__ = [
    "STEP_LABELS",
    "ExceptionDialog",
    "RequestDialog",
    "StepDialog",
    "exception_kinds",
    "la_combo",
    "recorded_steps",
    "step_date",
    "step_label",
    "suggested_step",
]
