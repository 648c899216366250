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
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import ConflictError, SendeskError
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
from sendesk.ui.tables import read_only_item as _item
from sendesk.ui.tables import read_only_table as _table

APP = "SENDesk"
HEADERS = ("Class", "Subject", "Teacher", "Pupils", "From")
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


class GroupDialog(QDialog):
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
        super().__init__(parent)
        self.ctx, self.group = ctx, group
        self.group_id: int | None = group.id if group else None
        self.setWindowTitle(
            (f"Teaching group {group.code}" if group else "New teaching group") + f" — {APP}"
        )
        layout = QVBoxLayout(self)
        if group is not None and group.source == MIS:
            note = QLabel(
                "This class came from the MIS: the next class-list import replaces its "
                "subject, teacher and pupils with the MIS's."
            )
            note.setWordWrap(True)
            layout.addWidget(note)
        form = QFormLayout()
        layout.addLayout(form)

        def add(text: str, field: QWidget) -> None:
            label = QLabel(text)
            label.setBuddy(field)
            form.addRow(label, field)

        self.code = QLineEdit()
        self.code.setMaxLength(CODE_MAX)
        self.code.setAccessibleName("Class code")
        self.code.setPlaceholderText("e.g. 11X/Ma1")
        add("&Class code:", self.code)
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
        add("&Subject:", self.subject)
        self.teacher = QComboBox()
        self.teacher.setAccessibleName("Teacher's SENDesk account")
        self.teacher.addItem("No SENDesk account (name below)", None)
        for user_id, name in staff:
            self.teacher.addItem(name, user_id)
        add("&Teacher:", self.teacher)
        self.teacher_name = QLineEdit()
        self.teacher_name.setMaxLength(TEACHER_MAX)
        self.teacher_name.setAccessibleName("Teacher's name as the MIS gives it")
        self.teacher_name.setPlaceholderText("As the MIS names them, e.g. Mr R Patel")
        add("Teacher's &name:", self.teacher_name)

        self.filter = QLineEdit()
        self.filter.setAccessibleName("Find pupils by name, year or UPN")
        self.filter.setPlaceholderText("Type part of a name, a year (Year 10) or a UPN")
        self.filter.setClearButtonEnabled(True)
        add("&Find pupils:", self.filter)
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

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
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
        try:
            self.group_id = save_group(
                self.ctx.db,
                self.ctx.actor,
                self.group.id if self.group else None,
                self.group.version if self.group else None,
                self.data(),
            )
        except ConflictError as exc:
            QMessageBox.warning(self, APP, str(exc))
            self.reject()
            return
        except SendeskError as exc:
            QMessageBox.warning(self, APP, str(exc))
            return
        super().accept()


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
        self.groups: list[GroupItem] = []
        self._pupils: list[RegisterRow] | None = None
        self.setWindowTitle(f"Teaching groups — {APP}")
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Classes decide whose list a candidate appears on and who may record their "
            "normal way of working. Import them from the MIS, or set them here."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = _table(HEADERS, "Teaching groups")
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.activated.connect(lambda _index: self.edit_group())
        layout.addWidget(self.table, 1)
        self.empty_label = QLabel(
            "No teaching groups yet. Import class lists from the MIS, or add a group."
        )
        self.empty_label.setWordWrap(True)
        layout.addWidget(self.empty_label)
        row = QHBoxLayout()
        self.add_button = QPushButton("&Add group…")
        self.edit_button = QPushButton("&Edit…")
        self.remove_button = QPushButton("&Remove")
        self.import_button = QPushButton("&Import class lists…")
        for button, name, slot in (
            (self.add_button, "Add a teaching group", self.add_group),
            (self.edit_button, "Edit the selected teaching group", self.edit_group),
            (self.remove_button, "Remove the selected teaching group", self.remove_group),
            (self.import_button, "Import class lists from the MIS", self.import_file),
        ):
            button.setAccessibleName(name)
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 56, self.sizeHint().height() * 2)
        self.reload()

    def reload(self, *, select: int | None = None) -> None:
        keep = select if select is not None else (g.id if (g := self.selected()) else None)
        self.groups = list_groups(self.ctx.db, self.ctx.actor)
        self.table.blockSignals(True)
        self.table.clearSelection()
        self.table.setRowCount(len(self.groups))
        for r, g in enumerate(self.groups):
            n = len(g.pupil_ids)
            cells = (
                _item(g.code),
                _item(g.subject),
                _item(g.teacher or "Not given"),
                _item(str(n), number=True),
                _item("MIS" if g.source == MIS else "Set by hand"),
            )
            for c, cell in enumerate(cells):
                self.table.setItem(r, c, cell)
        ids = [g.id for g in self.groups]
        if ids:
            self.table.selectRow(ids.index(keep) if keep in ids else 0)
        self.table.blockSignals(False)
        self.table.setVisible(bool(self.groups))
        self.empty_label.setVisible(not self.groups)
        self._update_buttons()

    def selected(self) -> GroupItem | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.groups):
            return None
        return self.groups[rows[0].row()]

    def _update_buttons(self) -> None:
        chosen = self.selected() is not None
        self.edit_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

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
        answer = QMessageBox.question(
            self,
            APP,
            f"Remove the teaching group {group.code} ({group.subject})? Evidence teachers "
            "have recorded stays with the pupils.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            remove_group(self.ctx.db, self.ctx.actor, group.id, group.version)
        except SendeskError as exc:
            QMessageBox.warning(self, APP, str(exc))
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
            QMessageBox.warning(self, APP, str(exc))
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
