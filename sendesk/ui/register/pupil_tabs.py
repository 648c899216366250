"""The pupil window's tabs: their titles by key, and the ones made when first shown.

Opening a pupil reads only the profile, needs and history (issue 14): each other tab
(:data:`LAZY_TABS`) reads its own part of the record, so it stands in as an empty widget
until it is shown or asked for (:meth:`LazyTabs.tab`), then takes its stand-in's place.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

TAB_TITLES: dict[str, str] = {
    "profile": "Profile",
    "needs": "Needs",
    "history": "Register history",
    "plans": "Support plans",
    "interventions": "Interventions",
    "agencies": "Agencies & evidence",
    "progress": "Progress",
    "access": "Access arrangements",
    "ehc": "EHC plan",
    "concerns": "Concerns",
    "meetings": "Meetings & parents",
}
"""The record's tabs by a name callers use (``open_pupil_window(..., tab="plans")``),
and each tab's title as shown without its mnemonic: found by title, so the order of the
tabs or how they are built may change without the callers knowing."""

RECORD, OTHER, NOTHING = "record", "other", "nothing"
"""What a tab's ``changed`` means to the window: the record's version moved (re-read the
forms), something other pages show changed (pass it on), or the tab changes nothing."""

LAZY_TABS: tuple[tuple[str, str, str, str, str], ...] = (
    # key, title with its mnemonic, module, class, what its "changed" means
    ("concerns", "C&oncerns", "sendesk.ui.graduated.concerns_tab", "ConcernsTab", RECORD),
    (
        "plans",
        "Support p&lans",
        "sendesk.ui.graduated.support_plans_tab",
        "SupportPlansTab",
        RECORD,
    ),
    (
        "interventions",
        "&Interventions",
        "sendesk.ui.graduated.pupil_interventions_tab",
        "PupilInterventionsTab",
        NOTHING,
    ),
    ("agencies", "Agencies && e&vidence", "sendesk.ui.evidence.agencies_tab", "AgenciesTab", OTHER),
    ("progress", "Pro&gress", "sendesk.ui.graduated.progress_tab", "ProgressTab", OTHER),
    ("access", "A&ccess arrangements", "sendesk.ui.access.access_tab", "AccessTab", OTHER),
    ("ehc", "&EHC plan", "sendesk.ui.ehc.ehc_tab", "EhcTab", RECORD),
    ("meetings", "Meetings && pa&rents", "sendesk.ui.graduated.meetings_tab", "MeetingsTab", OTHER),
)
"""The tabs made when first shown: each reads its own part of the pupil's record, so
opening the window reads only the profile, needs and history (issue 14). A saved support
plan, EHC plan or concern decision moves the pupil's next review date or register status
(and so the record's version): the window re-reads its forms unless they hold unsaved
edits. Adding a tab is one line here (and its key in :data:`TAB_TITLES`)."""

PLACEHOLDERS: dict[str, str] = {}
"""Tabs a later issue fills in: a sentence each, and no controls that do nothing."""


class LazyTabs(QObject):
    """The stand-ins of :data:`LAZY_TABS` in ``tabs``, replaced by ``make(key)`` when first
    shown or asked for; then the :data:`PLACEHOLDERS`."""

    def __init__(self, tabs: QTabWidget, make: Callable[[str], QWidget]) -> None:
        super().__init__(tabs)
        self.tabs = tabs
        self.make = make
        self._lazy: dict[str, QWidget] = {}
        self._built: dict[str, QWidget] = {}
        for key, title, *_how in LAZY_TABS:
            stand_in = QWidget()
            stand_in.setObjectName(f"unbuilt:{key}")
            self._lazy[key] = stand_in
            tabs.addTab(stand_in, title)
        tabs.currentChanged.connect(self._shown)
        for title, text in PLACEHOLDERS.items():
            tabs.addTab(placeholder_page(title, text), title)

    def _shown(self, index: int) -> None:
        for key, stand_in in self._lazy.items():
            if self.tabs.widget(index) is stand_in:
                self.tab(key)
                return

    def is_built(self, key: str) -> bool:
        return key in self._built

    def tab(self, key: str) -> QWidget:
        """The tab ``key``, made now if it has not been yet; it takes its stand-in's place,
        so the tab bar and the tab shown stay as they were."""
        made = self._built.get(key)
        if made is not None:
            return made
        made = self.make(key)
        self._built[key] = made
        stand_in = self._lazy.pop(key)
        index = self.tabs.indexOf(stand_in)
        title = self.tabs.tabText(index)
        current = self.tabs.currentIndex()
        self.tabs.blockSignals(True)  # the same tab stays current: nothing to announce
        try:
            self.tabs.removeTab(index)
            self.tabs.insertTab(index, made, title)
            self.tabs.setCurrentIndex(current)
        finally:
            self.tabs.blockSignals(False)
        stand_in.deleteLater()
        return made

    def show(self, tab: str) -> bool:
        """Bring forward the tab named ``tab`` (a key of :data:`TAB_TITLES`); False, and
        nothing changes, when there is no such tab."""
        title = TAB_TITLES.get(tab)
        for index in range(self.tabs.count()):
            if re.sub("&(.)", r"\1", self.tabs.tabText(index)) == title:  # "&&" is "&"
                self.tabs.setCurrentIndex(index)
                return True
        return False


def placeholder_page(title: str, text: str) -> QWidget:
    """A tab a later issue fills in: its sentence, reachable by a screen reader."""
    page = QWidget()
    layout = QVBoxLayout(page)
    label = QLabel(text)
    label.setWordWrap(True)
    label.setAccessibleName(title)
    label.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByKeyboard
        | Qt.TextInteractionFlag.TextSelectableByMouse
    )
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # a screen reader can reach it
    layout.addWidget(label)
    layout.addStretch(1)
    page.setObjectName(f"placeholder:{title}")
    return page
