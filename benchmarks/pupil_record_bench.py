"""Benchmark: how long the pupil record takes to open for the pupil with the most history.

Run: ``python benchmarks/pupil_record_bench.py [--pupils 1200] [--seed 1]``. Writes a demo
school (several years of register history, support-plan cycles, intervention sessions,
agency reports), picks the pupil with the most rows of history, and times building and
showing their ``PupilWindow`` (every tab reads its data) — median of 7 openings, offscreen.
Target (issue 4): under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sendesk.db import create_database
from sendesk.demo import write_demo_school
from sendesk.keystore import new_raw_key
from sendesk.services.actor import acting_user
from sendesk.services.graduated.support_plans import list_plans
from sendesk.services.register.pupil_record import get_record
from sendesk.services.register.register_view import register_rows
from sendesk.services.school.school import school_info
from sendesk.ui.app import application
from sendesk.ui.context import AppContext
from sendesk.ui.pupil_window import PupilWindow


def open_times(ctx: AppContext, pupil_id: int, runs: int) -> list[float]:
    """Seconds to build and show the pupil's ``PupilWindow`` (every tab reads its data),
    ``runs`` times; benchmarks/run_all.py uses it at every school size."""
    app = application()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        window = PupilWindow(ctx, pupil_id)
        window.show()
        app.processEvents()
        times.append(time.perf_counter() - start)
        window.close()
        window.deleteLater()
        app.processEvents()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pupils", type=int, default=1200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    app = application()
    with tempfile.TemporaryDirectory() as folder:
        db = create_database(str(Path(folder) / "bench.sendesk"), new_raw_key())
        write_demo_school(db, pupils=args.pupils, seed=args.seed)
        actor = acting_user(db, "senco")
        ctx = AppContext(db, actor, school_info(db))

        def weight(pupil_id: int) -> int:
            record = get_record(db, actor, pupil_id)
            return len(record.history) + 5 * len(list_plans(db, actor, pupil_id))

        rows = [r for r in register_rows(db, actor) if r.year_group == 11]
        pupil_id = max((r.pupil_id for r in rows), key=weight)
        record = get_record(db, actor, pupil_id)
        plans = list_plans(db, actor, pupil_id)
        times = open_times(ctx, pupil_id, 7)
        db.dispose()
    median = statistics.median(times) * 1000
    print(
        f"SENDesk pupil-record benchmark — Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, Qt {app.platformName()}"
    )
    print(
        f"pupil: {len(record.history)} register-history rows, {len(plans)} support-plan "
        f"cycles, since {min((h.on for h in record.history), default=None)}"
    )
    print(
        f"open the pupil record: median {median:.0f} ms, best {min(times) * 1000:.0f} ms "
        f"(target < 300 ms) {'✓' if median < 300 else '✗ MISSED'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
