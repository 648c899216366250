"""``sendesk pack`` as a user meets it: two files and what is missing, or one sentence."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from tests.cli_run import run, sendesk_help


@pytest.fixture
def demo(tmp_path: Path, capsys: pytest.CaptureFixture[str], env_key: str) -> tuple[Path, str, str]:
    """A demo school file and a pupil on the register: (database, UPN, legal surname)."""
    db = tmp_path / "demo.db"
    assert run(capsys, "demo", "--db", str(db), "--pupils", "60")[0] == 0
    code, out, _ = run(capsys, "register", "--db", str(db))
    assert code == 0
    upn, surname = out.splitlines()[1].split(",")[:2]
    return db, upn, surname


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_pack_writes_the_pdf_and_docx_and_says_what_is_missing(
    demo: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, upn, surname = demo
    out = tmp_path / "packs"
    out.mkdir()
    code, stdout, err = run(capsys, "pack", "--db", str(db), "--upn", upn, "--out", str(out))
    assert code == 0, err
    pdfs, docxs = sorted(out.glob("*.pdf")), sorted(out.glob("*.docx"))
    assert len(pdfs) == 1 and len(docxs) == 1
    assert files_in(out) == sorted([pdfs[0].name, docxs[0].name])
    assert upn in pdfs[0].name and surname not in pdfs[0].name
    pages = len(PdfReader(pdfs[0]).pages)
    lines = stdout.splitlines()
    assert lines[0] == f"Wrote the request pack to {pdfs[0]} ({pages} pages)"
    assert lines[1] == f"and its written sections to {docxs[0]}."
    cover = " ".join(PdfReader(pdfs[0]).pages[0].extract_text().split())
    assert surname in cover
    missing = [line[4:] for line in lines[3:] if line.startswith("  - ")]
    if missing:
        assert re.fullmatch(r"Missing from the pack \(\d+; listed on its cover\):", lines[2])
        assert len(missing) == int(re.findall(r"\d+", lines[2])[0])
        for item in missing:
            label, reason = item.split(": ", 1)
            assert " ".join(f"{label} — {reason}".split()) in cover
    else:
        assert len(lines) == 2
        assert "Nothing a panel looks for is missing" in cover
    assert Document(str(docxs[0])).paragraphs[0].text.startswith("Request for an education")


def test_pack_with_no_evidence_and_another_la(
    demo: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, upn, _ = demo
    code, _, err = run(
        capsys,
        "pack",
        "--db",
        str(db),
        "--upn",
        upn.lower(),
        "--out",
        str(tmp_path),
        "--evidence",
        "none",
        "--la",
        "Kent",
    )
    assert code == 0, err
    pdf = next(tmp_path.glob("*.pdf"))
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "No evidence documents are appended." in " ".join(text.split())
    assert "Local authority Kent" in " ".join(text.split())


@pytest.mark.parametrize(
    ("extra", "status", "message"),
    [
        (("--upn", "A123"), 1, "sendesk: There is no pupil with UPN A123 in SENDesk.\n"),
        (
            ("--evidence", "2;3"),
            2,
            "sendesk: --evidence takes none, all, or document numbers separated by commas "
            "(not '2;3').\n",
        ),
        (
            ("--evidence", "999999"),
            2,
            "sendesk: Document 999999 is not one of this pupil's evidence documents.\n",
        ),
        (("--user", "nobody"), 1, "sendesk: The username or password is wrong.\n"),
    ],
)
def test_bad_input_is_one_sentence_and_writes_nothing(
    demo: tuple[Path, str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: tuple[str, ...],
    status: int,
    message: str,
) -> None:
    db, upn, _ = demo
    out = tmp_path / "packs"
    out.mkdir()
    argv = ["pack", "--db", str(db), "--upn", upn, "--out", str(out)]
    options = dict(zip(extra[::2], extra[1::2], strict=True))
    for option, value in options.items():
        if option in argv:
            argv[argv.index(option) + 1] = value
        else:
            argv += [option, value]
    code, stdout, err = run(capsys, *argv)
    assert (code, err, stdout) == (status, message, "")
    assert files_in(out) == []


def test_the_out_folder_must_exist(
    demo: tuple[Path, str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db, upn, _ = demo
    missing = tmp_path / "nowhere"
    code, stdout, err = run(capsys, "pack", "--db", str(db), "--upn", upn, "--out", str(missing))
    assert code != 0 and stdout == ""
    assert err == (
        f"sendesk: The folder {missing} does not exist: --out names the folder to write to.\n"
    )
    assert not missing.exists()


def test_pack_has_help() -> None:
    result = sendesk_help("pack")
    assert result.returncode == 0
    for option in ("--db", "--upn", "--out", "--la", "--evidence"):
        assert option in result.stdout
