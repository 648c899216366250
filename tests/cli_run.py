"""Running the command line in-process, as the CLI tests do: exit status, stdout, stderr."""

from __future__ import annotations

import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest

from sendesk.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``sendesk ARGV…`` in this process; what it printed is taken from ``capsys``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_with_key(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    *argv: str,
    password: str,
) -> tuple[int, list[str], str]:
    """:func:`run` as a member of staff would: the school's key and ``password`` in the
    environment, stdout split into lines. Bind ``password`` with :func:`functools.partial`."""
    monkeypatch.setenv("SENDESK_DB_KEY", key)
    monkeypatch.setenv("SENDESK_PASSWORD", password)
    code, out, err = run(capsys, *argv)
    return code, out.splitlines(), err


HILL_PASSWORD = "hill-school-pw"
"""The password Hill School's SENCo chooses in :func:`init_hill_school`, and the one its
staff sign in with in a school made by ``tests.factories.hill_school``."""

run_at_hill = partial(run_with_key, password=HILL_PASSWORD)
""":func:`run_with_key` as a member of Hill School's staff, who sign in with
:data:`HILL_PASSWORD`."""


def init_hill_school(monkeypatch: pytest.MonkeyPatch, key: str, path: Path) -> None:
    """``sendesk init`` of Hill School at ``path``, as the SENCo types it, checking that it
    succeeds. The key and the SENCo's password stay in the environment, so the commands the
    test runs next open the school as the SENCo."""
    monkeypatch.setenv("SENDESK_DB_KEY", key)
    monkeypatch.setenv("SENDESK_NEW_PASSWORD", HILL_PASSWORD)
    monkeypatch.setenv("SENDESK_PASSWORD", HILL_PASSWORD)
    assert main(["init", "--db", str(path), "--school", "Hill School"]) == 0


def sendesk_help(*command: str) -> subprocess.CompletedProcess[str]:
    """``python -m sendesk COMMAND… --help`` in a child process, as a user types it."""
    return subprocess.run(
        [sys.executable, "-m", "sendesk", *command, "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
