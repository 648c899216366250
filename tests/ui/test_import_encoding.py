"""The import dialog offers the encoding choice when a CSV is not clean UTF-8 (issue 12)."""

from __future__ import annotations

from pathlib import Path

from sendesk.services.register.pupils import get_pupil
from sendesk.ui.register.import_dialog import ImportDialog
from tests.ui.screens import context, on_screen

MIXED = (
    b"UPN,Surname,Forename,DOB\r\n"
    + "Y801200015020,Brontë,Zoë,01/02/2013\r\n".encode()
    + "M801200015021,Müller,Chloë,02/03/2013\r\n".encode("cp1252")
)


def _rows(dialog: ImportDialog) -> list[list[str]]:
    model = dialog.model
    return [[model.item(r, c).text() for c in range(4)] for r in range(model.rowCount())]


def test_encoding_offered_for_a_file_not_clean_utf8(qtbot, tmp_path: Path, db, senco) -> None:
    clean = tmp_path / "clean.csv"
    clean.write_text("UPN,Surname,Forename,DOB\r\nY801200015020,Brontë,Zoë,01/02/2013\r\n")
    dialog = on_screen(qtbot, ImportDialog(context(db, senco)))
    dialog.path.setText(str(clean))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert not dialog.encoding.isVisible()  # clean UTF-8: nothing to choose

    mixed = tmp_path / "mixed.csv"
    mixed.write_bytes(MIXED)
    dialog.path.setText(str(mixed))
    dialog.check()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    assert dialog.encoding.isVisible()
    notes = [r[3] for r in _rows(dialog) if r[1] == "Note"]
    assert any(n.startswith("line 3 is not UTF-8, so it was read as Windows-1252") for n in notes)
    assert "choose the file's encoding above" in dialog.summary.text()

    dialog.encoding.setCurrentIndex(dialog.encoding.findData("utf-8"))  # checks again
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=10_000)  # checked on the worker
    assert "mixed.csv is not all UTF-8 (line 3 cannot be read that way)" in dialog.summary.text()
    assert not dialog.import_button.isEnabled()

    dialog.encoding.setCurrentIndex(0)  # detect again, and import
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10_000)
    dialog.import_button.click()
    qtbot.waitUntil(lambda: dialog.imported, timeout=10_000)
    assert get_pupil(db, senco, "Y801200015020").legal_forename == "Zoë"
    assert get_pupil(db, senco, "M801200015021").legal_forename == "Chloë"
