"""File → Staff accounts…: the SENCo manages who may sign in and as what (issue 13).

Why it exists: least privilege. Each member of staff signs in as themselves with the role
their job needs — a teacher linked to their MIS staff code (their classes follow from the
class-list import), learning support to the pupils they are assigned to, the exams officer
to the exams officer's list only — and the audit trail names who did what.

How it behaves: a table of every account (username, name, role, active, whether the
password still has to be changed, staff code) with buttons under it. Add… and Reset
password… set a *first* password, which its owner replaces at their next sign-in.
Disabling asks first; a disabled account cannot sign in, and its history stays. Every
change goes through :mod:`sendesk.services.staff.users`, which checks the role again and audits.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import SendeskError
from sendesk.roles import ROLE_LABELS, Role
from sendesk.services.staff.users import (
    UserSummary,
    assigned_pupils,
    create_user,
    list_users,
    password_problem,
    set_active,
    set_assigned_pupils,
    set_password,
    set_role,
    set_staff_code,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, action_button, ask, button_row, dialog_buttons, warn
from sendesk.ui.kit.forms import note
from sendesk.ui.kit.table_model import ColumnSpec, RowsModel
from sendesk.ui.kit.table_view import read_only_view, select_record, selected_record

COLUMNS: tuple[ColumnSpec[UserSummary], ...] = (
    ColumnSpec("Username", lambda u: u.username),
    ColumnSpec("Name", lambda u: u.display_name),
    ColumnSpec("Role", lambda u: u.role_label),
    ColumnSpec("Active", lambda u: "Yes" if u.active else "No (disabled)"),
    ColumnSpec(
        "Must change password",
        lambda u: "Yes" if u.must_change_password else ("" if u.has_password else "No password"),
    ),
    ColumnSpec("Staff code", lambda u: u.staff_code or ""),
)


def _password_line(name: str) -> QLineEdit:
    line = QLineEdit()
    line.setEchoMode(QLineEdit.EchoMode.Password)
    line.setAccessibleName(name)
    return line


class _AccountDialog(QDialog):
    """A dialog whose OK makes one change to an account (:meth:`store`) once
    :meth:`problem` has nothing to say; a refusal's sentence shows under the form and the
    dialog stays open with what was typed."""

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle(f"{title} — {APP}")

    def finish(self, layout: QVBoxLayout, ok_text: str) -> None:
        """The message line, then OK (called ``ok_text``) and Cancel."""
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Message")
        layout.addWidget(self.error)
        dialog_buttons(self, layout)[1].setText(ok_text)

    def problem(self) -> str | None:
        return None

    def store(self) -> None:
        raise NotImplementedError

    def accept(self) -> None:
        if problem := self.problem():
            self.error.setText(problem)
            return
        try:
            self.store()
        except SendeskError as exc:
            self.error.setText(str(exc))
            return
        super().accept()


class _PasswordDialog(_AccountDialog):
    """An account dialog that sets a first password, typed twice."""

    def password_rows(self, form: QFormLayout) -> None:
        self.password = _password_line("First password")
        self.again = _password_line("First password again")
        form.addRow("First &password:", self.password)
        form.addRow("&Again:", self.again)

    def problem(self) -> str | None:
        return password_problem(self.password.text(), self.again.text())


class AddAccountDialog(_PasswordDialog):
    """A new account: username, name, role, staff code, and a first password (twice)."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Add a staff account", parent)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.username = QLineEdit()
        self.username.setAccessibleName("Username")
        self.display = QLineEdit()
        self.display.setAccessibleName("Full name")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        for role in Role:
            self.role.addItem(ROLE_LABELS[role], role)
        self.role.setCurrentIndex(self.role.findData(Role.TEACHER))
        self.staff_code = QLineEdit()
        self.staff_code.setAccessibleName("MIS staff code")
        form.addRow("&Username:", self.username)
        form.addRow("Full &name:", self.display)
        form.addRow("&Role:", self.role)
        form.addRow("MIS &staff code:", self.staff_code)
        self.password_rows(form)
        layout.addLayout(form)
        note(layout, "They choose their own password when they first sign in.")
        self.finish(layout, "Add")

    def store(self) -> None:
        create_user(
            self.ctx.db,
            self.ctx.actor,
            self.username.text(),
            self.display.text(),
            self.role.currentData(),
            self.password.text(),
            staff_code=self.staff_code.text(),
        )


