"""Benchmark: two SENCos changing the same pupil's SEN status at the same moment (issue 12).

Run: ``python benchmarks/races.py [--races 1000] [--pairs 2]``.

Starts a throwaway PostgreSQL server the way the test suite does (``initdb`` and
``pg_ctl`` on a free localhost port), or uses ``SENDESK_TEST_PG_URL`` when it names a
server whose user may create databases. Makes a school with two SENCos and ``--races``
pupils on SEN support, then races two writer processes over every pupil (``--pairs`` pairs
at once; each writer reads the pupil's register, waits for the other at a barrier, and
changes it saying what it read). Prints races run, conflicts caught (losers told "changed
by NAME at TIME — reload"), double entries and needs found, losers' audit events found and
audit forks. Targets: conflicts = races, every other figure 0.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "tests" / "services")]

from conftest import _start_pg  # noqa: E402  (the suite's throwaway server)
from test_register_races import new_school, pupils_on_k, run_races  # noqa: E402

from sendesk.keystore import new_raw_key  # noqa: E402
from sendesk.services.actor import acting_user  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--races", type=int, default=1000, help="pupils raced over (≤ 90,000)")
    parser.add_argument("--pairs", type=int, default=2, help="pairs of writer processes")
    args = parser.parse_args(argv)
    # The audit chain's anchors go to a folder of this run's own, not the user's settings.
    os.environ["SENDESK_CONFIG_DIR"] = tempfile.mkdtemp(prefix="sendesk-races-")
    server = _start_pg()
    try:
        db = new_school(server.new_database(), new_raw_key())
        try:
            pupil_ids = pupils_on_k(db, acting_user(db, "senco"), args.races)
            started = time.perf_counter()
            figures = run_races(db, pupil_ids, args.pairs)
            seconds = time.perf_counter() - started
        finally:
            db.dispose()
    finally:
        server.close()
    rows = [
        ("races run", figures.races),
        ("conflicts caught (loser told who won)", figures.conflicts),
        ("races without exactly one winner", figures.not_one_winner),
        ("other errors", len(figures.other_errors)),
        ("refusals in other words", len(figures.wrong_sentences)),
        ("double register entries found", figures.double_entries),
        ("double needs of a rank found", figures.double_needs),
        ("pupils not as the winner left them", figures.wrong_state),
        ("losers' audit events found", figures.loser_events),
        ("audit forks", figures.audit_forks),
        ("audit chain problems", len(figures.chain_problems)),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value:>6}")
    print(f"{'seconds (both writers, all races)':<{width}}  {seconds:>6.1f}")
    for text in (figures.other_errors + figures.wrong_sentences)[:5]:
        print("  e.g.", text)
    clean = figures.conflicts == figures.races and not any(value for _, value in rows[2:])
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
