"""Benchmark: the performance suite — one table for schools of every size (issue 16).

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/run_all.py [--sizes 500,2000,10000]
[--no-postgres] [--quick]``.

For each size it writes a demo school (sendesk/demo) into a new SQLCipher file — and, for
the largest size, into a throwaway PostgreSQL server started as tests/pg_server.py starts
it (password/SCRAM over TCP) — then times, in this process or a fresh one:

* **import** — the MIS import (benchmarks/import_bench.py's CSV export) of that many pupils
  into a new school;
* **start-up** — a fresh process until "what's due" has filled in (gui_bench.py's child);
* **register load**, **pupil record open** (the pupil with the most history, its whole
  window), the **search keystroke** on the real register (every pupil shown, in a table);
* the **longest GUI-thread block** while the main window opens and while each page opens
  (sendesk/ui/freeze_probe.py, through freeze_bench.py's steps);
* the **request pack**, the **governors' report** and a **backup**;

each beside the floor it is held against, measured in the same run: an empty PySide6
window for start-up; for the database steps, the very SQL statements the step issued
(caught with SQLAlchemy's ``before_cursor_execute`` and on the plain reads' connection),
run again on plain SQLite without encryption over an unencrypted copy of the same school;
Python's ``sqlite3`` backup of that copy for the backup; pypdf merging the same documents
plus reportlab laying out as many plain-text pages for the pack. The last column is how
each time grows from the smallest to the largest size against the number of pupils
(benchmarks/growth.py): judged on the fastest of many runs, on CPU time where the step has
one, with the range the run's noise allows and the exponent fitted over every size. A step
is flagged when even the low end of its range grows faster than the pupils by more than an
index lookup or a sort explains (n·log n), and so is a step whose own SQL on plain SQLite
does (with a fixed query count: a query reading a growing table). Short steps are repeated
for at least a second at each size. The
SQL queries the register load and the pupil record open issue are counted at each size:
they must not grow with the school.

The unencrypted copies hold only the made-up demo school and live in a private temporary
folder removed at the end.
"""

from __future__ import annotations

import argparse
import io
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from freeze_bench import blocked, heaviest_pupil, page_blocks, print_message_boxes
from growth import growth
from gui_bench import APP_CHILD, FLOOR_CHILD, time_child, typed_on
from import_bench import make_export, timed
from pack_bench import floor as merge_floor
from pupil_record_bench import open_times
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from sendesk.db import Database, Reader, create_database, sqlite_quote
from sendesk.demo import write_demo_school
from sendesk.keystore import new_raw_key
from sendesk.operations.pack import build_pack
from sendesk.services.actor import Actor, acting_user
from sendesk.services.evidence.evidence import documents_bytes, list_documents
from sendesk.services.register.pupil_import import import_pupils
from sendesk.services.register.register_view import register_rows
from sendesk.services.school.school import init_school, school_info
from sendesk.services.store.backup import backup_file
from sendesk.ui.app import application
from sendesk.ui.context import AppContext
from sendesk.ui.freeze_probe import FreezeProbe
from sendesk.ui.main_window import MainWindow
from tests.pg_server import PgServer, PgUnavailable, pg_bin, start_pg

T = TypeVar("T")
QUICK_SIZES = [60, 240]
STEADY_SECONDS = 1.0
"""A short step is repeated until it has run this long (and at least ``--runs`` times), so
that its fastest run is one the rest of the machine left alone."""
MAX_RUNS = 200
BLOCK_TARGET_MS = 100.0
Statement = tuple[str, Any, bool]
"""SQL text, its parameters, and whether it ran as ``executemany``."""


# --- the statements a step issues, and the same statements on plain SQLite ---------------


