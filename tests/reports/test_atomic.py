"""Reports are written whole or not at all, and readable by their owner only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sendesk.errors import SendeskError
from sendesk.reports.atomic import atomic_output


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_written_file_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    dest = tmp_path / "list.csv"
    old = os.umask(0o022)
    try:
        with atomic_output(dest) as tmp:
            assert _mode(tmp) == 0o600  # before a single byte is written
            with open(tmp, "w", encoding="utf-8") as out:
                out.write("Candidate,UPN\n")
    finally:
        os.umask(old)
    assert dest.read_text(encoding="utf-8") == "Candidate,UPN\n"
    assert _mode(dest) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_world_readable_leftover_partial_is_not_reused(tmp_path: Path) -> None:
    dest = tmp_path / "list.csv"
    leftover = tmp_path / ".list.csv.partial"
    leftover.write_text("half a report")
    leftover.chmod(0o644)
    with atomic_output(dest) as tmp:
        assert _mode(tmp) == 0o600
        assert tmp.read_text() == ""
        tmp.write_text("whole")
    assert dest.read_text() == "whole"


def test_a_failed_write_leaves_the_old_file_and_no_partial(tmp_path: Path) -> None:
    dest = tmp_path / "list.csv"
    dest.write_text("yesterday's list")
    with pytest.raises(RuntimeError), atomic_output(dest) as tmp:
        tmp.write_text("half")
        raise RuntimeError("the writer failed")
    assert dest.read_text() == "yesterday's list"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.csv"]


def test_missing_folder_is_one_sentence(tmp_path: Path) -> None:
    with (
        pytest.raises(SendeskError, match="does not exist"),
        atomic_output(tmp_path / "nowhere" / "list.csv"),
    ):
        pass
