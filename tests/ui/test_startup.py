"""Start-up draws the window before SQLAlchemy is imported, fills in the register (read on
the worker as the window is made), then works out what's due.

Why this is tested in a fresh process: whether a module has been imported is a property of
the whole process, and the test process has imported everything long ago. The child does
what ``sendesk`` does after sign-in and reports what it had imported when the window was
first drawn (see :mod:`sendesk.db` and :mod:`sendesk.ui.home_page` for why).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sendesk.db import create_database
from sendesk.keystore import new_raw_key
from sendesk.services.school.school import init_school
from tests.factories import add_test_pupil

CHILD = """
import json, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
from sendesk.ui.app import application
from sendesk.db import open_database
from sendesk.services.actor import acting_user
from sendesk.services.school.school import school_info
from sendesk.ui.context import AppContext
from sendesk.ui.main_window import MainWindow
from tests.ui.screens import context

report = {}

class FirstDrawn(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.UpdateRequest and "drawn" not in report:
            obj.removeEventFilter(self)
            QApplication.sendEvent(obj, event)
            report["drawn"] = sorted(m for m in ("sqlalchemy", "alembic", "sendesk.models")
                                     if m in sys.modules)
            report["summary_when_drawn"] = w.home.summary.text()
            return True
        return False

app = application()
db = open_database(sys.argv[1], sys.argv[2])
w = MainWindow(context(db, acting_user(db, "senco")))
w.nav.setCurrentRow(1)
watch = FirstDrawn(); w.installEventFilter(watch)
w.show()
while "drawn" not in report:
    app.processEvents()
while not w.register.loaded:  # read on the worker as the window is made
    app.processEvents()
report["register"] = [w.register.proxy.index(r, 0).data()
                      for r in range(w.register.proxy.rowCount())]
while not w.home.loaded:
    app.processEvents()
report["due"] = [w.home.model.index(r, 3).data() for r in range(w.home.model.rowCount())]
report["summary"] = w.home.summary.text()
print(json.dumps(report))
"""


def test_the_register_is_drawn_before_sqlalchemy_loads_and_whats_due_follows(
    tmp_path: Path,
) -> None:
    path, key = tmp_path / "school.sendesk", new_raw_key()
    db = create_database(str(path), key)
    try:
        senco = init_school(db, "Start Academy", senco_username="senco", senco_name="Ms S")
        # A review long overdue, so what's due has something to say.
        add_test_pupil(db, senco, 1, provision="K", needs=("SPLD",), forename="Zoë")
        add_test_pupil(db, senco, 2, provision="N", forename="Ned")
    finally:
        db.dispose()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), key],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["drawn"] == []
    assert "working it out" in report["summary_when_drawn"]
    assert report["register"] == ["Zoë Pupil"]
    assert "overdue" in report["summary"] and "working it out" not in report["summary"]
    assert any("review" in text.lower() for text in report["due"]), report["due"]


def test_the_app_opens_the_database_the_option_then_sendesk_db_then_the_settings_name(
    monkeypatch,
) -> None:
    """`sendesk --db X` wins; without it the app opens $SENDESK_DB as every command does
    (one login script can point both at the school's server); then the settings file's
    database; with none, the first-run wizard (None)."""
    from sendesk.ui.app import chosen_database

    monkeypatch.delenv("SENDESK_DB", raising=False)
    assert chosen_database(None, None) is None
    assert chosen_database(None, "/srv/school.sendesk") == "/srv/school.sendesk"
    monkeypatch.setenv("SENDESK_DB", "postgresql+psycopg://dbserver/school_sen")
    assert (
        chosen_database(None, "/srv/school.sendesk") == "postgresql+psycopg://dbserver/school_sen"
    )
    assert chosen_database("/tmp/other.sendesk", "/srv/school.sendesk") == "/tmp/other.sendesk"
