"""The leaver's SEN file from the pupil window (issue 15): the SENCo ticks a document,
makes the PDF on the worker thread, reads where it went, then records it as sent, which
takes it off what's due and shows in the pupil's record."""

from __future__ import annotations

from datetime import date, timedelta

from pypdf import PdfReader
from PySide6.QtCore import QDate, Qt

from sendesk.services.due import due_items
from sendesk.services.evidence.evidence import add_document
from sendesk.services.transfer.leavers import leaver_status, record_leaving
from sendesk.ui.pupil_window import PupilWindow
from sendesk.ui.transfer.sen_file_dialog import SenFileDialog
from tests.factories import add_test_pupil
from tests.services.pack_story import marked_pdf
from tests.ui.screens import context, on_screen


def test_make_the_file_with_a_ticked_document_then_record_it_sent(
    qtbot, db, senco, tmp_path
) -> None:
    pid = add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",), forename="Zoë")
    add_document(
        db, senco, pid, marked_pdf("OT-REPORT", 2), "OT report", date(2025, 5, 1), filename="ot.pdf"
    )
    add_document(
        db,
        senco,
        pid,
        marked_pdf("NOT-SENT", 1),
        "Old letter",
        date(2023, 5, 1),
        filename="old.pdf",
    )
    leaves = date.today() - timedelta(days=3)
    record_leaving(db, senco, pid, leaves, "Hill Academy", "801/4001")
    ctx = context(db, senco)
    window = on_screen(qtbot, PupilWindow(ctx, pid))
    panel = window.leaving_panel
    qtbot.waitUntil(lambda: panel.status is not None, timeout=10_000)
    assert panel.sen_file_button.isVisible()  # a leaver with SEN history
    assert "SEN file not sent yet" in panel.state.text()

    assert panel.status is not None
    dialog = on_screen(qtbot, SenFileDialog(ctx, panel.status, window))
    qtbot.waitUntil(lambda: dialog.loading is None, timeout=10_000)
    rows = [dialog.evidence.item(i).text() for i in range(dialog.evidence.count())]
    assert rows == ["Old letter — PDF, 01/05/2023", "OT report — PDF, 01/05/2025"]
    assert "Leaving on" in dialog.where.text() and "Hill Academy (DfE 801/4001)" in (
        dialog.where.text()
    )
    dialog.evidence.item(1).setCheckState(Qt.CheckState.Checked)
    dialog.folder.setText(str(tmp_path))
    dialog.make_button.click()
    qtbot.waitUntil(lambda: dialog.result is not None, timeout=30_000)
    result = dialog.result
    assert result is not None and result.appended == ("E1",)
    assert dialog.outcome.text().startswith(f"Saved {result.pdf} ({result.pages} pages")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(result.pdf).pages)
    assert "SEN FILE FOR THE RECEIVING SCHOOL" in text and "Zoë Pupil" in text
    assert "OT-REPORT page 2 of 2" in text and "NOT-SENT" not in text
    assert any(i.kind == "SEN file" for i in due_items(db, senco))

    sent = date.today() - timedelta(days=1)
    dialog.sent_on.setDate(QDate(sent.year, sent.month, sent.day))
    dialog.sent_button.click()
    qtbot.waitUntil(lambda: dialog.marked_sent, timeout=10_000)
    assert dialog.outcome.text() == (
        f'Recorded: the SEN file was sent on {sent:%d/%m/%Y}; it is off "what\'s due".'
    )
    assert not any(i.kind == "SEN file" for i in due_items(db, senco))
    panel.reload()
    qtbot.waitUntil(lambda: "SEN file sent on" in panel.state.text(), timeout=10_000)
    assert panel.state.text().endswith(f"SEN file sent on {sent:%d/%m/%Y}.")
    assert leaver_status(db, senco, pid).sen_file_sent_on == sent


def test_a_pupil_without_sen_history_is_offered_no_sen_file(qtbot, db, senco) -> None:
    pid = add_test_pupil(db, senco, 2)  # never on the register
    record_leaving(db, senco, pid, date.today(), "Hill Academy")
    window = on_screen(qtbot, PupilWindow(context(db, senco), pid))
    panel = window.leaving_panel
    qtbot.waitUntil(lambda: panel.status is not None, timeout=10_000)
    assert not panel.sen_file_button.isVisible()
    assert panel.state.text().endswith("No SEN history here or before: no SEN file is due.")
