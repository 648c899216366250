"""The "Meetings & parents" tab of the pupil window (issue 15).

Why one tab for all of it: what a SENCo does with a family goes together — book the review
meeting, write the invitation letter, record who came and what they said, give parents a
plain summary of the plan, and write the pupil's one-page profile with them. The tab lists
the pupil's meetings (newest first) and shows the selected one whole: when and where, who
was invited, who came and what each said, and — for an EHC annual review — whether the
2-week notice (reg 20) is kept. Staff who work with the pupil read it all; only what the
permission table allows them is offered as a button.

Every save goes through :class:`sendesk.ui.ops.Op` (off the GUI thread) to the services,
which check the role, the rules and the version again. Dialogs save in their own accept
(and stay open with the one sentence when a save is refused).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from datetime import date, time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTime
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QTextBrowser,
    QTimeEdit,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules import meetings as rules
from sendesk.rules.dates import dmy
from sendesk.rules.permissions import Action
from sendesk.services.graduated.meetings import (
    MeetingItem,
    Scheduled,
    list_meetings,
    move_meeting,
    record_attendance,
    schedule_meeting,
)
from sendesk.services.graduated.one_page_profile import (
    HEADINGS,
    ProfileData,
    ProfileDraft,
    profile_data,
    save_profile,
)
from sendesk.services.graduated.parent_summary import parent_summary_data, set_how_you_can_help
from sendesk.services.register.pupil_record import get_record
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, dialog_buttons, warn
from sendesk.ui.kit.dates import date_edit, from_qdate, to_qdate
from sendesk.ui.kit.edit_table import EditColumn, EditRowsModel, EditView, edit_view
from sendesk.ui.kit.forms import note
from sendesk.ui.kit.record_tab import RecordTab
from sendesk.ui.kit.table_model import ColumnSpec, RowsModel
from sendesk.ui.kit.table_view import read_only_view, select_record, selected_record
from sendesk.ui.ops import Changes, Op, ProgressFn

MEETING_COLUMNS: tuple[ColumnSpec[MeetingItem], ...] = (
    ColumnSpec("Date", lambda m: dmy(m.meeting_on)),
    ColumnSpec("Time", lambda m: m.time_text),
    ColumnSpec("Meeting", lambda m: m.kind_words),
    ColumnSpec("Place", lambda m: m.place),
    ColumnSpec("Where it stands", lambda m: m.status_words),
)
WARNING_STYLE = "color: #8A2A0A; font-weight: bold;"


def _save(parent: QWidget, call: Callable[[ProgressFn], Any], changes: Changes) -> Any:
    """Run a save on the worker and wait for it; the one sentence if it is refused (then
    None is returned and nothing was saved)."""
    op = Op(parent, call, failure=lambda _exc: None, changes=changes).run().wait(600_000)
    if op.error is not None:
        if isinstance(op.error, SendeskError):
            QMessageBox.warning(parent, APP, str(op.error))
            return None
        raise op.error
    return op.result


class _SaveDialog(QDialog):
    """A dialog whose Save runs one service call (:meth:`call`, read from the form on the
    GUI thread) and waits for it: closed with the service's answer in :attr:`result_value`,
    or left open with the one sentence when the save is refused."""

    changes = Changes.PUPIL
    result_value: Any = None

    def save_cancel(self, layout: QVBoxLayout) -> QDialogButtonBox:
        """Save and Cancel at the end of ``layout``."""
        return dialog_buttons(self, layout, save=True)[0]

    def call(self) -> Callable[[], Any]:
        raise NotImplementedError

    def accept(self) -> None:
        call = self.call()
        result = _save(self, lambda _p: call(), self.changes)
        if result is None:
            return
        self.result_value = result
        super().accept()


def meeting_html(m: MeetingItem, today: date) -> str:
    """The meeting whole, as simple HTML a screen reader reads in order."""
    e = html.escape
    parts = [
        f"<h3>{e(m.kind_words)}: {m.meeting_on:%A} {dmy(m.meeting_on)} at {e(m.time_text)}</h3>",
        f"<p><b>Where:</b> {e(m.place)}<br><b>What it is for:</b> {e(m.purpose)}</p>",
    ]
    sent = (
        f"Invitations sent {dmy(m.invitations_sent_on)}."
        if m.invitations_sent_on
        else "Invitations not sent yet"
        + (f": send them by {dmy(m.invitations_by)}." if m.invitations_by else ".")
    )
    views = f" Parents' views asked for by {dmy(m.views_by)}." if m.views_by else ""
    parts.append(f"<p>{e(sent + views)}</p>")
    warning = m.notice_warning(today) if m.held_on is None else None
    if warning:
        parts.append(f"<p><b>{e(warning)}</b></p>")
    parts.append("<h4>Invited</h4><ul>")
    for p in m.invitees:
        parts.append(f"<li>{e(p.name)} ({e(p.role)})</li>")
    parts.append("</ul>")
    if m.held_on is not None:
        parts.append(f"<h4>Who came ({dmy(m.held_on)})</h4><ul>")
        for p in m.people:
            came = "came" if p.attended else "did not come"
            said = f": “{e(p.contribution)}”" if p.contribution else ""
            parts.append(f"<li><b>{e(p.name)}</b> ({e(p.role)}), {came}{said}</li>")
        parts.append("</ul>")
        if m.notes:
            parts.append(f"<h4>What was agreed</h4><p>{e(m.notes)}</p>")
    return "".join(parts)


# --- booking ------------------------------------------------------------------------------


def _column(header: str, field: str, **how: Any) -> EditColumn[Any]:
    """A column editing the dataclass field ``field`` of its rows."""
    return EditColumn(
        header,
        lambda row: getattr(row, field),
        lambda row, value: replace(row, **{field: value}),
        lambda n: f"{header}, person {n + 1}",
        **how,
    )


INVITEE_COLUMNS: tuple[EditColumn[rules.InviteeDraft], ...] = (
    _column("Name", "name"),
    _column("Role or relationship", "role"),
    _column("Parent or carer", "parent", check=True),
)


def attendee_columns(invited: set[int]) -> tuple[EditColumn[rules.AttendeeDraft], ...]:
    """Name, role, came (a tick), what they said. The name and role of someone
    ``invited`` (their ids) are the booking's; whoever else came is typed in."""

    def typed(person: rules.AttendeeDraft) -> bool:
        return person.person_id not in invited

    return (
        _column("Name", "name", editable=typed),
        _column("Role", "role", editable=typed),
        _column("Came", "attended", check=True),
        _column("What they said", "contribution"),
    )


