"""Benchmark: the longest the GUI thread is blocked while a SENCo works (issue 14).

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/freeze_bench.py [--pupils 1200]``.

On a demo school (1,200 pupils), with :class:`sendesk.ui.freeze_probe.FreezeProbe`
ticking every 5 ms on the GUI thread, it signs in, opens the main window, shows every page,
turns the register's "Show all pupils" on (a read of the register), exports every pupil
shown to Excel, turns it off again, turns it on once more with the register sorted by Name,
unlocks the locked window, opens the pupil with the most history, saves an EHC request,
builds that pupil's request pack, and prints the longest GUI-thread block for each (target
≤ 100 ms). Then, in fresh processes (benchmarks/gui_bench.py's start-up children), how long
after the window of a 2,000-pupil school (``--startup-pupils``) appears "what's due" has
filled in, against the empty-window floor (target ≤ 0.5 s). ``--school DIR`` keeps the
demo schools built in DIR and starts each run from a copy.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from sendesk.db import create_database, open_database
from sendesk.demo import DEMO_PASSWORD, write_demo_school
from sendesk.keystore import new_raw_key
from sendesk.services.school.school import school_info
from sendesk.ui.app import application
from sendesk.ui.freeze_probe import FreezeProbe
from sendesk.ui.main_window import MainWindow
from sendesk.ui.register.register_model import Column

TARGET_MS = 100.0

SIGNED_IN_CHILD = """
import sys
from sendesk.ui.app import application
from sendesk.db import open_database
from sendesk.services.school.school import school_info
from sendesk.ui.context import AppContext
from sendesk.ui.main_window import MainWindow
from sendesk.ui.register.register_model import Column
from sendesk.ui.ops import Op
app = application()
db = open_database(sys.argv[1], sys.argv[2])

def check(_progress):
    from sendesk.services.staff.users import sign_in  # as the sign-in dialog does
    return sign_in(db, "senco", sys.argv[3])

actor = Op(None, check).run().wait().result
w = MainWindow(AppContext(db, actor, school_info(db)))
w.nav.setCurrentRow(1)
w.resize(1200, 760)
watch = FirstDrawn(); w.installEventFilter(watch)
w.show()
while not watch.drawn:
    app.processEvents()
while not w.home.loaded:
    app.processEvents()
assert w.home.model.rowCount() > 0
print("DONE", rss(), flush=True)
"""
"""The app's own path to "what's due": the sign-in dialog checks the password on the worker
thread (importing the models while the user types), then the main window opens. The
window is timed from the process start, the same as benchmarks/gui_bench.py's children;
only the time from the window's first draw to "what's due" filled in is the figure."""


def _settle(until: Callable[[], bool], timeout: float = 120.0, quiet_ms: int = 150) -> None:
    """Run the event loop until ``until()``, then a little more (late repaints count)."""
    app = QApplication.instance()
    assert app is not None
    end = time.perf_counter() + timeout
    while not until():
        if time.perf_counter() > end:
            raise TimeoutError("the step did not finish")
        app.processEvents()
        time.sleep(0.001)
    end = time.perf_counter() + quiet_ms / 1000
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def _load() -> str:
    """The machine's load averages: a block on a shared, busy machine includes waiting."""
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def print_message_boxes() -> None:
    """Message boxes print their text instead of waiting for a click (a modal box would
    stop the benchmark)."""
    from PySide6.QtWidgets import QMessageBox

    def told(_parent: object, _title: str, text: str, *_args: object) -> int:
        print(f"    (message: {text})", flush=True)
        return int(QMessageBox.StandardButton.Ok)

    for kind in ("warning", "information", "critical"):
        setattr(QMessageBox, kind, staticmethod(told))


def blocked(
    probe: FreezeProbe, name: str, start: Callable[[], object], done: Callable[[], bool]
) -> tuple[str, float, float]:
    """``name``, the longest GUI-thread block and its own CPU milliseconds while ``start()``
    runs and the event loop turns until ``done()``."""
    _settle(lambda: True, quiet_ms=100)
    probe.reset()
    start()
    _settle(done)
    return name, probe.longest_ms, probe.longest_cpu_ms


def page_blocks(window: MainWindow, probe: FreezeProbe) -> list[tuple[str, float, float]]:
    """Show every page of ``window`` but the first (already open) in turn, until its data
    has loaded: each page's longest GUI-thread block (name, ms, own CPU ms)."""
    results = []
    for row, title in enumerate(list(window.pages)):
        if row == 0:
            continue

        def loaded(title: str = title) -> bool:
            page = window.pages.get(title)
            op = getattr(page, "loading", None)
            return page is not None and (op is None or op.done)

        start = lambda row=row: window.nav.setCurrentRow(row)  # noqa: E731
        results.append(blocked(probe, f"page: {title}", start, loaded))
    window.nav.setCurrentRow(0)
    return results


