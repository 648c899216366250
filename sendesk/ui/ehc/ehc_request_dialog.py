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
from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules.dates import dmy
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
from sendesk.services.ehc.request_steps import STEP_DATES, available_steps
from sendesk.services.ehc.requests import add_exception, open_request, record_step, update_request
from sendesk.services.register.pupil_record import get_record
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP
from sendesk.ui.kit.dates import OptionalDate, date_edit, from_qdate, to_qdate
from sendesk.ui.kit.field_widgets import (
    choice,
    date_row,
    labelled,
    line_edit,
    named_ok,
    text_row,
    typed_choice,
    watch_fields,
)
from sendesk.ui.kit.form_dialog import SavingDialog, store_call
from sendesk.ui.kit.forms import form_row, note, scrolling, side_by_side, text_box
from sendesk.ui.kit.guarded_dialog import GuardedDialog
from sendesk.ui.ops import Changes

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

YES_NO_STEPS = VALUE_STEPS

STORY_FIELDS: tuple[tuple[str, str, str, str], ...] = (
    (
        "why_now",
        "&Why now:",
        "Why an assessment is asked for now",
        "What has been tried, and why SEN support is not enough",
    ),
    (
        "pupil_views",
        "P&upil's views:",
        "The pupil's views",
        "In the pupil's own words, where possible",
    ),
    (
        "aspirations",
        "&Hopes and what matters:",
        "What is important to the pupil, their hopes for the future",
        "What is important to me, my hopes for the future",
    ),
    (
        "parent_views",
        "P&arents' views:",
        "The parents' views",
        "What the family wants for the child",
    ),
    (
        "health_info",
        "H&ealth:",
        "Health information",
        "Diagnoses, medication, therapies, health professionals involved",
    ),
    (
        "social_care_info",
        "&Social care:",
        "Social care information",
        "Social worker, early help, child in need or looked-after status",
    ),
)
"""The request's free-text fields, as the panel reads them: (attribute of the request and
of the dialog, label, name for a screen reader, hint while empty)."""


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


def exception_kinds() -> list[tuple[str, str]]:
    """(kind, what it is called) for each exception the regulations allow."""
    return list(EXCEPTION_KINDS.items())


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
    choices = la_choices(ctx, (value,) if value else ())
    return typed_choice(name, choices, value or (ctx.school.la_name or ""), LA_MAX)


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
            f"Compulsory school age ended on {dmy(ended)}: the young person's own consent "
            "and views are needed."
        )
    return f"{rule} For this pupil that is after {dmy(ended)}."


class EhcRecordDialog(GuardedDialog):
    """Add one record of a pupil's EHC file (``item`` None) or correct ``item``: the
    request, the plan, an annual review.

    What they share: guarded (a check before OK, a question before losing work), a note
    over sections of a form that scrolls, and the services' add/update shape
    (:func:`store_call`) with ``ADD`` and ``UPDATE``, saved on the worker; ``saved_id`` is
    the record's id once it is stored. A subclass says its ``TITLES`` and ``OK_TEXTS``
    (correcting, adding), its :meth:`intro`, :meth:`build` (its sections) and ``data()``.
    """

    ADD: Callable[..., object]
    UPDATE: Callable[..., object]
    TITLES: tuple[str, str]
    OK_TEXTS: tuple[str, str]
    CHANGES = Changes.EHC | Changes.DUE | Changes.PUPIL

    def __init__(
        self,
        ctx: AppContext,
        owner_id: int,
        item: Any = None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent, changes=self.CHANGES)
        self.ctx, self.owner_id, self.item = ctx, owner_id, item
        self.today = today or date.today()
        self.saved_id: int | None = item.id if item else None
        self.stored.connect(self._remember)
        adding = item is None
        self.setWindowTitle(f"{self.TITLES[adding]} — {APP}")
        self.layout_ = QVBoxLayout(self)
        if intro := self.intro(item):
            note(self.layout_, intro)
        body = self.scrolling_body()
        first = self.build(body, item)
        body.addStretch(1)
        watch_fields(self.revalidate, self)  # every field: the check reads the whole form
        self._finish_building(self.layout_, self.OK_TEXTS[adding])
        first.setFocus()

    def intro(self, item: Any) -> str:
        """What the note over the form says (nothing by default)."""
        return ""

    def build(self, body: QVBoxLayout, item: Any) -> QWidget:
        """Add the form's sections to ``body``; returns the field to start in."""
        raise NotImplementedError

    def scrolling_body(self) -> QVBoxLayout:
        """The part of the dialog that scrolls, under what is already in it."""
        content = QWidget()
        self.layout_.addWidget(scrolling(content), 1)
        return QVBoxLayout(content)

    def optional_date(self, form: QFormLayout, attr: str, label: str, name: str) -> OptionalDate:
        """A date that may be empty, as the row ``label``, showing the record's ``attr``
        (empty for a new record)."""
        return date_row(form, label, name, getattr(self.item, attr, None), self.today)

    @staticmethod
    def section(body: QVBoxLayout, title: str) -> QFormLayout:
        """A titled box of labelled rows, added to ``body``."""
        box = QGroupBox(title)
        body.addWidget(box)
        return QFormLayout(box)

    def data(self) -> Any:
        raise NotImplementedError

    def state(self) -> Any:
        return self.data()

    def saving(self) -> Callable[[], object] | None:
        """The record's checks read the whole file: saved on the worker thread."""
        return store_call(
            self.ctx,
            self.data(),
            add=type(self).ADD,
            owner_id=self.owner_id,
            update=type(self).UPDATE,
            item=self.item,
            today=self.today,
            changed=self.is_dirty,
        )

    def _remember(self, result: object) -> None:
        if self.item is None and isinstance(result, int):
            self.saved_id = result


