"""`sendesk import-ctf`: a CTF's SEN history from the command line (issue 15)."""

from __future__ import annotations

import sys
from pathlib import Path

from sendesk.services.actor import acting_user
from sendesk.services.register.pupil_record import get_record

sys.path.insert(0, str(Path(__file__).resolve().parent / "services"))
from test_ctf_import import ctf, need, pupil_xml, sen, upn_of

from tests.cli_run import HILL_PASSWORD, run_at_hill
from tests.factories import add_test_pupil, hill_school


def test_import_ctf_adds_the_history_and_a_second_run_changes_nothing(
    capsys, monkeypatch, tmp_path: Path, raw_key: str
) -> None:
    db, senco = hill_school(str(tmp_path / "s.db"), raw_key, HILL_PASSWORD)
    pupil = add_test_pupil(db, senco, 1)
    db.dispose()
    file = tmp_path / "8012001_CTF_8014000_001.xml"
    file.write_bytes(
        ctf(
            pupil_xml(
                upn_of(1), history=sen("2021-09-01", "K") + f"<SENneeds>{need('MLD', 1)}</SENneeds>"
            )
        )
    )
    code, lines, err = run_at_hill(
        capsys, monkeypatch, raw_key, "import-ctf", "--db", str(tmp_path / "s.db"), str(file)
    )
    assert (code, err) == (0, "")
    assert lines[0].startswith(f"{file.name}: a CTF from Hill Primary (version 25.0), 1 pupil(s)")
    assert lines[1].startswith("Added 1 register entry and 1 need(s) for 1 pupil(s)")
    code, lines, _ = run_at_hill(
        capsys, monkeypatch, raw_key, "import-ctf", "--db", str(tmp_path / "s.db"), str(file)
    )
    assert code == 0 and lines[1].startswith("Added 0 register entries")
    from sendesk.db import open_database

    with open_database(str(tmp_path / "s.db"), raw_key) as again:
        reasons = [h.reason for h in get_record(again, acting_user(again, "senco"), pupil).history]
    assert reasons.count("from Hill Primary (CTF)") >= 1


def test_a_bad_ctf_exits_non_zero_with_one_sentence(
    capsys, monkeypatch, tmp_path: Path, raw_key: str
) -> None:
    db, senco = hill_school(str(tmp_path / "s.db"), raw_key, HILL_PASSWORD)
    add_test_pupil(db, senco, 1)
    db.dispose()
    file = tmp_path / "bad.xml"
    file.write_bytes(ctf(pupil_xml(upn_of(1), history=sen("2021-09-01", "K", "2020-01-01"))))
    code, lines, err = run_at_hill(
        capsys, monkeypatch, raw_key, "import-ctf", "--db", str(tmp_path / "s.db"), str(file)
    )
    assert code != 0 and lines == []
    assert err.startswith("sendesk: bad.xml was not imported: pupil 1 (") and "EndDate" in err
    assert err.count("\n") == 1


def init_with_dfe(
    capsys, monkeypatch, raw_key: str, where: str, school: str, dfe: str
) -> tuple[int, list[str], str]:
    """``sendesk init`` of ``school`` with its DfE number and a SENCo ``senco``."""
    return run_at_hill(
        capsys,
        monkeypatch,
        raw_key,
        "init",
        "--db",
        where,
        "--school",
        school,
        "--senco",
        "senco",
        "--dfe",
        dfe,
    )


def test_init_with_a_dfe_number_then_a_leaver_goes_out_as_a_ctf(
    capsys, monkeypatch, tmp_path: Path, raw_key: str
) -> None:
    school = str(tmp_path / "s.db")
    monkeypatch.setenv("SENDESK_NEW_PASSWORD", HILL_PASSWORD)
    code, _, err = init_with_dfe(capsys, monkeypatch, raw_key, school, "Hill School", "8014000")
    assert (code, err) == (0, "")
    from sendesk.db import open_database

    with open_database(school, raw_key) as db:
        add_test_pupil(db, acting_user(db, "senco"), 1, provision="K", needs=("MLD",))
    upn = upn_of(1)
    code, lines, err = run_at_hill(
        capsys,
        monkeypatch,
        raw_key,
        "leaver",
        "--db",
        school,
        "--upn",
        upn,
        "--on",
        "04/12/2026",
        "--dest",
        "802/4100",
        "--dest-name",
        "Brook High",
    )
    assert (code, err) == (0, "")
    assert lines == [
        f"Recorded {upn} leaving on 04/12/2026; their SEN file is due 15 school days on "
        "(sendesk deadlines)."
    ]
    out = tmp_path / "out"
    out.mkdir()
    code, lines, err = run_at_hill(
        capsys,
        monkeypatch,
        raw_key,
        "export-ctf",
        "--db",
        school,
        "--upn",
        upn,
        "--out",
        str(out),
    )
    assert (code, err) == (0, "")
    written = out / "8014000_CTF_8024100_001.xml"
    assert lines == [f"Wrote the SEN section of 1 pupil(s) to {written}."]
    assert b"<SENprovision>K</SENprovision>" in written.read_bytes()
    code, _, err = init_with_dfe(
        capsys, monkeypatch, raw_key, str(tmp_path / "t.db"), "X", "80/4000"
    )
    assert code != 0 and "is not a DfE number" in err and not (tmp_path / "t.db").exists()
