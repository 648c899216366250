"""A killed XLSX export leaves no pupil's name in plain text in the shared temp folder.

openpyxl streams sheet XML to temporary files before zipping them; SENDesk points those at
a private folder of the exporting process (0700), which the next SENDesk to start removes
once that process is gone (issue 12). The child process is really killed (SIGKILL) while
it writes, then the whole temporary folder it used is searched.
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

from sendesk.cli import main
from sendesk.reports.private_temp import PREFIX, private_scratch, sweep_scratch_folders
from sendesk.rules.upn import make
from tests.cli_run import init_hill_school

SURNAME = "Quillfeatherstone"


def _files_naming(folder: Path, needle: bytes) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file():
            try:
                if needle in path.read_bytes():
                    found.append(path)
            except OSError:
                continue
    return found


def test_scratch_folder_is_private_and_removed(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    with private_scratch() as folder:
        assert folder.parent == tmp_path
        assert folder.stat().st_mode & 0o777 == 0o700
        with tempfile.NamedTemporaryFile(delete=False) as fh:
            assert Path(fh.name).parent == folder
    assert not folder.exists()
    assert tempfile.gettempdir() == str(tmp_path)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_xlsx_export_leaves_nothing_readable_behind(
    tmp_path: Path, raw_key: str, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    db = tmp_path / "school.db"
    init_hill_school(monkeypatch, raw_key, db)
    source = tmp_path / "export.csv"
    with source.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["UPN", "Legal Surname", "Legal Forename", "DOB", "Gender", "Year"])
        for serial in range(1, 6001):
            out.writerow(
                [
                    make(801, 2000 + serial // 1000, 24, serial % 1000),
                    SURNAME,
                    f"Kid{serial}",
                    "2012-01-01",
                    "F",
                    "8",
                ]
            )
    assert main(["import-pupils", "--db", str(db), str(source)]) == 0
    capsys.readouterr()
    source.unlink()

    scratch_tmp = tmp_path / "tmp"
    scratch_tmp.mkdir()
    env = {**os.environ, "SENDESK_DB_KEY": raw_key, "TMPDIR": str(scratch_tmp)}
    out_file = tmp_path / "out" / "register.xlsx"
    out_file.parent.mkdir()
    killed_mid_write = False
    for _attempt in range(5):
        child = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sendesk",
                "register",
                "--db",
                str(db),
                "--all",
                "--format",
                "xlsx",
                "--out",
                str(out_file),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and child.poll() is None:
            if _files_naming(scratch_tmp, SURNAME.encode()):
                child.send_signal(signal.SIGKILL)
                killed_mid_write = True
                break
            time.sleep(0.005)
        child.wait()
        if killed_mid_write:
            break
        out_file.unlink(missing_ok=True)
    assert killed_mid_write, "the export never got as far as writing names"

    # What a crash leaves: only inside this process's private folder, readable by us only.
    left = _files_naming(scratch_tmp, SURNAME.encode())
    assert left and all(p.relative_to(scratch_tmp).parts[0].startswith(PREFIX) for p in left)
    for path in left:
        assert path.relative_to(scratch_tmp).parts[0].startswith(f"{PREFIX}{child.pid}-")
        assert (scratch_tmp / path.relative_to(scratch_tmp).parts[0]).stat().st_mode & 0o777 == (
            0o700
        )

    # The next SENDesk to start sweeps it.
    monkeypatch.setenv("TMPDIR", str(scratch_tmp))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    assert sweep_scratch_folders() >= 1
    assert _files_naming(scratch_tmp, SURNAME.encode()) == []
    assert not out_file.exists()
    assert _files_naming(out_file.parent, SURNAME.encode()) == []  # no half-written file