class RequestDialog(EhcRecordDialog):
    """Open a request for the pupil (``item`` None) or correct ``item``, a request:
    ``RequestDialog(ctx, pupil_id, request, parent, today=)``."""

    what = "request"
    ADD = staticmethod(open_request)
    UPDATE = staticmethod(update_request)
    TITLES = ("EHC needs assessment request", "Open an EHC needs assessment request")
    OK_TEXTS = ("&Save request", "&Open request")
    CHANGES = Changes.EHC | Changes.DUE

    def intro(self, item: RequestItem | None) -> str:
        return (
            "The statutory clock starts when the LA receives the request (reg 5); if you do "
            "not know that date, the date it was sent is used. While the request is still "
            'being prepared, leave "Not yet" ticked beside the date sent: it then has no '
            "statutory dates."
        )

    def build(self, body: QVBoxLayout, r: RequestItem | None) -> QWidget:
        self.pupil_id, self.request = self.owner_id, r
        form = self.section(body, "The request")
        self.requested_by = choice(
            "Who requests the assessment", labelled(REQUESTERS), r.requested_by if r else "school"
        )
        form_row(form, "Re&quested by:", self.requested_by)
        self.la = la_combo(self.ctx, r.la_name if r else "")
        form_row(form, "&Local authority:", self.la)
        self.caseworker = line_edit(
            "LA caseworker", CASEWORKER_MAX, "Name, if known", r.caseworker if r else ""
        )
        form_row(form, "LA &caseworker:", self.caseworker)
        # A new request is being prepared: a date sent is what starts the clock.
        self.sent_on = self.optional_date(
            form, "sent_on", "Sent to the LA &on:", "Date sent to the LA"
        )
        self.received_on = self.optional_date(
            form, "received_on", "Recei&ved by the LA on:", "Date the LA received it"
        )

        form = self.section(body, "Consent")
        self.consent_on = self.optional_date(
            form, "consent_on", "&Parent's consent given on:", "Parent's consent date"
        )
        self.young_person_consent_on = self.optional_date(
            form,
            "young_person_consent_on",
            "&Young person's own consent on:",
            "Young person's consent date",
        )
        self.young_person_hint = QLabel(young_person_note(self.ctx, self.pupil_id, self.today))
        self.young_person_hint.setWordWrap(True)
        form.addRow(self.young_person_hint)

        form = self.section(body, "What the panel reads")
        self.story: list[QPlainTextEdit] = []
        for attr, label, name, placeholder in STORY_FIELDS:
            value = getattr(r, attr) if r else ""
            self.story.append(text_row(form, label, text_box(name, 3), value, placeholder))
            setattr(self, attr, self.story[-1])
        self.health_none_known = QCheckBox("No health or social care &needs are known")
        self.health_none_known.setAccessibleName("No health or social care needs are known")
        self.health_none_known.setChecked(bool(r and r.health_none_known))
        form.addRow("", self.health_none_known)

        form = self.section(body, "Signed off for the school")
        self.signed_off_by = line_edit(
            "Signed off by", SIGNED_BY_MAX, "Name", r.signed_off_by if r else ""
        )
        form_row(form, "Signed off &by:", self.signed_off_by)
        self.signed_off_role = typed_choice(
            "Role of who signed off",
            ["", *SIGN_OFF_ROLES],
            r.signed_off_role if r else "",
            SIGNED_ROLE_MAX,
        )
        form_row(form, "&Role:", self.signed_off_role)
        self.signed_off_on = self.optional_date(
            form, "signed_off_on", "Si&gned off on:", "Date signed off"
        )

        return self.requested_by

    def data(self) -> RequestData:
        return RequestData(
            requested_by=str(self.requested_by.currentData()),
            la_name=self.la.currentText().strip(),
            sent_on=self.sent_on.value(),
            caseworker=self.caseworker.text().strip(),
            received_on=self.received_on.value(),
            consent_on=self.consent_on.value(),
            young_person_consent_on=self.young_person_consent_on.value(),
            health_none_known=self.health_none_known.isChecked(),
            signed_off_by=self.signed_off_by.text().strip(),
            signed_off_role=self.signed_off_role.currentText().strip(),
            signed_off_on=self.signed_off_on.value(),
            **{
                attr: edit.toPlainText()
                for (attr, *_), edit in zip(STORY_FIELDS, self.story, strict=True)
            },
        )

    @property
    def request_id(self) -> int | None:
        """The request's id: the one corrected, or the one opened once it is stored."""
        return self.saved_id

    def problems(self) -> list[str]:
        d = self.data()
        found = []
        if not d.la_name:
            found.append("name the local authority the request goes to")
        if not d.signed_off_by and (d.signed_off_role or d.signed_off_on):
            found.append("say who signed the request off")
        return found


