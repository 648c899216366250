"""Benchmark: MIS pupil import and register reads on a fresh SQLCipher database.

Run: ``python benchmarks/import_bench.py [--sizes 2000,10000] [--seed 1]``.

Generates CSV exports (valid UPNs, names in many scripts, a realistic SEN mix) in a
temporary folder, imports each into a new SQLCipher database (raw key, so no key
derivation cost), re-imports the first file unchanged and then a later export with status
changes, reads the register, and prints a table of seconds (best and median of the
rounds). The target (issue): 2,000 pupils in under 2 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sendesk.db import create_database
from sendesk.reports.register_export import write_register
from sendesk.rules import upn
from sendesk.services.register.pupil_import import import_pupils
from sendesk.services.register.register_view import register_rows
from sendesk.services.school.school import init_school

T = TypeVar("T")

SURNAMES = [
    "Smith",
    "O'Brien",
    "Brown, Jr",
    "Kowalczyk",
    "Łukasiewicz",
    "Ó Súilleabháin",
    "Nguyễn",
    "Trần",
    "Шевченко",
    "Ёлкин",
    "Παπαδόπουλος",
    "Ωρίωνας",
    "Yılmaz",
    "Müller",
    "García Márquez",
    "Okafor",
    "محمد",
    "王",
]
FORENAMES = [
    "Zoë",
    "Siobhán",
    "Łukasz",
    "Ngozi",
    "Jürgen",
    "Ayşe",
    "Ёжик",
    "Ωmega",
    "Thị Hương",
    "Đức",
    "Chloé",
    "Mohammed",
    "Priya",
    "Lily-Mae",
    "D'Arcy",
]
NEEDS = ["SPLD", "MLD", "SLCN", "ASD", "SEMH", "HI", "VI", "PD", "OTH"]
HEADER = [
    "UPN",
    "Legal Surname",
    "Legal Forename",
    "Preferred Forename",
    "DOB",
    "Gender",
    "Year",
    "Reg",
    "Admission Date",
    "SEN Status",
    "Primary Need",
    "Secondary Need",
    "EAL",
    "Pupil Premium",
]


def make_export(path: Path, count: int, rng: random.Random) -> None:
    """Write a SIMS-style CSV export of ``count`` pupils (UTF-8 with BOM, CRLF)."""
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        out = csv.writer(fh, lineterminator="\r\n")
        out.writerow(HEADER)
        for i in range(count):
            year = 7 + i % 5
            dob = date(2026 - year - 5, 9, 1) + timedelta(days=rng.randrange(365))
            status = rng.choices("NKE", weights=(80, 16, 4))[0]
            needs = rng.sample(NEEDS, 2) if status != "N" else []
            if needs and rng.random() < 0.5:
                needs = needs[:1]
            forename = rng.choice(FORENAMES)
            out.writerow(
                [
                    upn.make(919, 4321, 20 + i // 1000, i % 1000),
                    rng.choice(SURNAMES),
                    forename,
                    forename if rng.random() < 0.9 else forename[:3],
                    dob.strftime("%d/%m/%Y"),
                    rng.choice("MF"),
                    str(year),
                    f"{year}{rng.choice('ABCDE')}",
                    date(2026 - (year - 7), 9, 3).strftime("%d/%m/%Y"),
                    status,
                    needs[0] if needs else "",
                    needs[1] if len(needs) > 1 else "",
                    rng.choice("YN"),
                    rng.choice("YN"),
                ]
            )


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def make_later_export(source: Path, dest: Path, every: int) -> int:
    """A later export of ``source``: every ``every``-th N pupil moves to SEN support (K)."""
    with source.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    status, primary = header.index("SEN Status"), header.index("Primary Need")
    changed = 0
    for number, row in enumerate(body):
        if number % every == 0 and row[status] == "N":
            row[status], row[primary] = "K", "SLCN"
            changed += 1
    with dest.open("w", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows([header, *body])
    return changed


def bench_size(folder: Path, size: int, first: bool, rng: random.Random) -> dict[str, float]:
    """One round for one size on a fresh database: step name -> seconds."""
    export = folder / f"export-{size}.csv"
    if not export.exists():
        make_export(export, size, rng)
    db_path = folder / f"school-{size}.db"
    if db_path.exists():
        db_path.unlink()
    key = "x'" + secrets.token_hex(32).upper() + "'"
    db = create_database(str(db_path), key)
    times: dict[str, float] = {}
    try:
        actor = init_school(db, "Bench School", senco_username="senco", senco_name="SENCo")
        seconds, report = timed(lambda: import_pupils(db, actor, export))
        assert report.written and report.created == size, report.format()
        times[f"import {size:,} pupils (new)"] = seconds
        if first:
            seconds, report = timed(lambda: import_pupils(db, actor, export))
            assert report.unchanged == size and not report.updated, report.format()
            times[f"re-import {size:,} pupils (no changes)"] = seconds
            later = folder / f"later-{size}.csv"
            changed = make_later_export(export, later, 10)
            seconds, report = timed(lambda: import_pupils(db, actor, later))
            assert report.register_changes == changed, report.format()
            times[f"later export, {changed:,} register changes"] = seconds
        seconds, rows = timed(lambda: register_rows(db, actor, include_all=False))
        times[f"register_rows, {size:,} pupils ({len(rows):,} on register)"] = seconds
        seconds, rows = timed(lambda: register_rows(db, actor, include_all=True))
        times[f"register_rows(include_all), {len(rows):,} rows"] = seconds
        for fmt in ("csv", "xlsx"):
            out = folder / f"register-{size}.{fmt}"
            out.unlink(missing_ok=True)
            seconds, _ = timed(
                lambda fmt=fmt, out=out: write_register(
                    register_rows(db, actor, include_all=True), out, fmt
                )
            )
            times[f"sendesk register --all --format {fmt}, {size:,} pupils"] = seconds
    finally:
        db.dispose()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="2000,10000", help="comma-separated pupil counts")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (best is shown)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    rng = random.Random(args.seed)
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="sendesk-bench-") as folder:
        for size in sizes:
            for _ in range(max(1, args.repeat)):
                for name, seconds in bench_size(Path(folder), size, size == sizes[0], rng).items():
                    results.setdefault(name, []).append(seconds)
    width = max(len(name) for name in results)
    python = sys.version.split()[0]
    print(
        f"SENDesk import benchmark (SQLCipher, {os.cpu_count()} CPUs, Python {python}, "
        f"{max(1, args.repeat)} rounds)"
    )
    print(f"{'step':<{width}}     best   median")
    print(f"{'-' * width}  -------  -------")
    for name, times in results.items():
        print(f"{name:<{width}}  {min(times):7.3f}  {statistics.median(times):7.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
