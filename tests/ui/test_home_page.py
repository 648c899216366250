"""What's due, the page every user lands on: the JCQ edition's notice (AARA 2025–26).

The edition's dates are settings, never a constant that silently switches the rules off:
past its end the rules still apply and the page says so in plain words.
"""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QLabel

from sendesk.services.school.settings import set_setting
from sendesk.ui.home_page import HomePage
from tests.ui.screens import context, on_screen


def _summary(qtbot, db, senco, today: date) -> str:
    page = HomePage(context(db, senco))
    qtbot.addWidget(page)
    page.reload(today).wait()
    return page.summary.text()


def test_past_the_editions_end_the_page_says_the_rules_still_apply(qtbot, db, senco) -> None:
    during = _summary(qtbot, db, senco, date(2026, 3, 2))
    assert "still applies" not in during
    after = _summary(qtbot, db, senco, date(2026, 12, 7))
    assert "2025–26" in after and "31/08/2026" in after and "still applies them" in after
    # JCQ keeps the edition for 2026–27: the SENCo moves its end date on; the notice goes.
    set_setting(db, senco, "jcq.edition_ends", "2027-08-31")
    assert "still applies" not in _summary(qtbot, db, senco, date(2026, 12, 7))


# --- learning support: their groups' sessions and measures (issue 13) ----------------------

DEMO_TODAY = date(2026, 3, 4)  # a Wednesday in the spring term


def test_learning_support_see_their_groups_sessions_and_measures(qtbot, tmp_path) -> None:
    """Signed in as each demo learning support assistant: the one the demo leaves behind
    sees their group's sessions not yet logged, and a pupil's exit measure due, on their
    home page, as lines of the list; the others do not see that group's lines."""
    from sendesk.db import create_database
    from sendesk.demo import DEMO_PASSWORD, write_demo_school
    from sendesk.keystore import new_raw_key
    from sendesk.models import Role
    from sendesk.services.graduated.interventions_due import MEASURES_KIND, SESSIONS_KIND
    from sendesk.services.staff.users import sign_in

    db = create_database(str(tmp_path / "demo.sendesk"), new_raw_key())
    summary = write_demo_school(db, pupils=80, seed=2, today=DEMO_TODAY, password=DEMO_PASSWORD)
    assistants = [name for name, role, _ in summary.accounts if role is Role.LEARNING_SUPPORT]
    pages: dict[str, HomePage] = {}
    for username in assistants:
        page = HomePage(context(db, sign_in(db, username, DEMO_PASSWORD)))
        qtbot.addWidget(page)
        page.reload(DEMO_TODAY).wait()
        pages[username] = page

    def rows(page: HomePage) -> list[tuple[str, ...]]:
        model = page.model
        return [
            tuple(model.index(r, c).data() for c in range(model.columnCount()))
            for r in range(model.rowCount())
        ]

    behind = [u for u, p in pages.items() if any(i.kind == SESSIONS_KIND for i in p.model.items)]
    assert len(behind) == 1  # the demo leaves one assistant behind with their log
    page = pages[behind[0]]
    group = next(i for i in page.model.items if i.kind == SESSIONS_KIND)
    measure = next(i for i in page.model.items if i.kind == MEASURES_KIND)
    shown = {  # by the "Pupil" column, for the groups' lines
        r[2]: r for r, i in zip(rows(page), page.model.items, strict=True) if i.group_id
    }
    assert shown[f"Group: {group.group_name}"][3].startswith("2 sessions not logged (from ")
    row = shown[f"{measure.pupil_name} ({measure.upn})"]
    assert row[1] == "Overdue" and f"The exit measure in {group.group_name} is due" in row[3]
    # The other assistants' lists have none of that group's items.
    for username, other in pages.items():
        if username != behind[0]:
            assert group.group_id not in {i.group_id for i in other.model.items}
    db.dispose()