def register_read(window: MainWindow) -> bool:
    """The register page has shown its latest read (it reads on the worker thread)."""
    op = getattr(window.register, "loading", None)
    return op is None or op.done


def register_exported(window: MainWindow) -> bool:
    """The register page's latest export has finished (it writes on the worker thread)."""
    op = getattr(window.register, "export_op", None)
    return op is None or op.done


def heaviest_pupil(db, senco) -> int:  # type: ignore[no-untyped-def]
    from sendesk.services.register.pupil_record import get_record
    from sendesk.services.register.register_view import register_rows

    rows = register_rows(db, senco)
    best = max(rows[:400], key=lambda r: len(get_record(db, senco, r.pupil_id).history))
    return best.pupil_id


def demo_school(folder: Path, pupils: int, seed: int, keep: Path | None) -> tuple[Path, str]:
    """A ``pupils``-pupil demo school in ``folder`` and its key.

    With ``keep`` (a folder), the school is built there once (the file and its key beside
    it) and copied into ``folder`` for each run: at 10,000 pupils building takes minutes,
    and every run must start from the same school (the run itself saves and exports).
    """
    path, key = folder / "bench.sendesk", new_raw_key()
    if keep is None:
        with create_database(str(path), key) as db:
            write_demo_school(db, pupils=pupils, seed=seed, password=DEMO_PASSWORD)
        return path, key
    kept = keep / f"demo-{pupils}-seed{seed}.sendesk"
    kept_key = kept.with_suffix(".key")
    if not (kept.exists() and kept_key.exists()):
        keep.mkdir(parents=True, exist_ok=True)
        print(f"  (built once, kept as {kept})", flush=True)
        kept.unlink(missing_ok=True)
        with create_database(str(kept), key) as db:
            write_demo_school(db, pupils=pupils, seed=seed, password=DEMO_PASSWORD)
        kept_key.write_text(key)
    shutil.copyfile(kept, path)
    return path, kept_key.read_text()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--no-startup", action="store_true", help="skip the start-up part")
    parser.add_argument(
        "--startup-pupils",
        type=int,
        default=2000,
        metavar="N",
        help="the start-up part's school (what's due filled in after the window appears)",
    )
    parser.add_argument(
        "--school",
        type=Path,
        metavar="DIR",
        help="build the demo school once in DIR (with its key) and reuse it on later runs",
    )
    args = parser.parse_args()
    _app = application()  # held: the QApplication lives while this runs
    print_message_boxes()
    probe = FreezeProbe()
    results: list[tuple[str, float, float]] = []

    def step(name: str, start: Callable[[], object], done: Callable[[], bool]) -> None:
        results.append(blocked(probe, name, start, done))
        print(f"  {name}: {probe.longest_ms:.0f} ms", flush=True)

    with tempfile.TemporaryDirectory() as folder:
        print(f"Writing a {args.pupils}-pupil demo school…", flush=True)
        path, key = demo_school(Path(folder), args.pupils, args.seed, args.school)
        db = open_database(str(path), key)
        info = school_info(db)
        probe.start()

        from sendesk.ui.staff.sign_in import SignInDialog

        dialog = SignInDialog(db, info.name, "senco")
        dialog.show()
        _settle(lambda: True, quiet_ms=400)  # the models import once it is drawn
        dialog.password.setText(DEMO_PASSWORD)
        step("sign in (password check)", dialog._try, lambda: dialog.actor is not None)
        actor = dialog.actor
        assert actor is not None
        dialog.close()

        from sendesk.ui.context import AppContext

        ctx = AppContext(db, actor, info)
        holder: dict[str, MainWindow] = {}

        def open_window() -> None:
            holder["w"] = MainWindow(ctx)
            holder["w"].resize(1200, 760)
            holder["w"].show()

        step(
            "main window, register and what's due filled",
            open_window,
            lambda: holder["w"].home.loaded and register_read(holder["w"]),
        )
        window = holder["w"]
        for name, ms, cpu in page_blocks(window, probe):
            results.append((name, ms, cpu))
            print(f"  {name}: {ms:.0f} ms", flush=True)

        window.nav.setCurrentRow(list(window.pages).index("Register"))
        _settle(lambda: True)
        for checked, name in ((True, "show all pupils"), (False, "back to the register")):
            step(
                f"register: {name}",
                lambda checked=checked: window.register.show_all.setChecked(checked),
                lambda: register_read(window),
            )
            if checked:  # every pupil shown: the largest file Export can write
                step(
                    "register: export every pupil shown (Excel)",
                    lambda: window.register.export_to(Path(folder) / "register.xlsx"),
                    lambda: register_exported(window),
                )
        # Sorted by Name, every read is sorted again by the folded names.
        window.register.table.sortByColumn(Column.NAME, Qt.SortOrder.AscendingOrder)
        step(
            "register: show all pupils, sorted by Name",
            lambda: window.register.show_all.setChecked(True),
            lambda: register_read(window),
        )
        window.register.show_all.setChecked(False)
        window.register.table.sortByColumn(Column.YEAR, Qt.SortOrder.AscendingOrder)
        _settle(lambda: register_read(window))
        window.nav.setCurrentRow(0)

        window.locker.lock()  # File > Lock; the unlock's password check is timed

        def unlock() -> None:
            screen = window.locker.screen
            assert screen is not None
            screen.password.setText(DEMO_PASSWORD)
            window.locker.try_unlock()

        step("unlock (password check)", unlock, lambda: not window.locker.is_locked)

        pupil = heaviest_pupil(db, actor)
        step(
            "open the pupil with the most history",
            lambda: window.open_pupil(pupil),
            lambda: pupil in window.pupil_windows,
        )

        from sendesk.ui.ehc.ehc_request_dialog import RequestDialog

        request = RequestDialog(ctx, pupil, None, window)
        request.show()
        _settle(lambda: True)
        request.la.setCurrentText("Demoshire")
        pressed: list[bool] = []

        def save() -> None:
            """OK, as the SENCo presses it: checked here, saved on the worker (a refusal,
            e.g. a request already open, is printed by the patched message box)."""
            request.accept()
            pressed.append(True)
            if request.save_op is None:
                print(f"    (not saved: {request.problems_label.text() or 'nothing changed'})")

        def saved() -> bool:
            return bool(pressed) and (request.save_op is None or request.save_op.done)

        step("save an EHC request", save, saved)
        request.hide()  # close() would ask whether to save (a modal question)
        request.deleteLater()

        from sendesk.ui.ehc.pack_wizard import PackWizard

        wizard = PackWizard(ctx, pupil, la_name=None)
        wizard.show()
        _settle(lambda: True)
        out = Path(folder) / "pack"
        out.mkdir()
        wizard.next()
        wizard.next()
        generate = wizard.generate_page
        generate.folder.setText(str(out))
        step(
            "build the request pack",
            generate.build,
            lambda: generate.job is None,
        )
        print(f"    {generate.status.text().splitlines()[0]}")
        wizard.hide()
        wizard.deleteLater()
        for w in list(window.pupil_windows.values()):
            w.close()
        window.close()
        probe.stop()
        db.dispose()

    print(f"\nLongest GUI-thread block (target ≤ 100 ms); load average {_load()}:")
    print("        block   its own CPU  step")
    for name, ms, cpu in results:
        print(f"  {'OK ' if ms <= TARGET_MS else 'OVER'} {ms:5.0f} ms  {cpu:5.0f} ms     {name}")

    if not args.no_startup:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from gui_bench import APP_CHILD, FIRST_DRAWN, FLOOR_CHILD, time_child

        floor, _, _ = time_child(FLOOR_CHILD)
        with tempfile.TemporaryDirectory() as folder:
            big, key = demo_school(Path(folder), args.startup_pupils, args.seed, args.school)
            shown, loaded, _ = time_child(APP_CHILD, str(big), key)
            signed_shown, signed_loaded, _ = time_child(
                FIRST_DRAWN + SIGNED_IN_CHILD, str(big), key, DEMO_PASSWORD
            )
        print(
            f"\nWhat's due on a {args.startup_pupils:,}-pupil school (empty-window floor "
            f"{floor * 1000:.0f} ms; load average {_load()}):"
        )
        for how, drawn, filled in (
            ("window straight away (SQLAlchemy not yet imported)", shown, loaded),
            ("after signing in, as the app does", signed_shown, signed_loaded),
        ):
            after = filled - drawn
            print(
                f"  {'OK ' if after <= 0.5 else 'OVER'} {how}: window drawn {drawn * 1000:.0f} ms,"
                f" filled in {after * 1000:.0f} ms after it appeared (target ≤ 500 ms)"
            )
    from sendesk.ui.ops import shutdown

    shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
