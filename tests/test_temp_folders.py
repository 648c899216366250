"""Sweeping the per-process folders a crashed SENDesk left in the temporary folder.

Export scratch files (``reports/private_temp``) and the document viewer's copies
(``services/evidence``) both sit in a folder named for the process that made it; one sweep
(``sendesk.temp_folders``) removes those of this user whose process has ended or that have
lain untouched too long, and nothing else.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest

from sendesk import temp_folders
from sendesk.reports import private_temp

PREFIX = "sendesk-test-"


def folder(base: Path, name: str, *, age: float = 0) -> Path:
    made = base / name
    made.mkdir()
    (made / "pupils.xml").write_text("Quillfeatherstone")
    if age:
        then = time.time() - age
        os.utime(made, (then, then))
    return made


@pytest.mark.skipif(os.name != "posix", reason="Windows relies on the folder's age")
def test_a_folder_whose_process_has_ended_goes_and_a_running_ones_stays(
    private_tmp: Path, ended_pid: int
) -> None:
    crashed = folder(private_tmp, f"{PREFIX}{ended_pid}-abc")
    running = folder(private_tmp, f"{PREFIX}{os.getppid()}-def")
    mine = folder(private_tmp, f"{PREFIX}{os.getpid()}-ghi")
    unnamed = folder(private_tmp, f"{PREFIX}no-pid")
    assert temp_folders.sweep_folders(PREFIX, max_age_seconds=60) == 1
    assert not crashed.exists()
    assert running.exists() and mine.exists() and unnamed.exists()


def test_an_untouched_folder_goes_whoever_made_it_but_not_the_one_kept(
    private_tmp: Path,
) -> None:
    old = folder(private_tmp, f"{PREFIX}{os.getppid()}-old", age=120)
    unnamed = folder(private_tmp, f"{PREFIX}no-pid", age=120)
    kept = folder(private_tmp, f"{PREFIX}{os.getpid()}-kept", age=120)
    recent = folder(private_tmp, f"{PREFIX}{os.getppid()}-new")
    mine = folder(private_tmp, f"{PREFIX}{os.getpid()}-a-long-export", age=120)
    assert temp_folders.sweep_folders(PREFIX, max_age_seconds=60, keep=kept) == 2
    assert not old.exists() and not unnamed.exists()
    assert kept.exists() and recent.exists() and mine.exists()  # this run's own stay


def test_only_folders_with_the_prefix_are_swept(private_tmp: Path, ended_pid: int) -> None:
    other = folder(private_tmp, f"someone-else-{ended_pid}-abc", age=120)
    a_file = private_tmp / f"{PREFIX}{ended_pid}-file"
    a_file.write_text("not a folder")
    os.utime(a_file, (time.time() - 120, time.time() - 120))
    assert temp_folders.sweep_folders(PREFIX, max_age_seconds=60) == 0
    assert other.exists() and a_file.exists()


def test_the_remover_given_decides_what_counts_as_removed(private_tmp: Path) -> None:
    """A folder a viewer still holds open (Windows) survives its removal: not counted."""
    old = folder(private_tmp, f"{PREFIX}{os.getppid()}-old", age=120)
    seen: list[Path] = []

    def cannot_remove(path: Path) -> bool:
        seen.append(path)
        return False

    assert temp_folders.sweep_folders(PREFIX, max_age_seconds=60, remove=cannot_remove) == 0
    assert seen == [old] and old.exists()


def test_process_ended_is_false_when_it_cannot_tell(ended_pid: int) -> None:
    assert temp_folders.process_ended(os.getpid()) is False
    assert temp_folders.process_ended(0) is False
    assert temp_folders.process_ended(os.getppid()) is False
    if os.name == "posix":
        assert temp_folders.process_ended(ended_pid) is True
        assert temp_folders.process_ended(1) is False  # init: someone else's, still running


def test_an_export_scratch_folder_untouched_for_half_a_day_is_swept(
    private_tmp: Path,
) -> None:
    """Its process id may have been reused by another program after a crash: the age rule
    the viewer's folders always had now removes the pupils' names left in it too."""
    assert tempfile.gettempdir() == str(private_tmp)
    stale = folder(
        private_tmp,
        f"{private_temp.PREFIX}{os.getppid()}-x",
        age=private_temp.STALE_AFTER_SECONDS + 60,
    )
    fresh = folder(private_tmp, f"{private_temp.PREFIX}{os.getppid()}-y")
    assert private_temp.sweep_scratch_folders() == 1
    assert not stale.exists() and fresh.exists()
