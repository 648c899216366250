"""The pupil window's profile shows home language and ethnicity where the MIS gave them."""

from __future__ import annotations

from datetime import date

from sendesk.ui.pupil_window import PupilWindow
from tests.factories import admit_pupil
from tests.ui.screens import context


def test_profile_shows_home_language_and_ethnicity_or_not_held(qtbot, db, senco) -> None:
    held = admit_pupil(
        db,
        senco,
        1,
        "Ola",
        surname="Nowak",
        dob=date(2012, 5, 1),
        year=None,
        upn_year=23,
        home_language="Polish",
        ethnicity="White - Polish",
    )
    not_held = admit_pupil(
        db, senco, 2, "Bo", surname="Lee", dob=date(2012, 5, 1), year=None, upn_year=23
    )
    ctx = context(db, senco)
    window = PupilWindow(ctx, held)
    qtbot.addWidget(window)
    assert window.language_view.text() == "Polish"
    assert window.ethnicity_view.text() == "White - Polish"
    assert window.language_view.isReadOnly() and window.ethnicity_view.isReadOnly()
    assert window.language_view.accessibleName() == "Home language"
    other = PupilWindow(ctx, not_held)
    qtbot.addWidget(other)
    assert (other.language_view.text(), other.ethnicity_view.text()) == ("Not held", "Not held")
