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
    page.reload(today)
    return page.summary.text()


def test_past_the_editions_end_the_page_says_the_rules_still_apply(qtbot, db, senco) -> None:
    during = _summary(qtbot, db, senco, date(2026, 3, 2))
    assert "still applies" not in during
    after = _summary(qtbot, db, senco, date(2026, 12, 7))
    assert "2025–26" in after and "31/08/2026" in after and "still applies them" in after
    # JCQ keeps the edition for 2026–27: the SENCo moves its end date on; the notice goes.
    set_setting(db, senco, "jcq.edition_ends", "2027-08-31")
    assert "still applies" not in _summary(qtbot, db, senco, date(2026, 12, 7))