class PeopleTable(EditView):
    """Name, role or relationship, parent or carer (a tick); editable, one person a row."""

    def __init__(self, name: str) -> None:
        self.people: EditRowsModel[rules.InviteeDraft] = EditRowsModel(INVITEE_COLUMNS)
        super().__init__(self.people, name, stretch=1)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)

    def add_person(self, name: str = "", role: str = "", parent: bool = False) -> int:
        return self.people.add(rules.InviteeDraft(name, role, parent))

    def text(self, row: int, column: int) -> str:
        return str(self.people.index(row, column).data() or "")

    def ticked(self, row: int, column: int) -> bool:
        state = self.people.index(row, column).data(Qt.ItemDataRole.CheckStateRole)
        return state == Qt.CheckState.Checked

    def remove_selected(self) -> None:
        for row in sorted({i.row() for i in self.selectedIndexes()}, reverse=True):
            self.people.remove(row)

    def invitees(self) -> tuple[rules.InviteeDraft, ...]:
        """The rows typed in (wholly blank rows left out)."""
        return tuple(p for p in self.people.rows if p.name.strip() or p.role.strip())


class ScheduleDialog(_SaveDialog):
    """Book a review meeting (``meeting`` None) or change a booked one."""

    changes = Changes.PUPIL | Changes.DUE

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        meeting: MeetingItem | None,
        parents: list[tuple[str, str]],
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.pupil_id, self.meeting = ctx, pupil_id, meeting
        self.today = today or date.today()
        self.setWindowTitle("Change the meeting" if meeting else "Schedule a review meeting")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)

        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind of meeting")
        for key, words in rules.KINDS.items():
            self.kind_combo.addItem(words, key)
        form.addRow("&Meeting:", self.kind_combo)
        self.date_edit = date_edit("Meeting date", self.today)
        form.addRow("&Date:", self.date_edit)
        self.time_edit = QTimeEdit()
        self.time_edit.setDisplayFormat("HH:mm")
        self.time_edit.setAccessibleName("Start time")
        form.addRow("&Time:", self.time_edit)
        self.place_edit = QLineEdit()
        self.place_edit.setMaxLength(rules.PLACE_MAX)
        self.place_edit.setAccessibleName("Place")
        form.addRow("&Place:", self.place_edit)
        self.purpose_edit = QPlainTextEdit()
        self.purpose_edit.setAccessibleName("What the meeting is for")
        self.purpose_edit.setPlaceholderText("Leave empty for the usual plain words")
        self.purpose_edit.setMaximumHeight(70)
        form.addRow("What it is &for:", self.purpose_edit)
        self.views_edit = date_edit("Parents' views wanted by", self.today)
        form.addRow("&Views by:", self.views_edit)

        layout.addWidget(QLabel("Who is invited (tick parents and carers: the letter is to them):"))
        self.people = PeopleTable("People invited")
        layout.addWidget(self.people, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("&Add a person")
        self.add_button.setAccessibleName("Add a person to invite")
        self.add_button.clicked.connect(lambda: self.people.add_person())
        self.remove_button = QPushButton("&Remove")
        self.remove_button.setAccessibleName("Remove the selected person")
        self.remove_button.clicked.connect(self._remove)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        layout.addLayout(row)

        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet(WARNING_STYLE)
        self.notice_label.setAccessibleName("Notice warning")
        layout.addWidget(self.notice_label)
        self.buttons = self.save_cancel(layout)

        if meeting is not None:
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(meeting.kind))
            self.kind_combo.setEnabled(False)
            self.date_edit.setDate(to_qdate(meeting.meeting_on))
            self.time_edit.setTime(QTime(meeting.starts_at.hour, meeting.starts_at.minute))
            self.place_edit.setText(meeting.place)
            self.purpose_edit.setPlainText(meeting.purpose)
            self.views_edit.setDate(to_qdate(meeting.views_by or meeting.meeting_on))
            for p in meeting.invitees:
                self.people.add_person(p.name, p.role, p.parent)
            self.people.setEnabled(meeting.held_on is None)
        else:
            start = self.today.toordinal() + 21
            self.date_edit.setDate(to_qdate(date.fromordinal(start)))
            self.time_edit.setTime(QTime(15, 30))
            self.views_edit.setDate(to_qdate(rules.default_views_by(date.fromordinal(start))))
            for name, relationship in parents:
                self.people.add_person(name, relationship or "Parent", True)
            if not parents:
                self.people.add_person("", "Parent", True)
        self.kind_combo.currentIndexChanged.connect(self._update_notice)
        self.date_edit.dateChanged.connect(self._date_changed)
        self._update_notice()

    def _remove(self) -> None:
        self.people.remove_selected()

    def _date_changed(self) -> None:
        self.views_edit.setDate(to_qdate(rules.default_views_by(from_qdate(self.date_edit.date()))))
        self._update_notice()

    def _update_notice(self) -> None:
        """The 2-week notice of an annual review, as the date is chosen."""
        chosen = from_qdate(self.date_edit.date())
        # a new day needs a new letter (the service marks the invitations as not sent)
        sent = (
            self.meeting.invitations_sent_on
            if self.meeting is not None and chosen == self.meeting.meeting_on
            else None
        )
        warning = rules.notice_warning(self.kind_combo.currentData(), chosen, sent, self.today)
        self.notice_label.setText(warning or "")
        self.notice_label.setVisible(bool(warning))

    def draft(self) -> rules.MeetingDraft:
        at = self.time_edit.time()
        return rules.MeetingDraft(
            kind=self.kind_combo.currentData(),
            meeting_on=from_qdate(self.date_edit.date()),
            starts_at=time(at.hour(), at.minute()),
            place=self.place_edit.text(),
            invitees=self.people.invitees(),
            purpose=self.purpose_edit.toPlainText(),
            views_by=from_qdate(self.views_edit.date()),
        )

    @property
    def scheduled(self) -> Scheduled | None:
        """What the service stored (None until saved)."""
        scheduled: Scheduled | None = self.result_value
        return scheduled

    def call(self) -> Callable[[], Any]:
        draft, db, actor, today = self.draft(), self.ctx.db, self.ctx.actor, self.today
        meeting, pupil_id = self.meeting, self.pupil_id
        if meeting is None:
            return lambda: schedule_meeting(db, actor, pupil_id, draft, today=today)
        return lambda: move_meeting(db, actor, meeting.id, meeting.version, draft, today=today)


