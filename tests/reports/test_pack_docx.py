"""The request pack's DOCX, reopened with python-docx: real headings, real tables, any name.

LAs paste from it into their own forms, so what matters is structure a word processor
understands — built-in heading styles in the LA's section order, tables whose cells hold
the figures — and a font named for every script slot.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn
from docx.table import Table
from pypdf import PdfReader

from sendesk.operations.pack import build_pack
from sendesk.reports.pack_docx import FONT
from sendesk.rules.readiness import SECTION_TITLES, money

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
from pack_story import (
    CONCERN_SEEN,
    IN_CLASS,
    IN_CLASS_MINUTES,
    PARENT_VIEWS,
    TODAY,
    WHY_NOW,
    Built,
    pack_in_la_order,
    story_pack_in,
)

from tests.factories import add_test_pupil


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    yield from story_pack_in(tmp_path_factory.mktemp("pack-docx"))


def headings(document: DocxDocument, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name == style]


def rows_of(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def table_headed(document: DocxDocument, *header: str) -> list[list[str]]:
    for table in document.tables:
        rows = rows_of(table)
        if rows and tuple(rows[0]) == header:
            return rows
    raise AssertionError(f"no table headed {header}")


def all_text(document: DocxDocument) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_sections_are_word_headings_in_the_las_order(built: Built) -> None:
    document = Document(str(built.docx))
    titles = [SECTION_TITLES[k] for k in built.data.sections]
    assert headings(document, "Heading 1") == ["Readiness check", *titles]
    assert headings(document, "Title") == [
        "Request for an education, health and care needs assessment"
    ]
    level2 = headings(document, "Heading 2")
    for n, plan in enumerate(built.data.plans, start=1):
        assert any(h.startswith(f"Cycle {n}: {plan.start_date:%d/%m/%Y}") for h in level2), n
    for record in built.data.interventions:
        assert record.title in level2
    assert "Educational psychologist: Dr Ana Ruiz" in level2


def test_the_written_sections_carry_the_pupils_story(built: Built) -> None:
    document = Document(str(built.docx))
    text = all_text(document)
    data = built.data
    assert data.pupil.name in text and data.pupil.upn in text
    for expected in (WHY_NOW, PARENT_VIEWS):
        assert expected in text
    for outcome in data.plans[-1].outcomes:
        assert outcome.text in text
    for item in data.missing:
        assert f"{item.label} — {item.reason}" in text


def test_the_apdr_history_is_a_table(built: Built) -> None:
    document = Document(str(built.docx))
    rows = table_headed(
        document, "Cycle", "Started", "Reviewed", "Outcomes", "Achieved", "Partly", "Not yet"
    )
    plans = built.data.plans
    assert len(rows) == len(plans) + 1
    for row, plan in zip(rows[1:], plans, strict=True):
        assert row[:2] == [str(plan.cycle), f"{plan.start_date:%d/%m/%Y}"]
        assert row[3] == str(len(plan.outcomes))
        if plan.reviewed_on is None:
            assert row[2] == f"due {plan.review_due:%d/%m/%Y}"
        else:
            assert row[2] == f"{plan.reviewed_on:%d/%m/%Y}"


def test_where_it_began_is_a_table_of_concerns(built: Built) -> None:
    document = Document(str(built.docx))
    rows = table_headed(
        document, "Raised", "By", "Area of need", "What was seen", "Already tried", "Decision"
    )
    (concern,) = built.data.concerns
    assert rows[1][:5] == [
        f"{concern.raised_on:%d/%m/%Y}",
        concern.raised_by,
        "Cognition and learning",
        CONCERN_SEEN,
        "Word mats, pair reading (for 6 weeks)",
    ]
    assert rows[1][5].startswith("Decided: assess; first support plan started ")


def test_costs_are_a_table_with_a_total(built: Built) -> None:
    document = Document(str(built.docx))
    rows = table_headed(
        document, "Intervention", "Area", "Staff", "Rate an hour", "Sessions", "Hours", "Cost"
    )
    costs = built.data.costs
    assert [r[0] for r in rows[1:-1]] == [line.intervention for line in costs.lines]
    assert rows[-1][0] == "Total delivered"
    assert rows[-1][-1] == money(Decimal(costs.total_pence) / 100)
    total_table = next(t for t in document.tables if rows_of(t) == rows)
    last = total_table.rows[-1].cells[0].paragraphs[0].runs[0]
    assert last.bold is True
    planned = table_headed(
        document, "Provision", "Kind", "Minutes a week", "Rate an hour", "Share", "A year"
    )
    in_class = next(r for r in planned if r[0] == IN_CLASS)
    assert in_class[1:3] == ["Staff time", str(IN_CLASS_MINUTES)]
    assert in_class[3].splitlines()[1] == "school's default staff rate"
    assert planned[-1][0] == "Total a year"
    assert planned[-1][-1] == money(costs.planned_total)
    text = all_text(document)
    assert f"notional SEN threshold of {money(costs.threshold)} (because" in text


def test_the_evidence_index_gives_the_pdf_pages_and_fingerprints(built: Built) -> None:
    document = Document(str(built.docx))
    rows = table_headed(document, "", "Document", "Dated", "Pages in the PDF", "SHA-256")
    n = built.pages - 5
    expected_pages = [str(n + 1), f"{n + 2}–{n + 4}", str(n + 5), "Not appended"]
    assert [r[0] for r in rows[1:]] == ["E1", "E2", "E3", "E4"]
    assert [r[3] for r in rows[1:]] == expected_pages
    assert [r[4] for r in rows[1:]] == [c.sha256 for c in built.data.evidence]
    assert rows[2][1].splitlines() == [
        "Educational psychology report",
        "PDF, Educational psychologist",
    ]
    table = next(t for t in document.tables if rows_of(t) == rows)
    header = table.rows[0]._tr
    assert header.trPr is not None and header.trPr.find(qn("w:tblHeader")) is not None


def test_every_style_names_one_font_for_every_script(built: Built) -> None:
    document = Document(str(built.docx))
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "List Bullet"):
        fonts = document.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts is not None, name
        for slot in ("ascii", "hAnsi", "cs", "eastAsia"):
            assert fonts.get(qn(f"w:{slot}")) == FONT, (name, slot)
        for theme in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            assert fonts.get(qn(f"w:{theme}")) is None, (name, theme)


def test_every_table_is_in_the_grid_style_the_document_defines(built: Built) -> None:
    """The document carries the table styles its tables use (and what those are based on),
    so Word draws their grid lines; python-docx falls back to "Normal Table" for a table
    whose style is missing."""
    document = Document(str(built.docx))
    assert len(document.tables) > 10
    for table in document.tables:
        assert table.style is not None and table.style.name == "Table Grid"
    grid = document.styles["Table Grid"]
    assert grid.base_style is not None and grid.base_style.name == "Normal Table"


def pdf_body_text(built: Built) -> str:
    """The PDF's written part as one run of words, without the footer on every page (so a
    paragraph that runs over a page break reads whole). The footer is drawn first on each
    page: two lines, then "Page N of" and the page count."""
    words: list[str] = []
    for page in PdfReader(built.pdf).pages[: built.pages - 5]:  # not the appended documents
        lines = page.extract_text().splitlines()
        ends = [i for i, line in enumerate(lines[:4]) if re.fullmatch(r"Page \d+ of", line)]
        assert ends, lines[:4]
        words += " ".join(lines[ends[0] + 2 :]).split()
    return " ".join(words)


def test_every_paragraph_of_the_docx_is_in_the_pdf(built: Built) -> None:
    """The two documents are built from the same rows and sentences: what a caseworker
    pastes from the DOCX is what the panel reads in the PDF, emphasis included."""
    document = Document(str(built.docx))
    pdf = pdf_body_text(built)
    only_docx = "The documents are appended to the PDF of this pack"  # says where they are
    checked = 0
    for paragraph in document.paragraphs:
        text = " ".join(paragraph.text.split())
        if not text or paragraph.style.name == "Title" or text.startswith(only_docx):
            continue
        assert text in pdf, text
        checked += 1
    assert checked > 100
    threshold = next(p for p in document.paragraphs if "is set against the notional" in p.text)
    bold = [r.text for r in threshold.runs if r.bold]
    assert bold == [money(built.data.costs.threshold), money(built.data.costs.compared)]
    texts = [p.text for p in document.paragraphs]
    assert "Each column shows the measure nearest that point in time" in " ".join(texts)
    assert any(t.startswith("Parents: ") for t in texts)  # a cycle's views, as the PDF has them


def test_greek_and_cyrillic_names_read_back(built: Built, tmp_path: Path) -> None:
    pupil_id = add_test_pupil(
        built.db,
        built.senco,
        903,
        provision="K",
        needs=("SPLD",),
        forename="Αλέξανδρος",
        surname="Смирнов-Łukasz",
        preferred_forename="Άλεξ",
    )
    result = build_pack(built.db, built.senco, pupil_id, tmp_path, today=TODAY)
    document = Document(str(result.docx))
    text = all_text(document)
    assert "Άλεξ Смирнов-Łukasz" in text  # the name staff use
    assert "Αλέξανδρος Смирнов-Łukasz" in text  # the legal name
    assert "Legal name: Αλέξανδρος Смирнов-Łukasz" in [p.text for p in document.paragraphs]


def test_an_las_section_order_is_the_documents_order(built: Built, tmp_path: Path) -> None:
    order = tuple(reversed(tuple(SECTION_TITLES)))
    result = pack_in_la_order(built, tmp_path, "Backwardshire", order)
    document = Document(str(result.docx))
    assert headings(document, "Heading 1") == [
        "Readiness check",
        *(SECTION_TITLES[k] for k in order),
    ]
    assert "No evidence documents are appended." in all_text(document)
