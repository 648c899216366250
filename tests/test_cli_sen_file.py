"""`sendesk sen-file`: a leaver's SEN file from the command line (issue 15), as the app
makes it — the PDF read back, the evidence named appended, the file audited."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy import select

from sendesk.db import open_database
from sendesk.models import AuditEvent
from sendesk.services.actor import acting_user
from sendesk.services.evidence.evidence import add_document
from sendesk.services.transfer.leavers import record_leaving

sys.path.insert(0, str(Path(__file__).resolve().parent / "services"))
from pack_story import marked_pdf
from test_ctf_import import upn_of

from tests.cli_run import HILL_PASSWORD, run_at_hill
from tests.factories import add_test_pupil, hill_school


def test_sen_file_writes_the_pdf_with_the_evidence_named(
    capsys, monkeypatch, tmp_path: Path, raw_key: str
) -> None:
    where = str(tmp_path / "s.db")
    db, senco = hill_school(where, raw_key, HILL_PASSWORD)
    pid = add_test_pupil(db, senco, 1, provision="K", needs=("SLCN",), forename="Zoë")
    doc = add_document(
        db, senco, pid, marked_pdf("SALT-NOTE", 1), "SALT note", date(2025, 1, 6), filename="s.pdf"
    )
    db.dispose()
    out = tmp_path / "out"
    out.mkdir()
    argv = ("sen-file", "--db", where, "--upn", upn_of(1), "--out", str(out))
    code, lines, err = run_at_hill(capsys, monkeypatch, raw_key, *argv)
    assert code != 0 and "not recorded as leaving" in err and list(out.iterdir()) == []

    db = open_database(where, raw_key)
    record_leaving(db, acting_user(db, "senco"), pid, date(2025, 7, 18), "Hill Academy", "801/4001")
    db.dispose()
    code, lines, err = run_at_hill(capsys, monkeypatch, raw_key, *argv, "--evidence", str(doc))
    assert (code, err) == (0, "")
    [pdf] = list(out.iterdir())
    assert pdf.name.startswith(f"sen-file-{upn_of(1)}-") and pdf.suffix == ".pdf"
    assert lines[0] == f"Wrote the SEN file to {pdf} ({len(PdfReader(pdf).pages)} pages)."
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)
    assert "Zoë Pupil" in text and "Hill Academy (DfE 801/4001)" in text
    assert "SALT-NOTE page 1 of 1" in text
    db = open_database(where, raw_key)
    with db.session() as s:
        detail = s.scalars(select(AuditEvent.detail).where(AuditEvent.action == "sen_file")).one()
    db.dispose()
    assert pdf.name in str(detail)