class EhcEntryDialog(SavingDialog):
    """Something recorded against a record of the EHC file (a request's step or exception,
    a plan's end), saved on the worker: its ``TITLE``, then what :meth:`build` puts in
    ``layout`` for ``record``."""

    TITLE = ""
    CHANGES = Changes.EHC | Changes.DUE

    def __init__(
        self,
        ctx: AppContext,
        record: Any,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent, changes=self.CHANGES)
        self.ctx = ctx
        self.today = today or date.today()
        self.setWindowTitle(f"{self.TITLE} — {APP}")
        self.build(QVBoxLayout(self), record)

    def build(self, layout: QVBoxLayout, record: Any) -> None:
        raise NotImplementedError


class StepDialog(EhcEntryDialog):
    """Record one step of ``request``: which, when, and the decision or setting it needs."""

    TITLE = "Record a step"

    def build(self, layout: QVBoxLayout, request: RequestItem) -> None:
        self.request = request
        form = QFormLayout()
        layout.addLayout(form)
        done = set(recorded_steps(request))
        offered = available_steps(request)

        def shown(step: str) -> str:
            if step not in done:
                return step_label(step)
            on = dmy(step_date(request, step), "no date")
            return f"{step_label(step)} (correct the entry for {on})"

        self.step = choice(
            "Step", [(shown(s), s) for s in offered], suggested_step(request, offered)
        )
        form_row(form, "&Step:", self.step)
        self.on = date_edit("Date of the step", self.today)
        form_row(form, "&Date:", self.on)

        self.yes = QRadioButton("&Yes")
        self.yes.setAccessibleName("The LA said yes")
        self.no = QRadioButton("N&o")
        self.no.setAccessibleName("The LA said no")
        self.decision = QButtonGroup(self)
        self.decision.addButton(self.yes)
        self.decision.addButton(self.no)
        self.decision_box = side_by_side(self.yes, self.no)
        self.decision_label = QLabel("The LA's decision:")
        self.decision_label.setBuddy(self.yes)
        form.addRow(self.decision_label, self.decision_box)

        self.setting = line_edit(
            "Setting named in the draft plan",
            SETTING_MAX,
            "School or college",
            request.draft_setting,
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
        self.ok_button = named_ok(self, layout, "&Record", "Record the step")
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


class ExceptionDialog(EhcEntryDialog):
    """Record why a statutory limit cannot be met (the clock shows as extended)."""

    TITLE = "Record an exception to the time limits"

    def build(self, layout: QVBoxLayout, request: RequestItem) -> None:
        self.request = request
        self.exception_id: int | None = None
        self.stored.connect(lambda new_id: setattr(self, "exception_id", new_id))
        note(
            layout,
            "The regulations allow a limit to be missed for these reasons only (regs 5(4), "
            "10(4), 13(3)). The clock then shows as extended, with the reason, rather than "
            "late.",
        )
        form = QFormLayout()
        layout.addLayout(form)
        self.kind = choice("Kind of exception", labelled(dict(exception_kinds())))
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
        self.ok_button = named_ok(self, layout, "&Record", "Record the exception")
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
