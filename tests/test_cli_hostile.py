"""``sendesk import-pupils`` / ``import-classes`` with hostile files and ``--encoding``
(issue 12): one sentence on stderr, nothing written, the lines read as Windows-1252 named."""

from __future__ import annotations

from pathlib import Path

from cli_run import run

MIXED = (
    b"UPN,Surname,Forename,DOB\r\n"
    + "Y801200015020,Brontë,Zoë,01/02/2013\r\n".encode()
    + "M801200015021,Müller,Chloë,02/03/2013\r\n".encode("cp1252")
)


def test_encoding_detected_named_or_chosen(tmp_path: Path, capsys, env_key: str) -> None:
    db = tmp_path / "s.db"
    assert run(capsys, "init", "--db", str(db), "--school", "Hill School")[0] == 0
    export = tmp_path / "mixed.csv"
    export.write_bytes(MIXED)
    code, out, err = run(
        capsys, "import-pupils", "--db", str(db), "--encoding", "utf-8", str(export)
    )
    assert code != 0
    assert "mixed.csv is not all UTF-8 (line 3 cannot be read that way)" in err
    code, out, _ = run(capsys, "register", "--db", str(db), "--all")
    assert out.strip().splitlines()[1:] == []  # nothing was imported
    code, out, err = run(capsys, "import-pupils", "--db", str(db), str(export))
    assert code == 0, out + err
    assert "Line 3 is not UTF-8, so it was read as Windows-1252" in out
    assert "2 new" in out


def test_hostile_file_is_one_sentence(tmp_path: Path, capsys, env_key: str) -> None:
    db = tmp_path / "s.db"
    assert run(capsys, "init", "--db", str(db), "--school", "Hill School")[0] == 0
    wide = tmp_path / "wide.csv"
    wide.write_text("UPN,Surname,Forename,DOB," + ",".join(map(str, range(2_000))) + "\n")
    for command in ("import-pupils", "import-classes"):
        code, out, err = run(capsys, command, "--db", str(db), str(wide))
        assert code != 0
        assert "wide.csv line 1 has 2,004 columns, more than the 1,000" in err
        assert "Traceback" not in err and out == ""