def test_the_sessions_line_opens_the_day_in_my_groups(qtbot, db, senco) -> None:
    """Double-clicking (or Enter on) a "sessions not logged" line opens My groups on the
    first of them, with the group chosen and nothing logged yet."""
    from datetime import timedelta

    from sendesk.models import Role
    from sendesk.services.graduated.enrolments import enrol
    from sendesk.services.graduated.intervention_records import GroupData, InterventionData
    from sendesk.services.graduated.intervention_setup import add_group, add_intervention
    from sendesk.services.graduated.interventions_due import SESSIONS_KIND
    from sendesk.services.staff.users import create_user, sign_in
    from sendesk.ui.graduated.session_logging import MyGroupsPage
    from sendesk.ui.main_window import MainWindow
    from tests.factories import add_test_pupil

    create_user(db, senco, "ta", "Ms Support", Role.LEARNING_SUPPORT, "support123")
    ta = sign_in(db, "ta", "support123")
    today = date.today()
    day = today - timedelta(days=2)
    reading = add_intervention(
        db, senco, InterventionData("Reading", "Cognition and learning", "TA", "age", "age_months")
    )
    gid = add_group(
        db, senco, GroupData(reading, "Reading A", ta.user_id, (day.weekday(),), day, None)
    )
    enrol(db, senco, gid, add_test_pupil(db, senco, 1, forename="Amy"), day, None, 84)
    window = on_screen(qtbot, MainWindow(context(db, ta)))
    window.home.reload(today).wait()
    model = window.home.model
    row = next(r for r, i in enumerate(model.items) if i.kind == SESSIONS_KIND)
    assert model.index(row, 2).data() == "Group: Reading A"
    assert model.index(row, 3).data().startswith(f"1 session not logged (on {day:%d/%m/%Y})")
    window.home.table.activated.emit(model.index(row, 3))
    page = window.stack.currentWidget()
    assert isinstance(page, MyGroupsPage)
    page.loading.wait()  # type: ignore[union-attr]  # the day's groups, read on the worker
    assert page.on == day and page.group is not None and page.group.group_id == gid
    assert page.group.logged is None  # ready to log


# --- filters, groups and the tab an item opens on (issue 14) --------------------------------

MONDAY = date(2026, 11, 23)


@pytest.fixture(autouse=True)
def _forget_filters() -> None:
    """Each test starts with the filters a new run of SENDesk starts with."""
    from sendesk.ui.home_page import REMEMBERED

    REMEMBERED.clear()


def _school(db, senco) -> dict[str, int]:
    """Three pupils on SEN support with reviews overdue, this week and later, in Years 7
    and 9, with contacts and needs described (so the gaps are the parent meetings)."""
    from sendesk.models import NeedProfile
    from tests.factories import add_test_contact, add_test_pupil

    ids = {
        "Ana": add_test_pupil(
            db, senco, 1, provision="K", needs=("SPLD",), year=7, forename="Ana",
            next_review_due=date(2026, 11, 1),
        ),
        "Ben": add_test_pupil(
            db, senco, 2, provision="K", needs=("SPLD",), year=9, forename="Ben",
            next_review_due=date(2026, 11, 26),
        ),
        "Cai": add_test_pupil(
            db, senco, 3, provision="K", needs=("SPLD",), year=9, forename="Cai",
            next_review_due=date(2027, 1, 15),
        ),
    }  # fmt: skip
    with db.transaction() as s:
        for pid in ids.values():
            s.add(NeedProfile(pupil_id=pid, area="Cognition and learning", difficulties="x"))
    for pid in ids.values():
        add_test_contact(db, pid)
    return ids


def shown(page: HomePage) -> list[str | tuple[str, ...]]:
    """The list as the user sees it, top to bottom: a heading as its text, an item as its
    row's cells (When, Status, Pupil, What)."""
    tree = page.table.model()
    out: list[str | tuple[str, ...]] = []
    for h in range(tree.rowCount()):
        heading = tree.index(h, 0)
        out.append(heading.data())
        for r in range(tree.rowCount(heading)):
            out.append(tuple(tree.index(r, c, heading).data() for c in range(4)))
    return out