# --- who came -------------------------------------------------------------------------------


class _VersionDialog(_SaveDialog):
    """A save whose answer is the record's new version."""

    @property
    def saved_version(self) -> int | None:
        """The version the service stored (None until saved)."""
        version: int | None = self.result_value
        return version


class AttendanceDialog(_VersionDialog):
    """Record who came to a meeting and what each one said."""

    changes = Changes.PUPIL | Changes.DUE

    def __init__(
        self,
        ctx: AppContext,
        meeting: MeetingItem,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.meeting = ctx, meeting
        self.today = today or date.today()
        self.setWindowTitle("Who came to the meeting")
        self.resize(760, 460)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.held_edit = date_edit("Date held", meeting.held_on or meeting.meeting_on)
        form.addRow("&Held on:", self.held_edit)
        layout.addLayout(form)
        layout.addWidget(
            QLabel("Tick who came, and write what each one said (their views, in brief):")
        )
        invited = {p.id for p in meeting.people if p.invited}
        self.model: EditRowsModel[rules.AttendeeDraft] = EditRowsModel(
            attendee_columns(invited), self
        )
        self.table = edit_view(self.model, "People at the meeting")
        for p in meeting.people:
            # before anything is recorded everyone invited is ticked: most come
            self.add_row(p.name, p.role, p.attended is not False, p.contribution, p.parent, p.id)
        layout.addWidget(self.table, 1)
        self.add_button = QPushButton("&Add someone who came")
        self.add_button.setAccessibleName("Add someone who came without an invitation")
        self.add_button.clicked.connect(lambda: self.add_row("", "", True, "", False, None))
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(QLabel("What was &agreed:"))
        self.notes_edit = QPlainTextEdit(meeting.notes)
        self.notes_edit.setAccessibleName("What was agreed")
        self.notes_edit.setMaximumHeight(90)
        layout.addWidget(self.notes_edit)
        self.save_cancel(layout)

    def add_row(
        self, name: str, role: str, came: bool, said: str, parent: bool, person_id: int | None
    ) -> int:
        return self.model.add(rules.AttendeeDraft(name, role, came, said, parent, person_id))

    def people(self) -> tuple[rules.AttendeeDraft, ...]:
        return tuple(
            p for p in self.model.rows if p.person_id is not None or (p.name + p.role).strip()
        )

    def call(self) -> Callable[[], Any]:
        db, actor, m, today = self.ctx.db, self.ctx.actor, self.meeting, self.today
        people, notes = self.people(), self.notes_edit.toPlainText()
        held = from_qdate(self.held_edit.date())
        return lambda: record_attendance(
            db, actor, m.id, m.version, people, notes, held_on=held, today=today
        )


# --- the pupil's profile and what parents can do --------------------------------------------


class ProfileDialog(_VersionDialog):
    """Write the one-page profile with the pupil: three parts, each with "these are the
    pupil's own words"."""

    def __init__(
        self,
        ctx: AppContext,
        data: ProfileData,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.data = ctx, data
        self.today = today or date.today()
        first = data.name.split(" ", 1)[0]
        self.setWindowTitle(f"One-page profile: written with {first}")
        self.resize(640, 560)
        layout = QVBoxLayout(self)
        note(
            layout,
            f"Write each part with {first}. Tick “{first}'s own words” when the words are "
            f"theirs: the page shows them in quotation marks, as {first}'s.",
        )
        grid = QGridLayout()
        layout.addLayout(grid, 1)
        draft = data.draft()
        self.texts: dict[str, QPlainTextEdit] = {}
        self.own: dict[str, QCheckBox] = {}
        for row, (key, heading) in enumerate(HEADINGS.items()):
            label = QLabel(f"<b>{html.escape(heading)}</b>")
            edit = QPlainTextEdit(getattr(draft, key))
            edit.setAccessibleName(heading)
            own = QCheckBox(f"{first}'s own words")
            own.setAccessibleName(f"{heading}: the pupil's own words")
            own.setChecked(getattr(draft, f"{key}_own"))
            grid.addWidget(label, row * 2, 0)
            grid.addWidget(own, row * 2, 1, Qt.AlignmentFlag.AlignRight)
            grid.addWidget(edit, row * 2 + 1, 0, 1, 2)
            self.texts[key], self.own[key] = edit, own
        form = QFormLayout()
        self.written_edit = date_edit("Written with the pupil on", draft.written_on)
        form.addRow(f"&Written with {first} on:", self.written_edit)
        layout.addLayout(form)
        self.save_cancel(layout)

    def draft(self) -> ProfileDraft:
        return ProfileDraft(
            **{k: e.toPlainText() for k, e in self.texts.items()},
            **{f"{k}_own": c.isChecked() for k, c in self.own.items()},
            written_on=from_qdate(self.written_edit.date()),
        )

    def call(self) -> Callable[[], Any]:
        db, actor, d, today = self.ctx.db, self.ctx.actor, self.data, self.today
        draft = self.draft()
        return lambda: save_profile(db, actor, d.pupil_id, d.version, draft, today=today)


class HelpDialog(_SaveDialog):
    """What the SENCo asks of the family, kept with the current support plan."""

    def __init__(
        self,
        ctx: AppContext,
        plan_id: int,
        version: int,
        text: str,
        first: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx, self.plan_id, self.version = ctx, plan_id, version
        self.setWindowTitle("How you can help")
        layout = QVBoxLayout(self)
        note(
            layout,
            f"What can {first}'s family do at home? One idea a line, in plain words. It is "
            "printed under “How you can help” in the parents' summary.",
        )
        self.text_edit = QPlainTextEdit(text)
        self.text_edit.setAccessibleName("How you can help")
        layout.addWidget(self.text_edit, 1)
        self.save_cancel(layout)

    def call(self) -> Callable[[], Any]:
        db, actor, plan_id, version = self.ctx.db, self.ctx.actor, self.plan_id, self.version
        text = self.text_edit.toPlainText()
        return lambda: set_how_you_can_help(db, actor, plan_id, version, text)


# --- the tab --------------------------------------------------------------------------------


class MeetingsTab(RecordTab):
    """A pupil's review meetings and the documents for their family.

    ``changed`` is emitted after a meeting, the profile or "how you can help" is saved."""

    def build(self) -> None:
        ctx, layout = self.ctx, self.layout_
        self.meetings: list[MeetingItem] = []
        note(
            layout,
            "Review meetings with the family, newest first: who was invited, who came and "
            "what they said. An EHC annual review needs its invitations out 2 weeks before.",
        )
        self.model: RowsModel[MeetingItem] = RowsModel(MEETING_COLUMNS)
        self.table = read_only_view(self.model, "Review meetings")
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel("No review meetings booked yet.")
        layout.addWidget(self.empty_label)
        self.notice_label = QLabel()
        self.notice_label.setWordWrap(True)
        self.notice_label.setStyleSheet(WARNING_STYLE)
        self.notice_label.setAccessibleName("Notice warning")
        layout.addWidget(self.notice_label)

        manage = ctx.may(Action.MANAGE_MEETINGS)
        self.buttons: dict[str, QPushButton] = {}
        meeting_row = QHBoxLayout()
        family_row = QHBoxLayout()
        views, plans = ctx.may(Action.VIEW_SUPPORT_PLANS), ctx.may(Action.EDIT_SUPPORT_PLANS)
        for key, text, name, slot, allowed, row in (
            ("schedule", "Sche&dule…", "Schedule a review meeting", self.schedule, manage,
             meeting_row),
            ("change", "Edi&t…", "Change the selected meeting", self.change_meeting, manage,
             meeting_row),
            ("letter", "&Write the invitation letter…", "Write the invitation letter to parents",
             self.write_letter, manage, meeting_row),
            ("record", "Rec&ord who came…", "Record who came and what they said",
             self.record_who_came, manage, meeting_row),
            ("summary", "Parents' s&ummary…", "Save the parents' summary of the support plan",
             self.save_summary, views, family_row),
            ("help", "How &you can help…", "Write how parents can help at home",
             self.edit_help, plans, family_row),
            ("profile", "One-page pro&file…", "Write the one-page profile with the pupil",
             self.edit_profile, ctx.may(Action.WRITE_PROFILES), family_row),
            ("profile_pdf", "E&xport the one-page profile (PDF)…",
             "Save the one-page profile as a PDF", self.save_profile_pdf,
             ctx.may(Action.VIEW_PASSPORT), family_row),
        ):  # fmt: skip
            if not allowed:
                continue
            button = QPushButton(text)
            button.setAccessibleName(name)
            button.clicked.connect(slot)
            row.addWidget(button)
            self.buttons[key] = button
        for row in (meeting_row, family_row):
            row.addStretch(1)
            layout.addLayout(row)
        self.detail_view = QTextBrowser()
        self.detail_view.setAccessibleName("Meeting details")
        self.detail_view.setOpenLinks(False)
        layout.addWidget(self.detail_view, 2)

    # --- showing --------------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else self.selected_id()
        try:
            self.meetings = list_meetings(self.ctx.db, self.ctx.actor, self.pupil_id)
        except SendeskError as exc:
            warn(self, exc)
            self.meetings = []
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(self.meetings)
        if not select_record(self.table, keep, lambda m: m.id) and self.meetings:
            self.table.selectRow(0)
        self.table.selectionModel().blockSignals(False)
        self.table.setVisible(bool(self.meetings))
        self.empty_label.setVisible(not self.meetings)
        self._selection_changed()

    def selected_id(self) -> int | None:
        m = self.selected()
        return m.id if m else None

    def selected(self) -> MeetingItem | None:
        meeting: MeetingItem | None = selected_record(self.table)
        return meeting

    def _selection_changed(self) -> None:
        m = self.selected()
        self.detail_view.setHtml(meeting_html(m, self.today) if m else "")
        self.detail_view.setVisible(m is not None)
        warning = m.notice_warning(self.today) if m and m.held_on is None else None
        self.notice_label.setText(warning or "")
        self.notice_label.setVisible(bool(warning))
        for key in ("change", "letter", "record"):
            if key in self.buttons:
                self.buttons[key].setEnabled(m is not None)
        if m is not None and "letter" in self.buttons:
            self.buttons["letter"].setEnabled(m.held_on is None)

    def _after_save(self, select_id: int | None = None) -> None:
        self.changed.emit()
        self.reload(select_id)

    # --- meetings -------------------------------------------------------------------------

    def _parents(self) -> list[tuple[str, str]]:
        """The pupil's contacts with parental responsibility, offered as invitees."""
        try:
            record = get_record(self.ctx.db, self.ctx.actor, self.pupil_id)
        except SendeskError:
            return []
        return [
            (c.name, c.relationship_to_pupil or "Parent")
            for c in record.contacts
            if c.parental_responsibility
        ]

    def schedule(self) -> None:
        dialog = ScheduleDialog(
            self.ctx, self.pupil_id, None, self._parents(), self, today=self.today
        )
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.scheduled is not None:
            self._after_save(dialog.scheduled.meeting_id)

    def change_meeting(self) -> None:
        m = self.selected()
        if m is None:
            return
        dialog = ScheduleDialog(self.ctx, self.pupil_id, m, [], self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._after_save(m.id)
        else:
            self.reload(m.id)

    def record_who_came(self) -> None:
        m = self.selected()
        if m is None:
            return
        dialog = AttendanceDialog(self.ctx, m, self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._after_save(m.id)

    def _choose(self, title: str, suggested: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(self, title, suggested, "PDF (*.pdf)")
        return Path(chosen) if chosen else None

    def _upn(self) -> str:
        try:
            return get_record(self.ctx.db, self.ctx.actor, self.pupil_id).upn
        except SendeskError:
            return str(self.pupil_id)

    def write_letter(self) -> None:
        """The invitation letter to the parents (PDF, and the same as DOCX beside it); its
        date is recorded as the day the invitations went out."""
        from sendesk.operations.meeting_letter import LetterResult, write_invitation_letter

        m = self.selected()
        if m is None:
            return
        path = self._choose(
            "Invitation letter", f"invitation-{self._upn()}-{m.meeting_on:%Y-%m-%d}.pdf"
        )
        if path is None:
            return
        db, actor, today = self.ctx.db, self.ctx.actor, self.today
        result: LetterResult | None = _save(
            self,
            lambda _p: write_invitation_letter(db, actor, m.id, m.version, path, today=today),
            Changes.PUPIL | Changes.DUE,
        )
        if result is None:
            return
        self._after_save(m.id)
        message = f"Saved the letter to {result.pdf} and {result.docx.name}."
        if result.warning:
            QMessageBox.warning(self, APP, f"{message}\n\n{result.warning}")
        else:
            QMessageBox.information(self, APP, message)

    # --- family documents -----------------------------------------------------------------

    def save_summary(self) -> None:
        from sendesk.reports.parent_summary import parent_summary_for

        path = self._choose("Parents' summary", f"summary-{self._upn()}-{self.today:%Y-%m-%d}.pdf")
        if path is None:
            return
        db, actor, pupil_id, today = self.ctx.db, self.ctx.actor, self.pupil_id, self.today
        written = _save(
            self,
            lambda _p: parent_summary_for(db, actor, pupil_id, path, today=today),
            Changes.NONE,
        )
        if written is not None:
            QMessageBox.information(
                self, APP, f"Saved the parents' summary to {written[0]} and {written[1].name}."
            )

    def edit_help(self) -> None:
        try:
            data = parent_summary_data(self.ctx.db, self.ctx.actor, self.pupil_id, today=self.today)
        except SendeskError as exc:
            warn(self, exc)
            return
        dialog = HelpDialog(
            self.ctx, data.plan_id, data.plan_version, data.how_you_can_help, data.first_name, self
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()

    def edit_profile(self) -> None:
        try:
            data = profile_data(self.ctx.db, self.ctx.actor, self.pupil_id, today=self.today)
        except SendeskError as exc:
            warn(self, exc)
            return
        dialog = ProfileDialog(self.ctx, data, self, today=self.today)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.changed.emit()

    def save_profile_pdf(self) -> None:
        from sendesk.reports.one_page_profile import profile_for

        path = self._choose("One-page profile", f"profile-{self._upn()}.pdf")
        if path is None:
            return
        db, actor, pupil_id, today = self.ctx.db, self.ctx.actor, self.pupil_id, self.today
        written = _save(
            self, lambda _p: profile_for(db, actor, pupil_id, path, today=today), Changes.NONE
        )
        if written is not None:
            QMessageBox.information(self, APP, f"Saved the one-page profile to {written}.")


__all__ = [
    "AttendanceDialog",
    "HelpDialog",
    "MeetingsTab",
    "ProfileDialog",
    "ScheduleDialog",
    "meeting_html",
]
