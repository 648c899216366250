"""Running the command line in-process, as the CLI tests do: exit status, stdout, stderr."""

from __future__ import annotations

import pytest

from sendesk.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """``sendesk ARGV…`` in this process; what it printed is taken from ``capsys``."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