def choose(qtbot, combo, text: str) -> None:
    """Pick ``text`` in a filter list from the keyboard (the list has focus; Down/Up)."""
    combo.setFocus()
    labels = [combo.itemText(i) for i in range(combo.count())]
    target = labels.index(text)
    while combo.currentIndex() != target:
        key = Qt.Key.Key_Down if combo.currentIndex() < target else Qt.Key.Key_Up
        qtbot.keyClick(combo, key)


def test_whats_due_is_grouped_and_filtered_by_kind_year_and_when(
    qtbot, qtmodeltester, db, senco
) -> None:
    _school(db, senco)
    page = on_screen(qtbot, HomePage(context(db, senco)))
    page.reload(MONDAY).wait()
    qtmodeltester.check(page.grouped)
    # The first item (not its heading) is current: Enter opens what is most overdue.
    assert page.table.currentIndex().data() == "01/11/2026"
    rows = shown(page)
    headings = [r for r in rows if isinstance(r, str)]
    assert headings == ["Overdue (1)", "This week (1)", "No date: gaps to fill (3)", "Later (1)"]
    assert rows[1] == ("01/11/2026", "Overdue", f"Ana Pupil ({_upn(1)})", _review(2026, 11, 1))
    assert rows[3][0] == "26/11/2026" and rows[3][2].startswith("Ben Pupil")
    assert rows[-1][0] == "15/01/2027" and rows[-1][2].startswith("Cai Pupil")
    assert page.shown_label.text() == "Showing all 6 items."
    # Each filter has a label with a mnemonic and an accessible name.
    for combo in (page.kind_combo, page.year_combo, page.period_combo):
        assert combo.accessibleName()
        assert any(label.buddy() is combo for label in page.findChildren(QLabel))
    assert [page.year_combo.itemText(i) for i in range(page.year_combo.count())] == [
        "All year groups",
        "Year 7",
        "Year 9",
    ]

    choose(qtbot, page.year_combo, "Year 9")
    assert {r[2].split(" (")[0] for r in shown(page) if isinstance(r, tuple)} == {
        "Ben Pupil",
        "Cai Pupil",
    }
    choose(qtbot, page.period_combo, "By the end of this week")
    rows = shown(page)
    assert rows[0] == "This week (1)" and rows[1][2].startswith("Ben Pupil")
    assert rows[2] == "No date: gaps to fill (2)"  # gaps need doing now: due by any date
    assert "Later (1)" not in rows
    assert page.shown_label.text().startswith("Showing 3 of 6 items")
    choose(qtbot, page.kind_combo, "Reviews")
    choose(qtbot, page.period_combo, "Overdue only")
    choose(qtbot, page.year_combo, "All year groups")
    assert shown(page) == ["Overdue (1)", rows_of_ana(page)]
    choose(qtbot, page.kind_combo, "Access arrangements")
    assert shown(page) == []
    assert page.shown_label.text().startswith("Showing 0 of 6 items")

    # Kept for the session: the page made again (after signing in again) has them.
    again = HomePage(context(db, senco))
    qtbot.addWidget(again)
    again.reload(MONDAY).wait()
    assert again.kind_combo.currentText() == "Access arrangements"
    assert again.period_combo.currentText() == "Overdue only"
    assert shown(again) == []


def _upn(serial: int) -> str:
    from sendesk.rules.upn import make

    return make(801, 2000, 24, serial)


def _review(year: int, month: int, day: int) -> str:
    return f"SEN support review due {date(year, month, day):%d/%m/%Y}"


def rows_of_ana(page: HomePage) -> tuple[str, ...]:
    return ("01/11/2026", "Overdue", f"Ana Pupil ({_upn(1)})", _review(2026, 11, 1))