class ResetPasswordDialog(_PasswordDialog):
    """A first password for someone who forgot theirs (or was locked out)."""

    def __init__(self, ctx: AppContext, user: UserSummary, parent: QWidget | None = None) -> None:
        super().__init__(ctx, "Reset password", parent)
        self.user = user
        layout = QVBoxLayout(self)
        note(
            layout,
            f"A first password for {user.display_name} ({user.username}): they choose "
            "their own when they next sign in.",
        )
        form = QFormLayout()
        self.password_rows(form)
        layout.addLayout(form)
        self.finish(layout, "Reset password")

    def store(self) -> None:
        set_password(self.ctx.db, self.ctx.actor, self.user.username, self.password.text())


class AssignedPupilsDialog(_AccountDialog):
    """Tick the pupils a member of learning support works with (a key adult, a 1:1)."""

    def __init__(self, ctx: AppContext, user: UserSummary, parent: QWidget | None = None) -> None:
        from sendesk.services.register.register_view import register_rows

        super().__init__(ctx, f"Assigned pupils — {user.display_name}", parent)
        self.user = user
        layout = QVBoxLayout(self)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Type part of a name or UPN to filter")
        self.search.setAccessibleName("Filter pupils")
        self.search.textChanged.connect(self.apply_filter)
        layout.addWidget(self.search)
        self.pupils = QListWidget()
        self.pupils.setAccessibleName("Pupils")
        chosen = {p.pupil_id for p in assigned_pupils(ctx.db, ctx.actor, user.username)}
        rows = sorted(
            register_rows(ctx.db, ctx.actor, include_all=True),
            key=lambda r: (r.legal_surname.casefold(), r.legal_forename.casefold()),
        )
        for row in rows:
            item = QListWidgetItem(f"{row.display_name} ({row.upn}, Year {row.year_group or '?'})")
            item.setData(Qt.ItemDataRole.UserRole, row.pupil_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = row.pupil_id in chosen
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.pupils.addItem(item)
        layout.addWidget(self.pupils, 1)
        self.finish(layout, "Save")

    def apply_filter(self) -> None:
        words = self.search.text().casefold().split()
        for i in range(self.pupils.count()):
            item = self.pupils.item(i)
            item.setHidden(not all(w in item.text().casefold() for w in words))

    def set_checked(self, pupil_id: int, checked: bool) -> None:
        for i in range(self.pupils.count()):
            item = self.pupils.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == pupil_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def chosen(self) -> list[int]:
        return [
            int(self.pupils.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.pupils.count())
            if self.pupils.item(i).checkState() == Qt.CheckState.Checked
        ]

    def store(self) -> None:
        set_assigned_pupils(self.ctx.db, self.ctx.actor, self.user.username, self.chosen())


class StaffAccountsDialog(QDialog):
    """Every staff account, with the SENCo's actions on the selected one."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.users: list[UserSummary] = []
        self.setWindowTitle(f"Staff accounts — {APP}")
        layout = QVBoxLayout(self)
        note(
            layout,
            "Each member of staff signs in as themselves, with the role their job needs. "
            "A disabled account cannot sign in; what its owner did stays on record.",
        )
        self.model: RowsModel[UserSummary] = RowsModel(COLUMNS)
        self.table = read_only_view(self.model, "Staff accounts")
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)
        self.add_button = action_button("&Add…", "Add a staff account", self.add_account)
        self.role_button = action_button(
            "Change &role…", "Change the selected account's role", self.change_role
        )
        self.active_button = action_button(
            "&Disable", "Disable or enable the selected account", self.toggle_active
        )
        self.password_button = action_button(
            "Reset &password…", "Reset the selected account's password", self.reset_password
        )
        self.code_button = action_button(
            "&Staff code…", "Set the selected teacher's MIS staff code", self.change_staff_code
        )
        self.pupils_button = action_button(
            "Assigned &pupils…",
            "Choose the pupils assigned to the selected member of learning support",
            self.assign_pupils,
        )
        button_row(
            layout,
            self.add_button,
            self.role_button,
            self.active_button,
            self.password_button,
            self.code_button,
            self.pupils_button,
        )
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().horizontalAdvance("M") * 64, self.sizeHint().height() * 2)
        self.reload()

    def reload(self, *, select: str | None = None) -> None:
        keep = select or (u.username if (u := self.selected()) else None)
        self.users = list_users(self.ctx.db, self.ctx.actor)
        self.table.selectionModel().blockSignals(True)
        self.model.set_rows(self.users)
        if not select_record(self.table, keep, lambda u: u.username) and self.users:
            self.table.selectRow(0)
        self.table.selectionModel().blockSignals(False)
        self._update_buttons()

    def selected(self) -> UserSummary | None:
        user: UserSummary | None = selected_record(self.table)
        return user

    def select(self, username: str) -> None:
        select_record(self.table, username, lambda u: u.username)

    def _update_buttons(self) -> None:
        user = self.selected()
        for button in (self.role_button, self.active_button, self.password_button):
            button.setEnabled(user is not None)
        self.active_button.setText(
            "&Enable" if user is not None and not user.active else "&Disable"
        )
        self.code_button.setEnabled(user is not None and user.role in (Role.TEACHER, Role.SENCO))
        self.pupils_button.setEnabled(user is not None and user.role == Role.LEARNING_SUPPORT)

    def _change(self, call: Callable[[], object]) -> None:
        """Make a change to the selected account (a refusal's sentence is shown), then show
        the list as it is now."""
        try:
            call()
        except SendeskError as exc:
            warn(self, exc)
        self.reload()

    # --- actions ----------------------------------------------------------------------------

    def add_dialog(self) -> AddAccountDialog:
        return AddAccountDialog(self.ctx, self)

    def add_account(self) -> None:
        dialog = self.add_dialog()
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.reload(select=dialog.username.text().strip())

    def change_role(self) -> None:
        user = self.selected()
        if user is None:
            return
        labels = [ROLE_LABELS[r] for r in Role]
        label, ok = QInputDialog.getItem(
            self,
            f"Change role — {APP}",
            f"Role for {user.display_name}:",
            labels,
            labels.index(user.role_label),
            False,
        )
        if not ok:
            return
        role = list(Role)[labels.index(label)]
        self._change(lambda: set_role(self.ctx.db, self.ctx.actor, user.username, role))

    def toggle_active(self) -> None:
        user = self.selected()
        if user is None:
            return
        if user.active and not ask(
            self,
            f"Disable {user.display_name}'s account? They will not be able to sign in; "
            "what they did stays on record, and you can enable it again.",
        ):
            return
        self._change(
            lambda: set_active(self.ctx.db, self.ctx.actor, user.username, not user.active)
        )

    def password_dialog(self, user: UserSummary) -> ResetPasswordDialog:
        return ResetPasswordDialog(self.ctx, user, self)

    def reset_password(self) -> None:
        user = self.selected()
        if user is not None and self.password_dialog(user).exec() == QDialog.DialogCode.Accepted:
            self.reload()

    def change_staff_code(self) -> None:
        user = self.selected()
        if user is None:
            return
        code, ok = QInputDialog.getText(
            self,
            f"Staff code — {APP}",
            f"{user.display_name}'s staff code in the MIS (their classes follow from the "
            "class-list import):",
            QLineEdit.EchoMode.Normal,
            user.staff_code or "",
        )
        if not ok:
            return
        self._change(lambda: set_staff_code(self.ctx.db, self.ctx.actor, user.username, code))

    def pupils_dialog(self, user: UserSummary) -> AssignedPupilsDialog:
        return AssignedPupilsDialog(self.ctx, user, self)

    def assign_pupils(self) -> None:
        user = self.selected()
        if user is not None:
            self.pupils_dialog(user).exec()


__all__ = [
    "AddAccountDialog",
    "AssignedPupilsDialog",
    "ResetPasswordDialog",
    "StaffAccountsDialog",
]
