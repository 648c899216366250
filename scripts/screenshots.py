"""Open the real window on a demo school and save PNGs of the main screens into docs/.

Run: ``python scripts/screenshots.py [--out docs/screenshots]``. Uses Qt's offscreen
platform unless QT_QPA_PLATFORM says otherwise, so it runs on a machine with no display;
the pictures are the widgets' own rendering. Look at them after a change to a screen.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from sendesk.models import Role
from sendesk.services.actor import Actor, acting_user
from sendesk.services.register.register_view import register_rows
from sendesk.ui.app import application, open_demo
from sendesk.ui.context import AppContext
from sendesk.ui.main_window import MainWindow
from sendesk.ui.register.import_dialog import ImportDialog

ROOT = Path(__file__).resolve().parents[1]


def settle(ms: int = 150) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait(op: object) -> None:
    """Let an operation on the worker thread finish (and its window appear) first."""
    if op is not None:
        op.wait()  # type: ignore[attr-defined]
    settle()


def settled(page: object) -> None:
    """Wait for every read a page asked the worker for (the worker runs them in order)."""
    while (loading := getattr(page, "loading", None)) is not None and not loading.done:
        wait(loading)


def save(widget: QWidget, path: Path) -> None:
    settle()
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def save_locked(window: MainWindow, path: Path) -> None:
    """The locked window with its lock screen centred over it, as Qt places the dialog:
    the two are separate windows, so the picture paints one onto the other."""
    from sendesk.demo import DEMO_PASSWORD

    window.locker.lock()
    screen = window.locker.screen
    assert screen is not None
    settle()
    picture = window.grab()
    prompt = screen.grab()
    left = (picture.width() - prompt.width()) // 2
    top = (picture.height() - prompt.height()) // 2
    painter = QPainter(picture)
    painter.drawPixmap(left, top, prompt)
    painter.setPen(QColor("#7a7a7a"))  # the window frame a desktop would draw
    painter.drawRect(left - 1, top - 1, prompt.width() + 1, prompt.height() + 1)
    painter.end()
    picture.save(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    screen.password.setText(DEMO_PASSWORD)
    checking = window.locker.try_unlock()  # the password is checked on the worker
    assert checking is not None
    checking.wait()
    assert not window.locker.is_locked


def dark_palette() -> QPalette:
    p = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#2b2b2b"),
        (QPalette.ColorRole.WindowText, "#e8e8e8"),
        (QPalette.ColorRole.Base, "#1e1e1e"),
        (QPalette.ColorRole.AlternateBase, "#2a2a2a"),
        (QPalette.ColorRole.Text, "#e8e8e8"),
        (QPalette.ColorRole.Button, "#3a3a3a"),
        (QPalette.ColorRole.ButtonText, "#e8e8e8"),
        (QPalette.ColorRole.Highlight, "#2f65ca"),
        (QPalette.ColorRole.HighlightedText, "#ffffff"),
        (QPalette.ColorRole.Link, "#7cb3ff"),
        (QPalette.ColorRole.ToolTipBase, "#3a3a3a"),
        (QPalette.ColorRole.ToolTipText, "#e8e8e8"),
        (QPalette.ColorRole.PlaceholderText, "#9a9a9a"),
    ):
        p.setColor(role, QColor(colour))
    return p


def pick_pupil(ctx: AppContext) -> int:
    """A pupil with an EHC plan and the most history (interventions, then support plans)
    makes the most telling pictures: every tab has something to show (the demo gives every
    such pupil agency reports)."""
    from sqlalchemy import func, select

    from sendesk.models import Enrolment, SupportPlan

    rows = register_rows(ctx.db, ctx.actor)
    with_plan = [r.pupil_id for r in rows if r.provision == "E" and len(r.needs) > 1]
    with ctx.db.session() as s:
        enrolled = dict(
            s.execute(select(Enrolment.pupil_id, func.count()).group_by(Enrolment.pupil_id)).all()
        )
        plans = dict(
            s.execute(
                select(SupportPlan.pupil_id, func.count()).group_by(SupportPlan.pupil_id)
            ).all()
        )
    history = {p: (enrolled.get(p, 0), plans.get(p, 0), -p) for p in with_plan}
    return max(history, key=history.__getitem__) if history else rows[0].pupil_id


def pick_candidate(ctx: AppContext) -> int:
    """A candidate with 25% extra time and the most subjects: the fullest access tab."""
    from sendesk.services.access.overviews import gap_view

    rows = gap_view(ctx.db, ctx.actor)
    counts: dict[int, int] = {}
    for row in rows:
        if row.arrangement == "extra_time_25":
            counts[row.pupil_id] = counts.get(row.pupil_id, 0) + 1
    return max(counts, key=lambda p: (counts[p], -p)) if counts else rows[0].pupil_id


def pick_staff(ctx: AppContext, role: Role) -> AppContext:
    """The demo's member of staff in ``role`` with the most on their "what's due" (and the
    most about their groups, for learning support): the fullest home page of that role.
    Worked out from the SENCo's list and each person's scope, not a list per person."""
    from sqlalchemy import select

    from sendesk.models import User
    from sendesk.services.due import due_items, for_staff
    from sendesk.services.scope import groups_led, pupils_in_scope

    everything = due_items(ctx.db, ctx.actor)
    score: dict[str, tuple[int, int, int]] = {}
    with ctx.db.session() as s:
        for user in s.scalars(select(User).where(User.role == role.value, User.active)):
            actor = Actor.of(user)
            pupils = pupils_in_scope(s, actor) or frozenset()
            theirs = for_staff(everything, role, pupils, groups_led(s, actor) or frozenset())
            grouped = sum(1 for i in theirs if i.group_id is not None)
            score[user.username] = (grouped, len(theirs), -user.id)
    chosen = max(score, key=score.__getitem__)
    return AppContext(ctx.db, acting_user(ctx.db, chosen), ctx.school)


def pick_ehc_cases(ctx: AppContext) -> tuple[int, int]:
    """(the pupil whose open request the LA is latest with, the pupil with a reviewed EHC
    plan and the most evidence documents): the EHC tab's two halves; the first also fills
    the pack wizard (a pack is built while a request is being made). The demo gives that
    request an out-of-date report, so the readiness check has one to flag."""
    from datetime import date

    from sendesk.services.ehc.plans import list_plans
    from sendesk.services.ehc.requests import list_requests
    from sendesk.services.evidence.evidence import list_documents

    rows = register_rows(ctx.db, ctx.actor)
    late = [
        (q.clock_start or date.max, q.pupil_id)
        for r in rows
        for q in list_requests(ctx.db, ctx.actor, r.pupil_id)
        if q.late and q.is_open
    ]
    latest = min(late)[1] if late else rows[0].pupil_id
    planned = [
        r.pupil_id
        for r in rows
        if r.provision == "E"
        and any(len(p.reviews) > 1 for p in list_plans(ctx.db, ctx.actor, r.pupil_id))
    ]
    documents = {p: len(list_documents(ctx.db, ctx.actor, p)) for p in planned}
    return latest, max(documents, key=lambda p: (documents[p], -p), default=rows[0].pupil_id)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    app: QApplication = application()
    with tempfile.TemporaryDirectory() as folder:
        ctx = open_demo(Path(folder))
        assert ctx is not None
        window = MainWindow(ctx)
        window.resize(1280, 780)
        window.show()
        wait(window.home.load_once())  # what's due is worked out on the worker thread
        save(window, args.out / "home.png")
        # what's due as a teacher and as learning support see it (issue 13)
        for role, name in ((Role.TEACHER, "home-teacher"), (Role.LEARNING_SUPPORT, "home-support")):
            staff = MainWindow(pick_staff(ctx, role))
            staff.resize(1280, 780)
            staff.show()
            wait(staff.home.load_once())
            save(staff, args.out / f"{name}.png")
            staff.close()
        window.nav.setCurrentRow(1)
        settled(window.register)  # the register is read on the worker thread
        save(window, args.out / "register.png")
        save_locked(window, args.out / "lock.png")
        for title, name in (
            ("My groups", "my-groups"),
            ("Interventions", "interventions"),
            ("Provision map", "provision-map"),
            ("Audit trail", "audit-trail"),
            ("Census check", "census-check"),
            ("Figures", "figures"),
        ):
            window.nav.setCurrentRow(list(window.pages).index(title))
            settled(window.page(title))
            save(window, args.out / f"{name}.png")
        wait(window.open_pupil(pick_pupil(ctx)))  # the record is read on the worker
        pupil = next(iter(window.pupil_windows.values()))
        pupil.resize(1280, 760)
        for key in ("profile", "needs", "history", "plans", "interventions", "agencies"):
            pupil.show_tab(key)  # type: ignore[attr-defined]
            save(pupil, args.out / f"pupil-{key}.png")
        pupil.show_tab("progress")  # type: ignore[attr-defined]
        save(pupil, args.out / "pupil-progress.png")
        pupil.close()
        settle()
        # a cause for concern with more evidence asked for: its whole story beside the list
        from sendesk.services.graduated.concerns import open_concerns

        waiting = [c for c in open_concerns(ctx.db, ctx.actor) if len(c.steps) > 1]
        concern = (waiting or open_concerns(ctx.db, ctx.actor))[0]
        wait(window.open_pupil(concern.pupil_id))
        raised = window.pupil_windows[concern.pupil_id]
        raised.resize(1280, 760)
        raised.show_tab("concerns")  # type: ignore[attr-defined]
        raised.concerns_tab.concern_list.select(concern.id)  # type: ignore[attr-defined]
        save(raised, args.out / "pupil-concerns.png")
        raised.close()
        # access arrangements: the SENCo's gap view, a class list, a candidate's record
        window.nav.setCurrentRow(list(window.pages).index("Access arrangements"))
        settled(window.page("Access arrangements"))
        save(window, args.out / "access-arrangements.png")
        window.nav.setCurrentRow(list(window.pages).index("My classes"))
        classes = window.page("My classes")
        settled(classes)
        busiest = max(classes.classes, key=lambda c: len(c.rows))  # type: ignore[attr-defined]
        classes.select_class(busiest.group_id)  # type: ignore[attr-defined]
        settled(classes)
        save(window, args.out / "my-classes.png")
        wait(window.open_pupil(pick_candidate(ctx)))
        candidate = next(iter(window.pupil_windows.values()))
        candidate.resize(1280, 760)
        candidate.tabs.setCurrentWidget(candidate.access_tab)  # type: ignore[attr-defined]
        save(candidate, args.out / "pupil-access.png")
        candidate.close()
        settle()  # deleted on close: gone before the same pupil's window is opened again
        # EHC: a request the LA is late with, a plan with its reviews, the pack wizard, LAs
        from sendesk.ui.ehc.la_profiles_dialog import LaProfilesDialog
        from sendesk.ui.ehc.pack_wizard import PackWizard

        late, planned = pick_ehc_cases(ctx)
        for pupil_id, name in ((late, "pupil-ehc-request"), (planned, "pupil-ehc-plan")):
            wait(window.open_pupil(pupil_id))
            case = window.pupil_windows[pupil_id]
            case.resize(1280, 760)
            case.tabs.setCurrentWidget(case.ehc_tab)  # type: ignore[attr-defined]
            save(case, args.out / f"{name}.png")
            case.close()
        wizard = PackWizard(ctx, late, window)
        wizard.resize(1000, 700)
        wizard.show()
        save(wizard, args.out / "pack-readiness.png")
        wizard.next()
        save(wizard, args.out / "pack-evidence.png")
        wizard.next()
        # A folder whose name does not change from run to run, so neither does the picture.
        packs = Path(tempfile.gettempdir()) / "sendesk-screenshots" / "EHC request packs"
        packs.mkdir(parents=True, exist_ok=True)
        wizard.generate_page.folder.setText(str(packs))
        wizard.generate_page.build()
        save(wizard, args.out / "pack-built.png")
        wizard.close()
        shutil.rmtree(packs.parent)
        from sendesk.ui.staff.staff_accounts_dialog import StaffAccountsDialog

        staff = StaffAccountsDialog(ctx, window)
        staff.resize(1000, 620)
        staff.show()
        save(staff, args.out / "staff-accounts.png")
        staff.close()
        profiles = LaProfilesDialog(ctx, window)
        profiles.resize(900, 600)
        profiles.show()
        save(profiles, args.out / "la-profiles.png")
        profiles.close()
        dialog = ImportDialog(ctx, window)
        dialog.resize(980, 640)
        dialog.show()
        dialog.path.setText(str(ROOT / "tests" / "data" / "arbor-export-sample.csv"))
        dialog.check()
        while dialog.report is None:
            settle(50)
        save(dialog, args.out / "import.png")
        dialog.close()
        window.close()
        # the register again in a dark palette at double size (what 200% scaling gives)
        app.setPalette(dark_palette())
        font = app.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        app.setFont(font)
        big = MainWindow(ctx)
        big.resize(2200, 1300)
        big.show()
        big.nav.setCurrentRow(1)
        settled(big.register)
        save(big, args.out / "register-dark-200.png")
        big.close()
        ctx.db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
