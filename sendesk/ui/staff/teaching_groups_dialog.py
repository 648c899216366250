"""Teaching groups by hand: the SENCo lists, adds, changes and removes classes.

Why it is built this way: who teaches whom decides whose class list a candidate appears on
and who may record normal-way-of-working evidence, so the groups have to be right before
exam season. Most schools import them from the MIS (``sendesk import-classes``, or Import
class lists… here, all or nothing with the report shown); this dialog covers the rest — a
new set made mid-year, a teacher change the MIS has not caught up with. A group's teacher
is chosen from SENDesk's teacher accounts (so they can record evidence), or named as the
MIS names them until they have an account. Pupils are ticked in a list that filters as
you type. Every change goes through :mod:`sendesk.services.staff.teaching_groups`, which checks
the role, the version and the data again.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.rules.years import year_label
from sendesk.services.register.register_view import RegisterRow, register_rows
from sendesk.services.staff.teaching_groups import (
    MIS,
    ClassImportReport,
    GroupData,
    GroupItem,
    import_classes,
    list_groups,
    remove_group,
    save_group,
    teachers,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, action_button, ask, warn
from sendesk.ui.kit.field_widgets import line_edit
from sendesk.ui.kit.form_dialog import SavingDialog
from sendesk.ui.kit.forms import form_row, note
from sendesk.ui.kit.record_tab import RecordList
from sendesk.ui.kit.table_model import ColumnSpec
from sendesk.ui.ops import Changes

CODE_MAX = 40
SUBJECT_MAX = 60
TEACHER_MAX = 120
FILE_FILTER = "Class lists (*.csv *.xlsx);;All files (*)"
PUPIL_ROLE = Qt.ItemDataRole.UserRole


def pupil_text(row: RegisterRow) -> str:
    """ "Surname, Forename — Year 10 — UPN" as the pupil list shows a pupil."""
    forename = row.preferred_forename or row.legal_forename
    surname = row.preferred_surname or row.legal_surname
    year = year_label(row.year_group)
    return f"{surname}, {forename} — Year {year or '?'} — {row.upn}"


GROUP_COLUMNS: tuple[ColumnSpec[GroupItem], ...] = (
    ColumnSpec("Class", lambda g: g.code),
    ColumnSpec("Subject", lambda g: g.subject),
    ColumnSpec("Teacher", lambda g: g.teacher or "Not given"),
    ColumnSpec(
        "Pupils", lambda g: str(len(g.pupil_ids)), number=True, sort_key=lambda g: len(g.pupil_ids)
    ),
    ColumnSpec("From", lambda g: "MIS" if g.source == MIS else "Set by hand"),
)


class GroupDialog(SavingDialog):
    """Make a teaching group or change one; OK saves it (``group_id`` is set)."""

    def __init__(
        self,
        ctx: AppContext,
        group: GroupItem | None,
        pupils: list[RegisterRow],
        staff: list[tuple[int, str]],
        subjects: list[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, changes=Changes.ACCESS | Changes.STAFF)
        self.ctx, self.group = ctx, group
        self.group_id: int | None = group.id if group else None
        self.stored.connect(lambda group_id: setattr(self, "group_id", group_id))
        self.setWindowTitle(
            (f"Teaching group {group.code}" if group else "New teaching group") + f" — {APP}"
        )
        layout = QVBoxLayout(self)
        if group is not None and group.source == MIS:
            note(
                layout,
                "This class came from the MIS: the next class-list import replaces its "
                "subject, teacher and pupils with the MIS's.",
            )
        form = QFormLayout()
        layout.addLayout(form)

        self.code = line_edit("Class code", CODE_MAX, "e.g. 11X/Ma1")
        form_row(form, "&Class code:", self.code)
        self.subject = QComboBox()
        self.subject.setEditable(True)
        self.subject.setAccessibleName("Subject")
        self.subject.addItems(subjects)
        self.subject.setCurrentIndex(-1)
        line = self.subject.lineEdit()
        if line is not None:
            line.setMaxLength(SUBJECT_MAX)
            line.setAccessibleName("Subject")
            line.setPlaceholderText("e.g. Mathematics")
        form_row(form, "&Subject:", self.subject)
        self.teacher = QComboBox()
        self.teacher.setAccessibleName("Teacher's SENDesk account")
        self.teacher.addItem("No SENDesk account (name below)", None)
        for user_id, name in staff:
            self.teacher.addItem(name, user_id)
        form_row(form, "&Teacher:", self.teacher)
        self.teacher_name = line_edit(
            "Teacher's name as the MIS gives it",
            TEACHER_MAX,
            "As the MIS names them, e.g. Mr R Patel",
        )
        form_row(form, "Teacher's &name:", self.teacher_name)

        self.filter = QLineEdit()
        self.filter.setAccessibleName("Find pupils by name, year or UPN")
        self.filter.setPlaceholderText("Type part of a name, a year (Year 10) or a UPN")
        self.filter.setClearButtonEnabled(True)
        form_row(form, "&Find pupils:", self.filter)
        self.only_chosen = QCheckBox("Show only the pupils &in the group")
        form.addRow("", self.only_chosen)
        self.pupils = QListWidget()
        self.pupils.setAccessibleName("Pupils: tick those in the group")
        self.pupils.setUniformItemSizes(True)
        layout.addWidget(self.pupils, 1)
        self.count_label = QLabel()
        self.count_label.setAccessibleName("Pupils in the group")
        layout.addWidget(self.count_label)

        members = set(group.pupil_ids) if group else set()
        for row in sorted(pupils, key=lambda r: pupil_text(r).casefold()):
            item = QListWidgetItem(pupil_text(row))
            item.setData(PUPIL_ROLE, row.pupil_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(
                Qt.CheckState.Checked if row.pupil_id in members else Qt.CheckState.Unchecked
            )
            self.pupils.addItem(item)
        if group is not None:
            self.code.setText(group.code)
            self.subject.setEditText(group.subject)
            self.teacher.setCurrentIndex(max(self.teacher.findData(group.teacher_id), 0))
            self.teacher_name.setText(group.teacher_name)

        self.buttons = self.ok_cancel(layout)
        self.filter.textChanged.connect(self.apply_filter)
        self.only_chosen.toggled.connect(self.apply_filter)
        self.pupils.itemChanged.connect(self._count)
        self.teacher.currentIndexChanged.connect(self._teacher_chosen)
        self._count()
        self.resize(
            self.fontMetrics().horizontalAdvance("M") * 40, self.sizeHint().height() * 3 // 2
        )

    def _teacher_chosen(self) -> None:
        if self.teacher.currentData() is not None:
            self.teacher_name.setText(self.teacher.currentText())

    def apply_filter(self) -> None:
        """Show the pupils whose line holds every word typed (and only the ticked ones)."""
        words = self.filter.text().casefold().split()
        only = self.only_chosen.isChecked()
        for row in range(self.pupils.count()):
            item = self.pupils.item(row)
            text = item.text().casefold()
            shown = all(w in text for w in words) and (
                not only or item.checkState() == Qt.CheckState.Checked
            )
            item.setHidden(not shown)

    def set_member(self, pupil_id: int, member: bool) -> None:
        for row in range(self.pupils.count()):
            item = self.pupils.item(row)
            if item.data(PUPIL_ROLE) == pupil_id:
                item.setCheckState(Qt.CheckState.Checked if member else Qt.CheckState.Unchecked)

    def pupil_ids(self) -> tuple[int, ...]:
        return tuple(
            int(self.pupils.item(r).data(PUPIL_ROLE))
            for r in range(self.pupils.count())
            if self.pupils.item(r).checkState() == Qt.CheckState.Checked
        )

    def _count(self) -> None:
        n = len(self.pupil_ids())
        self.count_label.setText(f"{n} pupil{'s' if n != 1 else ''} in the group.")

    def data(self) -> GroupData:
        return GroupData(
            code=self.code.text(),
            subject=self.subject.currentText(),
            teacher_name=self.teacher_name.text(),
            teacher_id=self.teacher.currentData(),
            pupil_ids=self.pupil_ids(),
        )

    def accept(self) -> None:
        db, actor, data = self.ctx.db, self.ctx.actor, self.data()
        group_id = self.group.id if self.group else None
        version = self.group.version if self.group else None
        self.save_with(lambda: save_group(db, actor, group_id, version, data))


class ReportDialog(QDialog):
    """A class-list import's report, to read and copy."""

    def __init__(self, report: ClassImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Class-list import — {APP}")
        layout = QVBoxLayout(self)
        self.text = QPlainTextEdit("\n".join(report.lines()))
        self.text.setReadOnly(True)
        self.text.setAccessibleName("Import report")
        layout.addWidget(self.text, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 60, self.sizeHint().height())


class TeachingGroupsDialog(QDialog):
    """Every teaching group, with Add, Edit, Remove and Import class lists (SENCo).

    ``changed`` is True once a group was saved, removed or imported.
    """

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.changed = False
        self._pupils: list[RegisterRow] | None = None
        self.setWindowTitle(f"Teaching groups — {APP}")
        layout = QVBoxLayout(self)
        note(
            layout,
            "Classes decide whose list a candidate appears on and who may record their "
            "normal way of working. Import them from the MIS, or set them here.",
        )
        self.group_list: RecordList[GroupItem] = RecordList(
            "",
            GROUP_COLUMNS,
            "Teaching groups",
            empty="No teaching groups yet. Import class lists from the MIS, or add a group.",
        )
        self.group_list.setFlat(True)
        self.table, self.empty_label = self.group_list.view, self.group_list.empty_label
        self.table.activated.connect(lambda _index: self.edit_group())
        self.add_button = action_button("&Add group…", "Add a teaching group", self.add_group)
        self.edit_button = self.group_list.offer(
            ctx, None, "&Edit…", "Edit the selected teaching group", self.edit_group
        )
        self.remove_button = self.group_list.offer(
            ctx, None, "&Remove", "Remove the selected teaching group", self.remove_group
        )
        self.import_button = action_button(
            "&Import class lists…", "Import class lists from the MIS", self.import_file
        )
        self.group_list.buttons(
            self.add_button, self.edit_button, self.remove_button, self.import_button
        )
        layout.addWidget(self.group_list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 56, self.sizeHint().height() * 2)
        self.reload()

    @property
    def groups(self) -> list[GroupItem]:
        return self.group_list.rows

    def reload(self, *, select: int | None = None) -> None:
        self.group_list.set_rows(list_groups(self.ctx.db, self.ctx.actor), select=select)

    def selected(self) -> GroupItem | None:
        return self.group_list.selected()

    def group_dialog(self, group: GroupItem | None) -> GroupDialog:
        """The add/edit dialog for ``group`` (not shown: callers exec or test it)."""
        if self._pupils is None:
            self._pupils = register_rows(self.ctx.db, self.ctx.actor, include_all=True)
        subjects = sorted({g.subject for g in self.groups}, key=str.casefold)
        staff = teachers(self.ctx.db, self.ctx.actor)
        return GroupDialog(self.ctx, group, self._pupils, staff, subjects, self)

    def _run(self, group: GroupItem | None) -> None:
        dialog = self.group_dialog(group)
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        if accepted:
            self.changed = True
        self.reload(select=dialog.group_id if accepted else None)

    def add_group(self) -> None:
        self._run(None)

    def edit_group(self) -> None:
        group = self.selected()
        if group is not None:
            self._run(group)

    def remove_group(self) -> None:
        group = self.selected()
        if group is None:
            return
        if not ask(
            self,
            f"Remove the teaching group {group.code} ({group.subject})? Evidence teachers "
            "have recorded stays with the pupils.",
        ):
            return
        try:
            remove_group(self.ctx.db, self.ctx.actor, group.id, group.version)
        except SendeskError as exc:
            warn(self, exc)
        else:
            self.changed = True
        self.reload()

    def import_file(self) -> ClassImportReport | None:
        """Ask for a class-list export and import it; the report is shown (and returned)."""
        name, _ = QFileDialog.getOpenFileName(self, f"Import class lists — {APP}", "", FILE_FILTER)
        if not name:
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            report = import_classes(
                self.ctx.db,
                self.ctx.actor,
                Path(name),
                progress=lambda _done, _total: (QApplication.processEvents(), True)[1],
            )
        except SendeskError as exc:
            QApplication.restoreOverrideCursor()
            warn(self, exc)
            return None
        QApplication.restoreOverrideCursor()
        if report.written:
            self.changed = True
            self.reload()
        self.show_report(report)
        return report

    def show_report(self, report: ClassImportReport) -> None:
        ReportDialog(report, self).exec()


__all__ = ["GroupDialog", "ReportDialog", "TeachingGroupsDialog", "pupil_text"]