def test_an_item_opens_the_pupil_on_its_tab_in_a_window_showing_every_tab(qtbot, db, senco) -> None:
    """Double-click (Enter) on a review opens the pupil on Support plans, on a parent
    meetings gap too; a gap in needs on Needs — in a window wide enough for every tab and
    no bigger than the screen's available area."""
    from sendesk.models import NeedProfile
    from sendesk.ui.main_window import MainWindow

    ids = _school(db, senco)
    with db.transaction() as s:  # Cai's needs no longer described: a gap in needs
        for profile in s.query(NeedProfile).filter_by(pupil_id=ids["Cai"]):
            profile.difficulties = ""
    window = on_screen(qtbot, MainWindow(context(db, senco)))
    window.home.reload(MONDAY).wait()
    tree = window.home.table.model()

    def activate(who: str, what: str) -> None:
        for h in range(tree.rowCount()):
            heading = tree.index(h, 0)
            for r in range(tree.rowCount(heading)):
                if tree.index(r, 2, heading).data().startswith(who) and what in (
                    tree.index(r, 3, heading).data()
                ):
                    window.home.table.activated.emit(tree.index(r, 3, heading))
                    # the record is read on the worker; the window follows
                    qtbot.waitUntil(lambda: ids[who] in window.pupil_windows)
                    return
        raise AssertionError(f"no line for {who}: {what}")

    def tab_shown(pupil: str) -> str:
        pupil_window = window.pupil_windows[ids[pupil]]
        return pupil_window.tabs.tabText(pupil_window.tabs.currentIndex()).replace("&", "")

    activate("Ana", "SEN support review due")
    assert tab_shown("Ana") == "Support plans"
    ana = window.pupil_windows[ids["Ana"]]
    bar = ana.tabs.tabBar()
    room = ana.screen().availableGeometry()  # the test screen: 800×800
    assert ana.width() <= room.width() and ana.height() <= room.height()
    assert ana.width() > 632 and ana.height() > 666  # bigger than it used to open
    if bar.width() < bar.sizeHint().width():  # the tabs want more than this screen has
        assert ana.width() >= 0.9 * room.width() - 1  # as wide as the screen allows
        ana.fit_to_screen(QSize(1920, 1040))  # as on a school's usual screen
        qtbot.waitUntil(lambda: bar.width() >= bar.sizeHint().width())  # every tab shows
    activate("Cai", "No description of needs")
    assert tab_shown("Cai") == "Needs"
    window.pupil_windows[ids["Cai"]].tabs.setCurrentIndex(0)
    activate("Cai", "Parents met")  # the window already open moves to the tab
    assert tab_shown("Cai") == "Support plans"


def test_every_kind_of_item_opens_a_tab_the_record_has() -> None:
    """Each provider's kinds go to a tab of the pupil record that exists: access to Access
    arrangements, every EHC kind to EHC plan, a measure to Interventions."""
    from sendesk.services.due import DueItem
    from sendesk.services.ehc import records as ehc_records
    from sendesk.services.graduated.interventions_due import MEASURES_KIND
    from sendesk.services.graduated.support_plans import DUE_KIND, RHYTHM_KIND
    from sendesk.ui.home_page import TAB_FOR_KIND, tab_for
    from sendesk.ui.register.pupil_tabs import TAB_TITLES

    def tab(kind: str) -> str:
        return tab_for(DueItem(None, "gap", kind, 1, "A", "U", "t"))

    ehc_kinds = [getattr(ehc_records, n) for n in dir(ehc_records) if n.startswith("KIND_")]
    assert ehc_kinds and {tab(k) for k in ehc_kinds} == {"ehc"}
    assert tab("access evidence") == tab("access arrangement") == "access"
    assert tab(MEASURES_KIND) == "interventions"
    assert tab(DUE_KIND) == tab(RHYTHM_KIND) == tab("review") == "plans"
    assert tab("needs") == "needs" and tab("UPN") == "profile"
    assert set(TAB_FOR_KIND.values()) <= set(TAB_TITLES)
