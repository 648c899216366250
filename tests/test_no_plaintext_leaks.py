"""Personal data never leaves the encrypted store by accident (issue 12).

A demo school is written, every export format is asked for, a request pack and a backup
are made, exports are killed part-way, and then every file the run left anywhere it could
write — the database and its journal, the backup, the temporary folder, the settings
folder, any log — is searched for the pupils' names. They may be only in the files the user
asked for (the exports themselves, which are plain by design).
"""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sendesk.keystore import new_raw_key


def _sendesk(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sendesk", *argv],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _files(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_names_are_only_in_the_files_asked_for(tmp_path: Path) -> None:
    work, out, scratch, settings = (tmp_path / n for n in ("work", "out", "tmp", "cfg"))
    for folder in (work, out, scratch, settings):
        folder.mkdir()
    env = {
        **os.environ,
        "SENDESK_DB_KEY": new_raw_key(),
        "SENDESK_PASSWORD": "demo-password",
        "SENDESK_CONFIG_DIR": str(settings),
        "TMPDIR": str(scratch),
        "CI": "1",
    }
    db = str(work / "school.db")
    made = _sendesk(env, "demo", "--db", db, "--pupils", "150")
    assert made.returncode == 0, made.stderr

    asked: list[tuple[str, ...]] = [
        ("register", "--db", db, "--all", "--format", "csv", "--out", str(out / "r.csv")),
        ("register", "--db", db, "--all", "--format", "xlsx", "--out", str(out / "r.xlsx")),
        ("access-arrangements", "--db", db, "--format", "csv", "--out", str(out / "aa.csv")),
        ("access-arrangements", "--db", db, "--format", "xlsx", "--out", str(out / "aa.xlsx")),
        ("access-arrangements", "--db", db, "--format", "pdf", "--out", str(out / "aa.pdf")),
        ("backup", "--db", db, "--out", str(out / "school.bak")),
    ]
    for argv in asked:
        done = _sendesk(env, *argv)
        assert done.returncode == 0, (argv, done.stderr)
    with (out / "r.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    names = sorted(
        {r["Legal surname"] for r in rows if len(r["Legal surname"]) >= 6}, key=len, reverse=True
    )[:40]
    assert len(names) >= 10
    on_register = next(r["UPN"] for r in rows if r["SEN provision"] in ("K", "E"))
    for argv in (
        ("passport", "--db", db, "--upn", on_register, "--out", str(out / "passport.pdf")),
        ("pack", "--db", db, "--upn", on_register, "--out", str(out)),
    ):
        done = _sendesk(env, *argv)
        assert done.returncode == 0, (argv, done.stderr)
    census = _sendesk(env, "census-check", "--db", db, "--format", "csv")
    assert census.returncode in (0, 1), census.stderr

    # Exports killed part-way: an XLSX register and a request pack.
    for argv in (
        ("register", "--db", db, "--all", "--format", "xlsx", "--out", str(out / "k.xlsx")),
        ("pack", "--db", db, "--upn", on_register, "--out", str(out)),
    ):
        child = subprocess.Popen(
            [sys.executable, "-m", "sendesk", *argv],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(1.2)  # past start-up and signing in: into the work
        child.send_signal(signal.SIGKILL)
        child.wait()
    # The next SENDesk to start sweeps what a killed one left.
    assert _sendesk(env, "verify", "--db", db).returncode == 0

    encoded = [n.encode("utf-8") for n in names]
    leaks = []
    for path in [*_files(work), *_files(scratch), *_files(settings), out / "school.bak"]:
        data = path.read_bytes()
        leaks += [f"{path.relative_to(tmp_path)}: {n.decode()}" for n in encoded if n in data]
    logs = [p for p in tmp_path.rglob("*.log")]
    assert logs == []
    assert leaks == [], leaks[:10]
    # ...and the names are in what was asked for, so the search would have found them.
    assert any(n in (out / "r.csv").read_bytes() for n in encoded)
