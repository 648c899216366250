"""Benchmark: hostile import files are refused quickly, in one sentence, in little memory.

Run: ``python benchmarks/hostile_files.py [--keep FOLDER] [--no-property]``.

Builds each hostile file of issue 12 (tests/services/hostile_builders.py: a 100,009-column
CSV, an 8 MB sparse XLSX reaching XFD over 1,048,576 rows, an XLSX with a 300 MB shared
string, a zip bomb, a CSV with a 10 MB cell, a CSV with 2 million rows, a binary file
named .csv, an XLSX that is not a zip), then runs the real pupil import and class-list
import of each against a fresh SQLCipher database, each in its own child process, and
prints the seconds the import took, the child's peak memory (ru_maxrss from wait4, so it
includes Python, SQLAlchemy and SQLCipher: about 60 MB before any file is read) and the
sentence the person would see. The goal: every file refused in under 2 s and 200 MB.

Then (unless --no-property) it runs the property-based tests (tests/property) and
prints how many generated cases they fed the imports and validators, and how many crashed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "services"))

from hostile_builders import HOSTILE  # noqa: E402

from sendesk.db import create_database  # noqa: E402
from sendesk.services.school.school import init_school  # noqa: E402

CHILD = """
import json, sys, time
from sendesk.db import open_database
from sendesk.errors import SendeskError
from sendesk.services.actor import acting_user
from sendesk.services.register.pupil_import import import_pupils
from sendesk.services.staff.teaching_groups import import_classes

target, key, which, path = sys.argv[1:5]
db = open_database(target, key)
actor = acting_user(db, "senco")
run = import_pupils if which == "pupils" else import_classes
start = time.perf_counter()
try:
    report = run(db, actor, path)
    outcome = "written" if report.written else report.format().strip().splitlines()[-1]
    refused = not report.written
except SendeskError as exc:
    outcome, refused = str(exc), True
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "refused": refused, "sentence": outcome}))
"""


def run_child(target: str, key: str, which: str, path: Path) -> dict[str, object]:
    """One import in a child process reaped with wait4: its result, and the child's own
    peak RSS in MB (ru_maxrss)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", CHILD, target, key, which, str(path)],
            stdout=out,
            stderr=err,
            env=env,
        )
        _pid, _status, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped here; stop Popen from waiting again
        out.seek(0)
        err.seek(0)
        text, errors = out.read().decode(), err.read().decode()
    try:
        result: dict[str, object] = json.loads(text.strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        last = (errors.strip().splitlines() or ["no output"])[-1]
        result = {"seconds": float("nan"), "refused": False, "sentence": f"CRASH: {last}"}
    result["rss_mb"] = usage.ru_maxrss / 1024
    return result


def property_cases() -> str:
    """Run tests/property and return its closing count line."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/property"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    found = re.findall(r"^hypothesis: .*$", proc.stdout, re.MULTILINE)
    tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else "no output"
    return (found[-1] if found else "hypothesis: no count printed") + f" (pytest: {tail})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", help="build the files in this folder and leave them there")
    parser.add_argument("--no-property", action="store_true", help="skip the hypothesis tests")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sendesk-hostile-") as scratch:
        folder = Path(args.keep) if args.keep else Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        target = str(Path(scratch) / "school.db")
        key = "x'" + secrets.token_hex(32).upper() + "'"
        db = create_database(target, key)
        init_school(db, "Bench School", senco_username="senco", senco_name="SENCo")
        db.dispose()
        print(f"{'file':44} {'import':8} {'on disk':>9} {'seconds':>8} {'peak RSS':>9}  sentence")
        worst_s = worst_mb = 0.0
        all_refused = True
        for name, build in HOSTILE.items():
            path = build(folder)
            size = f"{path.stat().st_size / 1e6:.1f} MB"
            for which in ("pupils", "classes"):
                result = run_child(target, key, which, path)
                seconds, rss = float(result["seconds"]), float(result["rss_mb"])  # type: ignore[arg-type]
                worst_s, worst_mb = max(worst_s, seconds), max(worst_mb, rss)
                all_refused &= bool(result["refused"])
                print(
                    f"{name:44} {which:8} {size:>9} {seconds:8.2f} {rss:7.0f} MB  "
                    f"{result['sentence']}",
                    flush=True,
                )
        print(
            f"\nSlowest refusal {worst_s:.2f} s, largest peak RSS {worst_mb:.0f} MB; "
            f"{'every file refused' if all_refused else 'NOT every file refused'}."
        )
    if not args.no_property:
        print(property_cases())
    return 0 if all_refused else 1


if __name__ == "__main__":
    raise SystemExit(main())
