"""What's due, the page every user lands on: the JCQ edition's notice (AARA 2025–26).

The edition's dates are settings, never a constant that silently switches the rules off:
past its end the rules still apply and the page says so in plain words.
"""

from __future__ import annotations

from datetime import date

from sendesk.services.school import school_info
from sendesk.services.settings import set_setting
from sendesk.ui.context import AppContext
from sendesk.ui.home_page import HomePage


def _summary(qtbot, db, senco, today: date) -> str:
    page = HomePage(AppContext(db, senco, school_info(db)))
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
    from sendesk.keystore import new_raw_key
    from sendesk.models import Role
    from sendesk.services.demo import DEMO_PASSWORD, write_demo_school
    from sendesk.services.interventions_due import MEASURES_KIND, SESSIONS_KIND
    from sendesk.services.users import sign_in

    db = create_database(str(tmp_path / "demo.sendesk"), new_raw_key())
    summary = write_demo_school(db, pupils=80, seed=2, today=DEMO_TODAY, password=DEMO_PASSWORD)
    assistants = [name for name, role, _ in summary.accounts if role is Role.LEARNING_SUPPORT]
    pages: dict[str, HomePage] = {}
    for username in assistants:
        page = HomePage(AppContext(db, sign_in(db, username, DEMO_PASSWORD), school_info(db)))
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
    from sendesk.services.interventions import (
        GroupData,
        InterventionData,
        add_group,
        add_intervention,
        enrol,
    )
    from sendesk.services.interventions_due import SESSIONS_KIND
    from sendesk.services.users import create_user, sign_in
    from sendesk.ui.main_window import MainWindow
    from sendesk.ui.session_logging import MyGroupsPage
    from tests.services.pupil_factory import add_test_pupil

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
    window = MainWindow(AppContext(db, ta, school_info(db)))
    qtbot.addWidget(window)
    window.show()
    window.home.reload(today).wait()
    model = window.home.model
    row = next(r for r, i in enumerate(model.items) if i.kind == SESSIONS_KIND)
    assert model.index(row, 2).data() == "Group: Reading A"
    assert model.index(row, 3).data().startswith(f"1 session not logged (on {day:%d/%m/%Y})")
    window.home.table.activated.emit(model.index(row, 3))
    page = window.stack.currentWidget()
    assert isinstance(page, MyGroupsPage)
    assert page.on == day and page.group is not None and page.group.group_id == gid
    assert page.group.logged is None  # ready to log
