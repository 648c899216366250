"""Write docs/sample-sen-file.pdf, a demo leaver's SEN file, and pictures of how it is made.

Run: ``python scripts/sample_sen_file.py [--pupils 300] [--seed 1] [--today 2026-03-02]``.
Makes a demo school in a temporary encrypted database (made-up people only), picks the
pupil on SEN support with the longest history (as ``scripts/sample_pack.py`` does), records
them leaving for another school, and builds their SEN file with every stored document
ticked, exactly as the app and ``sendesk sen-file`` do. It also saves, into
docs/screenshots, File → Import a CTF… with a faulty CTF, the leaver's pupil window and
the SEN file dialog, and — when poppler's ``pdftoppm`` is installed — the file's cover and
a page of its support plans. The same arguments give the same pupil and the same pages.
Look at them after any change to the SEN file or these screens.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from sample_pack import longest_history
from sqlalchemy import select

from sendesk.db import Database, create_database
from sendesk.demo import write_demo_school
from sendesk.keystore import new_raw_key
from sendesk.models import Pupil
from sendesk.operations.sen_file import build_sen_file
from sendesk.services.actor import acting_user
from sendesk.services.evidence.evidence import list_documents
from sendesk.services.register.pupil_record import get_record
from sendesk.services.school.school import school_info
from sendesk.services.transfer.leavers import leaver_status, record_leaving
from sendesk.ui.context import AppContext

ROOT = Path(__file__).resolve().parents[1]


def settle(ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def save(widget: QWidget, path: Path) -> None:
    settle()
    widget.grab().save(str(path))


def faulty_ctf(db: Database, folder: Path) -> Path:
    """A CTF from "Hill Primary" for two pupils on roll: one with an entry that ends before
    it starts (refused), one with clean SEN history."""
    with db.session() as s:
        upns = list(s.scalars(select(Pupil.upn).order_by(Pupil.id).limit(2)))

    def pupil(upn: str, history: str) -> str:
        return (
            f"<Pupil><UPN>{upn}</UPN><Surname>X</Surname><Forename>Y</Forename>"
            f"<DOB>2012-01-01</DOB><Sex>F</Sex><SENhistory>{history}</SENhistory></Pupil>"
        )

    bad = "<SEN><StartDate>2021-09-01</StartDate><EndDate>2021-01-01</EndDate>"
    bad += "<SENprovision>K</SENprovision></SEN>"
    good = "<SEN><StartDate>2019-09-02</StartDate><EndDate>2020-07-17</EndDate>"
    good += "<SENprovision>K</SENprovision></SEN><SENneeds><SENneed><SENtype>SLCN</SENtype>"
    good += "<SENtypeRank>1</SENtypeRank></SENneed></SENneeds>"
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><CTfile><Header>'
        "<DocumentName>Common Transfer File</DocumentName><CTFversion>25.0</CTFversion>"
        "<DateTime>2025-07-20T10:00:00</DateTime><DocumentQualifier>partial</DocumentQualifier>"
        "<SourceSchool><LEA>801</LEA><Estab>2001</Estab><SchoolName>Hill Primary</SchoolName>"
        "<AcademicYear>2024</AcademicYear></SourceSchool></Header><CTFpupilData>"
        + pupil(upns[0], bad)
        + pupil(upns[1], good)
        + "</CTFpupilData></CTfile>"
    )
    path = folder / "8012001_CTF_8014000_001.xml"
    path.write_text(xml, encoding="utf-8")
    return path


def screens(ctx: AppContext, pupil_id: int, folder: Path, out: Path) -> None:
    """The CTF import with its problems, the leaver's pupil window, the SEN file dialog."""
    from sendesk.ui.pupil_window import PupilWindow
    from sendesk.ui.transfer.ctf_import_dialog import CtfImportDialog
    from sendesk.ui.transfer.sen_file_dialog import SenFileDialog

    dialog = CtfImportDialog(ctx)
    dialog.resize(900, 480)
    dialog.show()
    dialog.path.setText(str(faulty_ctf(ctx.db, folder)))  # the same name each run
    dialog.check()
    while dialog.report is None:
        settle(50)
    save(dialog, out / "ctf-import.png")
    dialog.close()
    window = PupilWindow(ctx, pupil_id)
    window.resize(1000, 760)
    window.show()
    while window.leaving_panel.status is None:
        settle(50)
    save(window, out / "pupil-leaving.png")
    sen_file = SenFileDialog(ctx, leaver_status(ctx.db, ctx.actor, pupil_id), window)
    sen_file.resize(760, 560)
    sen_file.show()
    while sen_file.loading is not None:
        settle(50)
    sen_file.folder.setText(str(Path(tempfile.gettempdir()) / "SEN files"))  # the same each run
    save(sen_file, out / "sen-file-dialog.png")
    sen_file.close()
    window.close()
    settle()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", type=date.fromisoformat, default=date(2026, 3, 2))
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])  # noqa: F841 - held while screens show
    shots = args.out / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        db = create_database(str(Path(folder) / "demo.sendesk"), new_raw_key())
        write_demo_school(db, pupils=args.pupils, seed=args.seed, today=args.today)
        senco = acting_user(db, None)
        pupil_id = longest_history(db)
        record_leaving(
            db, senco, pupil_id, args.today + timedelta(days=4), "Hill Academy", "801/4001"
        )
        documents = [d.id for d in sorted(list_documents(db, senco, pupil_id), key=_dated)]
        result = build_sen_file(
            db, senco, pupil_id, Path(folder), evidence_ids=documents, today=args.today
        )
        pdf = args.out / "sample-sen-file.pdf"
        shutil.copyfile(result.pdf, pdf)
        name = get_record(db, senco, pupil_id).display_name
        ctfs = Path(tempfile.gettempdir()) / "sendesk-screenshots" / "CTFs"
        ctfs.mkdir(parents=True, exist_ok=True)
        screens(AppContext(db, senco, school_info(db)), pupil_id, ctfs, shots)
        shutil.rmtree(ctfs.parent)
        db.dispose()
        from sendesk.ui.ops import shutdown

        shutdown()
    print(f"Wrote {pdf} ({result.pages} pages) for {name}, and the screens to {shots}.")
    for note in result.notes:
        print(f"  {note}")
    if shutil.which("pdftoppm"):
        for page, stem in ((1, "sen-file-cover"), (4, "sen-file-plans")):
            subprocess.run(
                [
                    *("pdftoppm", "-png", "-r", "70", "-singlefile"),
                    *("-f", str(page), "-l", str(page), str(pdf), str(shots / stem)),
                ],
                check=True,
            )
    else:
        print("pdftoppm is not installed: no pictures of the file's pages.")
    return 0


def _dated(doc: object) -> tuple[date, int]:
    day = getattr(doc, "document_date", None) or date.min
    return day, int(getattr(doc, "id", 0))


if __name__ == "__main__":
    raise SystemExit(main())