@contextmanager
def statements(db: Database) -> Iterator[list[Statement]]:
    """Every statement ``db`` runs inside the ``with``: through SQLAlchemy (its
    ``before_cursor_execute`` event) and through the plain reads of :class:`Reader` (the
    register and start-up reads bypass SQLAlchemy on purpose, see sendesk/db.py)."""
    from sqlalchemy import event

    seen: list[Statement] = []

    def on_execute(_conn, _cursor, sql, params, _context, many) -> None:  # type: ignore[no-untyped-def]
        seen.append((sql, params, many))

    plain_rows = Reader.rows

    def rows(self: Reader, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        seen.append((sql, tuple(params), False))
        return plain_rows(self, sql, params)

    event.listen(db.engine, "before_cursor_execute", on_execute)
    Reader.rows = rows  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        Reader.rows = plain_rows  # type: ignore[method-assign]
        event.remove(db.engine, "before_cursor_execute", on_execute)


CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", "PRAGMA")


def queries(seen: Sequence[Statement]) -> int:
    """The statements that read or write (transaction control and pragmas left out)."""
    return sum(1 for sql, _, _ in seen if not sql.lstrip().upper().startswith(CONTROL))


def replay(plain: Path, seen: Sequence[Statement], *, commit: bool = False) -> tuple[float, float]:
    """Seconds plain SQLite (Python's ``sqlite3``, no encryption, no ORM) takes to run the
    same statements with the same parameters on the unencrypted copy, fetching every row,
    in one transaction: committed with ``commit`` (the import), else rolled back so the
    step can run again (a pupil record's opening writes its audit event). Wall-clock and
    CPU seconds."""
    conn = sqlite3.connect(plain, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchall()  # the schema read in
    start, cpu = time.perf_counter(), time.process_time()
    conn.execute("BEGIN")
    for sql, params, many in seen:
        if sql.lstrip().upper().startswith(CONTROL[:3]):
            continue
        # A batch of SQLAlchemy's "insertmanyvalues" comes flagged as many, but as one
        # statement with its parameters flat: it runs as one execute.
        if many and params and isinstance(params[0], (tuple, list)):
            conn.executemany(sql, params)
        else:
            conn.execute(sql, params or ()).fetchall()
    conn.execute("COMMIT" if commit else "ROLLBACK")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    return seconds, cpu


def clocked(fn: Callable[[], T]) -> tuple[float, float, T]:
    """Wall-clock and CPU seconds of ``fn()``, and its result. On a machine shared with
    other work, wall-clock time stretches more the longer a step runs (it waits for a core
    more often), so how a step grows is judged on its CPU time where there is one."""
    start, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return time.perf_counter() - start, time.process_time() - cpu, result


def repeated(
    timing: Callable[[], tuple[float, float]], runs: int, seconds: float
) -> list[tuple[float, float]]:
    """``timing()`` — one run's wall-clock and CPU seconds — at least ``runs`` times and
    until the runs add up to ``seconds`` (at most MAX_RUNS): the growth verdict takes the
    fastest. A step and its floor are repeated alike."""
    times: list[tuple[float, float]] = []
    while len(times) < runs or (sum(t[0] for t in times) < seconds and len(times) < MAX_RUNS):
        times.append(timing())
    return times


def timed_figure(times: Sequence[tuple[float, float]], **more: Any) -> Figure:
    """A figure from runs' (wall, CPU) seconds: medians shown, every CPU time kept."""
    return Figure(
        statistics.median(t[0] for t in times),
        cpu=statistics.median(t[1] for t in times),
        samples=tuple(t[1] for t in times),
        **more,
    )


def plain_copy(db: Database, dest: Path) -> Path:
    """An unencrypted copy of a SQLCipher database (``sqlcipher_export`` with no key)."""
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(f"ATTACH DATABASE {sqlite_quote(str(dest))} AS plain KEY ''")
        cur.execute("SELECT sqlcipher_export('plain')")
        cur.execute("DETACH DATABASE plain")
        cur.close()
    finally:
        raw.close()
    return dest


def sqlite_backup(plain: Path, dest: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds for Python's ``sqlite3`` backup API to copy the
    unencrypted school."""

    def copy() -> None:
        with sqlite3.connect(plain) as source, sqlite3.connect(dest) as target:
            source.backup(target)
        source.close()
        target.close()

    return clocked(copy)[:2]


def plain_pages(count: int) -> float:
    """Seconds for reportlab to lay out ``count`` A4 pages of plain text in memory."""
    start = time.perf_counter()
    canvas = Canvas(io.BytesIO(), pagesize=A4)
    _, height = A4
    for page in range(count):
        canvas.setFont("Helvetica", 10)
        for line in range(50):
            canvas.drawString(
                56, height - 60 - 14 * line, f"Page {page + 1}, line {line + 1}: plain text."
            )
        canvas.showPage()
    canvas.save()
    return time.perf_counter() - start


# --- one school --------------------------------------------------------------------------


@dataclass
class Figure:
    """One cell: seconds (or a count) and the floor's seconds, or a text instead."""

    value: float | None = None
    floor: float | None = None
    text: str | None = None
    count: bool = False
    cpu: float | None = None
    floor_cpu: float | None = None
    note: str = ""
    """What was measured at this size (the pack's pages and documents)."""
    samples: tuple[float, ...] = ()
    """Every run's seconds (CPU where there is one): what the growth verdict is judged on."""
    floor_samples: tuple[float, ...] = ()

    def runs(self) -> tuple[float, ...]:
        """The runs growth is judged on: every run, else the one figure shown."""
        if self.samples:
            return self.samples
        one = self.cpu or self.value
        return (one,) if one else ()

    def floor_runs(self) -> tuple[float, ...]:
        if self.floor_samples:
            return self.floor_samples
        one = self.floor_cpu or self.floor
        return (one,) if one else ()


@dataclass
class School:
    """Where one school lives: a SQLCipher file (with its key) or a PostgreSQL URL."""

    label: str
    pupils: int
    target: str
    key: str | None
    new_target: Callable[[str], tuple[str, str | None]]
    """A fresh empty database beside it (for the import), by name: target and key."""
    plain: Path | None = None
    figures: dict[str, Figure] = field(default_factory=dict)


def measure_import(school: School, folder: Path, seed: int, runs: int) -> Figure:
    """The MIS import of the school's number of pupils into a new school (``runs`` times,
    each into a school of its own), and the same statements on plain SQLite over an
    unencrypted copy of each new school."""
    import random

    export = folder / f"export-{school.pupils}.csv"
    if not export.exists():
        make_export(export, school.pupils, random.Random(seed))
    times: list[tuple[float, float]] = []
    floors: list[tuple[float, float]] = []
    for run in range(runs):
        target, key = school.new_target(f"import-{school.label}-{run}")
        with create_database(target, key) as db:
            actor = init_school(db, "Import School", senco_username="senco", senco_name="SENCo")
            plain = folder / f"import-{school.label}-{run}.plain"
            if db.is_file:
                plain_copy(db, plain)
            with statements(db) as seen:
                seconds, cpu, report = clocked(partial(import_pupils, db, actor, export))
            assert report.written and report.created == school.pupils, report.format()
            times.append((seconds, cpu))
            if db.is_file:
                floors.append(replay(plain, seen, commit=True))
    figure = timed_figure(times)
    if floors:
        figure.floor = statistics.median(f[0] for f in floors)
        figure.floor_cpu = statistics.median(f[1] for f in floors)
        figure.floor_samples = tuple(f[1] for f in floors)
    return figure


def database_step(
    school: School, db: Database, run: Callable[[], object], runs: int, seconds: float
) -> tuple[Figure, int]:
    """A step that reads: counted (its SQL queries) on a first run, then timed (at least
    ``runs`` runs and ``seconds``, see :func:`repeated`); its floor the same statements
    replayed as often."""
    with statements(db) as seen:
        run()
    figure = timed_figure(repeated(lambda: clocked(run)[:2], runs, seconds))
    if school.plain is not None:
        plain = school.plain
        floors = repeated(lambda: replay(plain, seen), runs, seconds)
        figure.floor = statistics.median(f[0] for f in floors)
        figure.floor_cpu = statistics.median(f[1] for f in floors)
        figure.floor_samples = tuple(f[1] for f in floors)
    return figure, queries(seen)


def pack_pupil(db: Database, actor: Actor) -> int:
    """Among the first pupils with EHC plans, the one with the most evidence documents."""
    ehc = [r.pupil_id for r in register_rows(db, actor) if r.provision == "E"][:40]
    return max(ehc, key=lambda pid: len(list_documents(db, actor, pid)))


def measure_pack(db: Database, actor: Actor, pupil_id: int, out: Path, runs: int) -> Figure:
    """The pupil's request pack with every document (median of ``runs``, after one build
    that imports reportlab and python-docx, as the app's first pack of the day does),
    against pypdf merging the same documents plus reportlab laying out the pack's other
    pages as plain text."""
    docs = list_documents(db, actor, pupil_id)

    def build(run: int) -> tuple[float, float, Any]:
        folder = out / str(run)  # a pack refuses to overwrite files of the same name
        folder.mkdir(parents=True)
        return clocked(lambda: build_pack(db, actor, pupil_id, folder))

    _, _, result = build(0)
    builds = [build(run)[:2] for run in range(1, runs + 1)]
    contents = documents_bytes(db, actor, [d.id for d in docs])
    pdfs = [c for c in contents if c.startswith(b"%PDF")]
    appended = sum(len(PdfReader(io.BytesIO(c)).pages) for c in pdfs) + len(contents) - len(pdfs)
    others = max(result.pages - appended, 0)

    def floor() -> float:
        return (merge_floor(pdfs) if pdfs else 0.0) + plain_pages(others)

    floors = [clocked(floor)[:2] for _ in range(runs)]
    return timed_figure(
        builds,
        floor=statistics.median(f[0] for f in floors),
        floor_cpu=statistics.median(f[1] for f in floors),
        floor_samples=tuple(f[1] for f in floors),
        note=f"{result.pages} pages, {len(docs)} documents",
    )


def measure_governors(school: School, db: Database, actor: Actor, out: Path, runs: int) -> Figure:
    """The governors' report over the last year (medians of ``runs``), against its own SQL
    on plain SQLite."""
    from sendesk.reports.governors_report import write_governors_report

    end = date.today()

    def write() -> None:
        write_governors_report(
            db, actor, out, start=end - timedelta(days=365), end=end, progress=None
        )

    with statements(db) as seen:
        write()
    figure = timed_figure([clocked(write)[:2] for _ in range(runs)])
    if school.plain is not None:
        floors = [replay(school.plain, seen) for _ in range(runs)]
        figure.floor = statistics.median(f[0] for f in floors)
        figure.floor_cpu = statistics.median(f[1] for f in floors)
        figure.floor_samples = tuple(f[1] for f in floors)
    return figure


def measure_backup(school: School, db: Database, folder: Path, runs: int) -> Figure:
    """``backup_file`` (a SQLCipher file) or pg_dump (a server: its own tools), against
    plain SQLite's backup of the unencrypted copy; medians of ``runs``."""
    dest = folder / f"backup-{school.label}.sendesk"
    plain = school.plain
    if plain is not None:
        backups = [
            clocked(lambda run=run: backup_file(db, folder / f"backup-{school.label}-{run}"))[:2]
            for run in range(runs)
        ]
        floors = [
            sqlite_backup(plain, folder / f"backup-{school.label}-{run}.db") for run in range(runs)
        ]
        return timed_figure(
            backups,
            floor=statistics.median(f[0] for f in floors),
            floor_cpu=statistics.median(f[1] for f in floors),
            floor_samples=tuple(f[1] for f in floors),
        )
    pg_dump = pg_bin("pg_dump")
    if pg_dump is None:
        return Figure(text="no pg_dump")
    url = school.target.replace("postgresql+psycopg://", "postgresql://")
    seconds, _ = timed(
        lambda: subprocess.run(
            [pg_dump, "-Fc", "-f", str(dest), "-d", url], check=True, capture_output=True
        )
    )
    return Figure(seconds, text="pg_dump")


def gui_blocks(ctx: AppContext) -> dict[str, Figure]:
    """The longest GUI-thread block while the main window opens ("what's due" filled in)
    and while each page opens, against the 100 ms target."""
    probe = FreezeProbe()
    probe.start()
    holder: dict[str, MainWindow] = {}

    def open_window() -> None:
        holder["w"] = MainWindow(ctx)
        holder["w"].resize(1200, 760)
        holder["w"].show()

    results = [blocked(probe, "main window", open_window, lambda: holder["w"].home.loaded)]
    results += page_blocks(holder["w"], probe)
    holder["w"].close()
    probe.stop()
    return {
        f"GUI block: {name}": Figure(ms / 1000, cpu=cpu / 1000, samples=(cpu / 1000,))
        for name, ms, cpu in results
    }


def measure_school(school: School, folder: Path, args: argparse.Namespace) -> None:
    """Every figure for one school, into ``school.figures``. A step that fails is shown
    as failed in its row and the others still run (a long run is not lost to one error)."""
    figures = school.figures
    print(f"\n{school.label}: writing the demo school…", flush=True)
    with create_database(school.target, school.key) as db:
        seconds, cpu, _ = clocked(
            lambda: write_demo_school(db, pupils=school.pupils, seed=args.seed)
        )
        figures["demo school written (generator)"] = Figure(seconds, cpu=cpu)
        print(f"  written in {seconds:.1f} s", flush=True)
        if db.is_file:
            school.plain = plain_copy(db, folder / f"school-{school.label}.plain")
        actor = acting_user(db, "senco")
        ctx = AppContext(db, actor, school_info(db))

        def start_up() -> dict[str, Figure]:
            key = school.key or ""
            shown, loaded, _ = time_child(APP_CHILD, school.target, key, runs=args.runs)
            return {
                "start-up: window drawn": Figure(shown, args.floor_startup),
                "start-up: what's due filled in": Figure(loaded, args.floor_startup),
            }

        def register() -> dict[str, Figure]:
            figure, count = database_step(
                school, db, lambda: register_rows(db, actor), args.runs, args.seconds
            )
            rows = register_rows(db, actor, include_all=True)
            # Typed again and again: each typing's median keystroke (CPU) is one run.
            typings = [
                typed_on(rows, args.keystrokes, with_view=True, clock=time.thread_time)[0]
                for _ in range(args.typings)
            ]
            medians = [statistics.median(times) for times in typings]
            return {
                "register load": figure,
                "SQL queries: register load": Figure(count, count=True),
                "search keystroke (every pupil, median)": Figure(
                    statistics.median(medians), samples=tuple(medians)
                ),
            }

        def record() -> dict[str, Figure]:
            pupil = heaviest_pupil(db, actor)
            figure, count = database_step(
                school, db, lambda: open_times(ctx, pupil, 1), args.runs, args.seconds
            )
            return {
                "pupil record open (most history)": figure,
                "SQL queries: pupil record open": Figure(count, count=True),
            }

        steps: list[tuple[str, Callable[[], dict[str, Figure]]]] = [
            (
                "import (MIS CSV, new school)",
                lambda: {
                    "import (MIS CSV, new school)": measure_import(
                        school, folder, args.seed, args.runs
                    )
                },
            ),
            ("start-up: what's due filled in", start_up),
            ("register load", register),
            ("pupil record open (most history)", record),
            ("GUI block: main window", lambda: gui_blocks(ctx)),
            (
                "request pack (EHC pupil, all documents)",
                lambda: {
                    "request pack (EHC pupil, all documents)": measure_pack(
                        db, actor, pack_pupil(db, actor), folder / f"pack-{school.label}", args.runs
                    )
                },
            ),
            (
                "governors' report (PDF, last year)",
                lambda: {
                    "governors' report (PDF, last year)": measure_governors(
                        school, db, actor, folder / f"governors-{school.label}.pdf", args.runs
                    )
                },
            ),
            ("backup", lambda: {"backup": measure_backup(school, db, folder, args.runs)}),
        ]
        for name, step in steps:
            try:
                figures.update(step())
            except Exception as exc:
                print(f"  {name}: failed — {type(exc).__name__}: {exc}", flush=True)
                figures[name] = Figure(text=f"failed ({type(exc).__name__})")
            else:
                print(f"  {name}: done", flush=True)


# --- the table ---------------------------------------------------------------------------


def _time_text(seconds: float) -> str:
    if seconds < 0.01:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"


def cell(figure: Figure | None, *, block: bool = False) -> str:
    if figure is None:
        return "—"
    if figure.count:
        return f"{figure.value:.0f}"
    if figure.value is None:
        return figure.text or "—"
    text = _time_text(figure.value)
    if block:
        text += "" if figure.value * 1000 <= BLOCK_TARGET_MS else " OVER"
    if figure.floor is not None:
        text += f" / {_time_text(figure.floor)}"
    elif figure.text:
        text += f" ({figure.text})"
    return text + (f" ({figure.note})" if figure.note else "")


def grew(name: str, files: Sequence[School]) -> tuple[str, str | None]:
    """The growth cell of step ``name`` over the SQLCipher schools (smallest first), and
    what is flagged: the step, or its SQL on plain SQLite (benchmarks/growth.py)."""
    figures = [(s.pupils, s.figures.get(name)) for s in files]
    present = [(pupils, f) for pupils, f in figures if f is not None and f.value is not None]
    if len(present) < 2:
        return "", None
    if present[0][1].count:
        same = len({f.value for _, f in present}) == 1
        return ("same", None) if same else ("GROWS WITH THE SCHOOL", name)
    step = growth([(pupils, f.runs()) for pupils, f in present])
    if step is None:
        return "", None
    text = step.text()
    flagged = name if step.faster_than_pupils else None
    floor = growth([(pupils, f.floor_runs()) for pupils, f in present])
    if floor is not None:
        # For a database step the floor is its own SQL: when that outgrows the pupils while
        # the query count stays fixed, a query reads a table that grows with the school.
        text += f"; floor {floor.text()}"
        if floor.faster_than_pupils and flagged is None:
            flagged = f"{name} (its floor: its SQL on plain SQLite)"
    return text, flagged


def print_table(schools: Sequence[School], floor_startup: float) -> list[str]:
    """Print the table; return the steps that grew faster than the pupils."""
    files = [s for s in schools if s.key is not None]
    steps: list[str] = []
    for school in schools:
        steps += [name for name in school.figures if name not in steps]
    pupils = files[-1].pupils / files[0].pupils if len(files) > 1 else 0.0
    heads = [f"{s.pupils:,} {'SQLCipher' if s.key else 'PostgreSQL'}" for s in schools]
    grow = f"{files[0].pupils:,}→{files[-1].pupils:,} (pupils ×{pupils:.0f})" if pupils else ""
    rows = [["step (time / floor)", *heads, grow]]
    flagged = []
    for name in steps:
        block = name.startswith("GUI block")
        text, flag = grew(name, files) if pupils else ("", None)
        if flag is not None:
            flagged.append(flag)
        rows.append([name, *(cell(s.figures.get(name), block=block) for s in schools), text])
    widths = [max(len(r[k]) for r in rows) for k in range(len(rows[0]))]
    print(
        f"\nSENDesk performance suite — Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
        f"load average {' / '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    print(
        f"Floors: start-up, an empty PySide6 window ({_time_text(floor_startup)}); database "
        "steps, the same SQL on plain SQLite; pack, pypdf + reportlab; GUI blocks, target "
        f"≤ {BLOCK_TARGET_MS:.0f} ms. Growth: the fastest run's CPU time where there is "
        "one, ×best (the range the run's noise allows), the exponent fitted over every size "
        "(1 = linear); flagged when even the range's low end outgrows n·log n."
    )
    for k, row in enumerate(rows):
        print("  ".join(text.ljust(widths[i]) for i, text in enumerate(row)).rstrip())
        if k == 0:
            print("  ".join("-" * w for w in widths))
    return flagged


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: sorted(int(s) for s in text.split(",")),
        default=None,
        help="comma-separated pupil counts (default 500,2000,10000; --quick: 60,240)",
    )
    parser.add_argument("--no-postgres", action="store_true", help="SQLCipher schools only")
    parser.add_argument(
        "--quick", action="store_true", help="a smoke run: small schools, one run each"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.sizes is None:
        args.sizes = QUICK_SIZES if args.quick else [500, 2_000, 10_000]
    args.runs = 1 if args.quick else 3
    args.seconds = 0.0 if args.quick else STEADY_SECONDS
    args.typings = 1 if args.quick else 5
    args.keystrokes = 6 if args.quick else 20
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    application()
    print_message_boxes()
    args.floor_startup, _, _ = time_child(FLOOR_CHILD, runs=args.runs)
    server: PgServer | None = None
    schools: list[School] = []
    with tempfile.TemporaryDirectory(prefix="sendesk-perf-") as name:
        folder = Path(name)

        def new_file(label: str) -> tuple[str, str | None]:
            return str(folder / f"{label}.sendesk"), new_raw_key()

        try:
            for size in args.sizes:
                target, key = new_file(f"school-{size}")
                school = School(f"{size}", size, target, key, new_file)
                schools.append(school)
                measure_school(school, folder, args)
                if size != args.sizes[-1]:  # the figures so far, should a long run stop
                    print_table(schools, args.floor_startup)
            if not args.no_postgres:
                try:
                    server = start_pg()
                except PgUnavailable as exc:
                    print(f"\nNo PostgreSQL school: {exc}.")
                if server is not None:
                    pg = server

                    def new_server_db(_label: str) -> tuple[str, str | None]:
                        return pg.new_database(), None

                    size = args.sizes[-1]
                    school = School(f"{size}-pg", size, pg.new_database(), None, new_server_db)
                    schools.append(school)
                    measure_school(school, folder, args)
        finally:
            from sendesk.ui.ops import shutdown

            shutdown()
            if server is not None:
                server.close()
    flagged = print_table(schools, args.floor_startup)
    if flagged:
        print("\nGrow faster than the pupils: " + "; ".join(flagged))
    return 1 if flagged else 0


if __name__ == "__main__":
    raise SystemExit(main())
