"""The main window: what's due, the register, and the menus a role may use."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QListWidget,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from sendesk import __version__
from sendesk.errors import SendeskError
from sendesk.roles import ROLE_LABELS, Role
from sendesk.rules.permissions import Action
from sendesk.ui.context import AppContext
from sendesk.ui.first_draw import when_first_drawn
from sendesk.ui.kit.buttons import APP, warn
from sendesk.ui.ops import Op, hub, show_failure

if TYPE_CHECKING:
    from sendesk.ui.staff.lock import LockController


@dataclass(frozen=True)
class LazyPage:
    """A page of the main window made when first shown: class ``name`` of ``module`` (under
    sendesk.ui), imported only then, like the record's tabs (pupil_tabs.LAZY_TABS).
    ``opens_pupils``: a pupil chosen on it opens their record; ``changes``: what it changes
    refreshes the other pages."""

    title: str
    module: str
    name: str
    opens_pupils: bool = False
    changes: bool = False


PROVISION_MAP = LazyPage(
    "Provision map", "graduated.provision_map_page", "ProvisionMapPage", changes=True
)
STAFF_PAGES: tuple[tuple[Action | None, LazyPage], ...] = (
    # The pages follow the permission table the services enforce (issue 13); None: the
    # SENCo's alone (the whole-school figures and the reports made from them).
    (  # learning support, and teachers who lead one
        Action.LOG_SESSIONS,
        LazyPage("My groups", "graduated.session_logging", "MyGroupsPage", changes=True),
    ),
    (
        Action.RECORD_NWW,
        LazyPage("My classes", "access.class_evidence_page", "ClassEvidencePage", changes=True),
    ),
    (  # the SENCo sets up; a leader records measures
        Action.RECORD_MEASURES,
        LazyPage(
            "Interventions", "graduated.interventions_page", "InterventionsPage", changes=True
        ),
    ),
    (Action.VIEW_PROVISION_COSTS, PROVISION_MAP),
    (
        Action.MANAGE_ACCESS_ARRANGEMENTS,
        LazyPage(
            "Access arrangements",
            "access.access_page",
            "AccessPage",
            opens_pupils=True,
            changes=True,
        ),
    ),
    (Action.READ_AUDIT, LazyPage("Audit trail", "store.audit_page", "AuditPage")),
    (
        Action.CHECK_CENSUS,
        LazyPage("Census check", "register.census_page", "CensusPage", opens_pupils=True),
    ),
    (None, LazyPage("Figures", "school.figures_page", "FiguresPage")),
)
"""The pages after What's due and the Register, for staff who see named pupils, in order,
each with the action that offers it."""


class MainWindow(QMainWindow):
    """Pages on the left, the chosen page on the right; pupils open in their own windows."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.signed_out = False
        self.pupil_windows: dict[int, QWidget] = {}
        self.setWindowTitle(f"SENDesk — {ctx.school.name}")
        self.nav = QListWidget()
        self.nav.setAccessibleName("Pages")
        self.nav.setMaximumWidth(self.fontMetrics().horizontalAdvance("M") * 14)
        self.stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self.pages: dict[str, QWidget | None] = {}
        self._stale: set[str] = set()  # made pages to reload when next shown
        self._opening: dict[int, Op] = {}  # pupils whose record is being read
        hub().changed.connect(self.refresh)
        self._factories: dict[str, Callable[[], QWidget]] = {}
        if ctx.sees_named_pupils:
            from sendesk.ui.home_page import HomePage
            from sendesk.ui.register.register_page import RegisterPage

            self.home = HomePage(ctx)
            self.home.pupil_activated.connect(self.open_pupil)
            self.home.group_activated.connect(self.open_group_day)
            self.register = RegisterPage(ctx)
            self.register.pupil_activated.connect(self.open_pupil)
            # The window's Pupil > Find (Ctrl+F) works from every page; two Ctrl+F
            # shortcuts would be ambiguous and Qt would fire neither.
            self.register.find_shortcut.setEnabled(False)
            self._add_page("What's due", lambda: self.home)
            self._add_page("Register", lambda: self.register)
            for action, page in STAFF_PAGES:
                if ctx.is_senco if action is None else ctx.may(action):
                    self._add_lazy(page)
        elif ctx.actor.role == Role.EXAMS_OFFICER:  # the list, nothing else (issue 13)
            from sendesk.ui.access.exams_list_page import ExamsListPage

            self._add_page("Exams officer's list", lambda: ExamsListPage(ctx))
        else:
            from sendesk.ui.school.statistics_page import StatisticsPage

            self._add_page("Statistics", lambda: StatisticsPage(ctx))
            self._add_lazy(PROVISION_MAP)
        # Locks after the school's idle time or File > Lock (see sendesk.ui.staff.lock); made
        # once the window is drawn, so start-up does not wait for it (see ``locker``).
        self._locker: LockController | None = None
        when_first_drawn(self, self._start_lock)
        self.nav.currentRowChanged.connect(self._show_page)
        self.nav.setCurrentRow(0)
        self._show_page(0)
        self._menus()
        if ctx.sees_named_pupils:
            # What's due is worked out once the window is up: see sendesk.ui.home_page.
            when_first_drawn(self, self.home.load_once)
        self.statusBar().showMessage(
            f"Signed in as {ctx.actor.display_name} ({ROLE_LABELS[ctx.actor.role]}) · "
            f"{ctx.db.target.describe()}"
        )  # pages load themselves when made; refresh() reloads them after a change

    # Pages other than the first two are made when first shown: each reads its own data,
    # and a SENCo who only wanted the register should not wait for the provision map.

    def _add_lazy(self, lazy: LazyPage) -> None:
        def make() -> QWidget:
            page = getattr(importlib.import_module(f"sendesk.ui.{lazy.module}"), lazy.name)(
                self.ctx
            )
            if lazy.opens_pupils:
                page.pupil_activated.connect(self.open_pupil)
            if lazy.changes:
                page.changed.connect(self.refresh)
            return page

        self._add_page(lazy.title, make)

    def _add_page(self, title: str, factory: Callable[[], QWidget]) -> None:
        self.pages[title] = None
        self._factories[title] = factory
        self.nav.addItem(title)
        self.stack.addWidget(QWidget())  # stands in until the page is first shown

    def page(self, title: str) -> QWidget:
        """The page with this title, made now if it has not been shown yet."""
        made = self.pages[title]
        if made is None:
            made = self._factories[title]()
            row = list(self.pages).index(title)
            stand_in = self.stack.widget(row)
            self.stack.insertWidget(row, made)
            self.stack.removeWidget(stand_in)
            stand_in.deleteLater()
            self.pages[title] = made
        return made

    def _show_page(self, row: int) -> None:
        if row < 0:
            return
        title = list(self.pages)[row]
        page = self.page(title)
        self.stack.setCurrentIndex(row)
        if title in self._stale:
            self._stale.discard(title)
            self._reload(page)

    def _action(
        self, menu_title: str, text: str, slot: object, shortcut: QKeySequence | str | None = None
    ) -> QAction:
        menu = self._menu_by_title[menu_title]
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _menus(self) -> None:
        bar = self.menuBar()
        self._menu_by_title = {t: bar.addMenu(t) for t in ("&File", "&Pupil", "&Help")}
        if self.ctx.is_senco:
            self._action("&File", "&Import pupils from the MIS…", self.import_pupils, "Ctrl+I")
        if self.ctx.may(Action.TRANSFER_RECORDS):
            self._action("&File", "Import a &CTF…", self.import_ctf)
        if self.ctx.is_senco:
            self._action("&File", "&Back up the database…", self.backup)
            self._action("&File", "&Local authorities…", self.local_authorities)
            self._action("&File", "&School details…", self.school_details)
            self._action("&File", "Staff &accounts…", self.staff_accounts)
            self._menu_by_title["&File"].addSeparator()
        self._action("&File", "&Lock", lambda: self.locker.lock(), "Ctrl+L")
        self._action("&File", "Sign &out", self.sign_out)
        self._action("&File", "&Quit", self.close, QKeySequence.StandardKey.Quit)
        if self.ctx.sees_named_pupils:
            self._action("&Pupil", "&Find…", self.find, QKeySequence.StandardKey.Find)
            if self.ctx.is_senco:
                self._action("&Pupil", "&Add a pupil…", self.add_pupil, "Ctrl+N")
        else:
            self._menu_by_title["&Pupil"].menuAction().setVisible(False)
        self._action("&Help", "&About SENDesk", self.about)

    # --- actions --------------------------------------------------------------------------

    def refresh(self, _changes: object = None) -> None:
        """After an import or a saved change (a page's ``changed``, or an operation's
        changes announced on :func:`sendesk.ui.ops.hub`): the page on screen reloads now,
        the others are marked stale and reload when next shown."""
        shown = self.stack.currentIndex()
        for row, (title, page) in enumerate(self.pages.items()):
            if page is None:
                continue  # not made yet: it reads fresh data when first shown
            if row == shown:
                self._reload(page)
            else:
                self._stale.add(title)

    def _reload(self, page: QWidget) -> None:
        reload = getattr(page, "reload", None)
        if reload is not None:
            try:
                reload()
            except SendeskError as exc:
                warn(self, exc)

    def find(self) -> None:
        self.nav.setCurrentRow(list(self.pages).index("Register"))
        self.register.focus_search()

    def open_pupil(self, pupil_id: int, tab: str | None = None) -> Op | None:
        """One window per pupil: opening an open pupil brings their window forward; with
        ``tab`` (see :data:`sendesk.ui.register.pupil_tabs.TAB_TITLES`) on that tab.

        The record is read (and the view audited) on the worker thread; the window is
        made when it arrives. Returns the running operation, if one was started."""
        window = self.pupil_windows.get(pupil_id)
        if window is not None:
            if tab:
                window.show_tab(tab)
            window.raise_()
            window.activateWindow()
            return None
        if pupil_id in self._opening:
            return self._opening[pupil_id]
        ctx = self.ctx

        def opened(read: tuple[object, int | None]) -> None:
            from sendesk.ui.pupil_window import PupilRecord, open_pupil_window

            record, register_seen = read
            assert isinstance(record, PupilRecord)
            made = open_pupil_window(
                ctx, pupil_id, record=record, register_seen=register_seen, tab=tab or None
            )
            if made is None:  # the service refused; the reason was shown
                return
            made.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            made.changed.connect(self.refresh)
            made.destroyed.connect(lambda *_: self._pupil_closed(pupil_id))
            self.pupil_windows[pupil_id] = made
            made.raise_()
            made.activateWindow()

        def finished(_: object = None) -> None:
            self._opening.pop(pupil_id, None)

        def failed(exc: BaseException) -> None:
            finished()
            show_failure(self, exc)

        op = Op(
            self,
            lambda _progress: _read_pupil(ctx, pupil_id),
            success=lambda record: (finished(), opened(record)),
            failure=failed,
        )
        self._opening[pupil_id] = op
        return op.run()

    def open_group_day(self, group_id: int, on: date) -> Op | None:
        """My groups, showing ``group_id`` on ``on`` (from a "sessions not logged" item);
        nothing for a user without My groups. Returns the page's read of the day, which
        shows the group when it lands (tests wait on it)."""
        from sendesk.ui.graduated.session_logging import MyGroupsPage

        if "My groups" not in self.pages:
            return None
        self.nav.setCurrentRow(list(self.pages).index("My groups"))
        page = self.page("My groups")
        if not isinstance(page, MyGroupsPage):
            return None
        page.set_date(on)
        return page.select_group(group_id)

    def _pupil_closed(self, pupil_id: int) -> None:
        self.pupil_windows.pop(pupil_id, None)

    def add_pupil(self) -> None:
        from sendesk.ui.register.add_pupil_dialog import AddPupilDialog

        dialog = AddPupilDialog(self.ctx, self)
        if dialog.exec() and dialog.pupil_id is not None:
            self.refresh()
            self.open_pupil(dialog.pupil_id)

    def import_pupils(self) -> None:
        from sendesk.ui.register.import_dialog import ImportDialog

        dialog = ImportDialog(self.ctx, self)
        dialog.exec()
        if dialog.imported:
            self.refresh()

    def import_ctf(self) -> None:
        """A pupil's SEN history from their previous school's Common Transfer File."""
        from sendesk.ui.transfer.ctf_import_dialog import CtfImportDialog

        CtfImportDialog(self.ctx, self).exec()  # its Op announces what changed

    def backup(self) -> None:
        from sendesk.services.store.backup import backup_file

        if not self.ctx.db.is_file:
            QMessageBox.information(
                self,
                APP,
                "Back up a PostgreSQL database with the server's own tools (pg_dump).",
            )
            return
        dest, _ = QFileDialog.getSaveFileName(self, "Back up to", "", "Backup (*.bak)")
        if not dest:
            return
        from pathlib import Path

        db = self.ctx.db
        Op(  # on the worker thread; a refusal is shown in its one sentence
            self,
            lambda _progress: backup_file(db, Path(dest)),
            success=lambda _result: QMessageBox.information(
                self, APP, f"Backed up to {dest}, encrypted with the database's own key."
            ),
            label="Backing up the database…",
        ).run()

    def local_authorities(self) -> None:
        """Each LA's panel rules, used by the EHC request pack's readiness check."""
        from sendesk.ui.ehc.la_profiles_dialog import LaProfilesDialog

        LaProfilesDialog(self.ctx, self).exec()

    def school_details(self) -> None:
        """The named contact and default staff rate every request pack uses."""
        from sendesk.ui.school.school_details_dialog import SchoolDetailsDialog

        SchoolDetailsDialog(self.ctx, self).exec()

    def staff_accounts(self) -> None:
        """Who may sign in, and as what (issue 13)."""
        from sendesk.ui.staff.staff_accounts_dialog import StaffAccountsDialog

        StaffAccountsDialog(self.ctx, self).exec()

    def about(self) -> None:
        QMessageBox.about(self, "About SENDesk", self.about_text())

    def about_text(self) -> str:
        """The release, and the schema revision of the database open: what IT asks for."""
        from sendesk.services.school.school import schema_revision

        return (
            f"SENDesk {__version__}\nDatabase schema revision {schema_revision(self.ctx.db)}"
            f" ({self.ctx.db.target.describe()})\n\nThe SEN office's register, graduated "
            "response, access arrangements and EHC requests — offline and encrypted."
        )

    def sign_out(self) -> None:
        self.signed_out = True
        self.close()

    def _start_lock(self) -> None:
        self.locker  # noqa: B018 - made now: its idle timer starts counting

    @property
    def locker(self) -> LockController:
        """The window's lock, made on first use (after the first draw, or File > Lock)."""
        if self._locker is None:
            from sendesk.ui.staff.lock import LockController

            self._locker = LockController(self.ctx, self, self._sign_out_from_lock)
        return self._locker

    def _sign_out_from_lock(self) -> None:
        self.pupil_windows.clear()  # the lock discarded them, unsaved changes and all
        self.sign_out()

    def closeEvent(self, event: QCloseEvent) -> None:
        for window in list(self.pupil_windows.values()):
            if not window.close():  # a pupil window with unsaved changes said "cancel"
                event.ignore()
                self.signed_out = False
                return
        self.locker.end()  # viewer copies deleted on sign-out and exit
        event.accept()


def _read_pupil(ctx: AppContext, pupil_id: int) -> tuple[object, int | None]:
    """On the worker: the record and the register version its window shows (imported
    here, so the window module loads on the worker the first time a pupil is opened)."""
    from sendesk.ui.pupil_window import read_for_window

    return read_for_window(ctx, pupil_id)
