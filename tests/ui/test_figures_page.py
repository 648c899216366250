"""The SENCo's figures page: the school's figures as charts and tables, read on the worker,
and the whole-school reports saved from it."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel

from sendesk.db import Database
from sendesk.reports.sen_information import HEADINGS
from sendesk.services.actor import Actor
from sendesk.services.school.figures import school_figures
from sendesk.services.school.statistics import shown
from sendesk.ui.ops import worker
from sendesk.ui.school.figures_page import EFFECTIVENESS, GOVERNORS, SEN_INFORMATION, FiguresPage
from tests.figures_school import TODAY, build
from tests.ui.export_audit import export_details
from tests.ui.screens import context
from tests.ui.views import all_cells, headers

YEAR = (date(2025, 9, 1), date(2026, 8, 31))  # 2025–26: the figures school's busy year


@pytest.fixture
def school(db: Database, senco: Actor) -> Database:
    build(db, senco)
    return db


@pytest.fixture
def page(qtbot, school: Database, senco: Actor) -> FiguresPage:  # type: ignore[no-untyped-def]
    page = FiguresPage(context(school, senco), today=TODAY)
    qtbot.addWidget(page)
    page.resize(1000, 800)
    page.show()
    page.loading.wait()
    page.set_period(*YEAR)
    page.loading.wait()
    return page


def _save_as(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: (str(path), ""))
    )


def test_the_page_shows_the_figures_as_charts_and_tables(page, school, senco) -> None:  # type: ignore[no-untyped-def]
    assert page.status.text() == (
        "01/09/2025 to 31/08/2026. No pupil is named; “fewer than 5” is a count from 1 to 4; "
        "“not shown” is a count hidden so that a small one cannot be worked out from it."
    )
    titles = [s.title for s in page.sections]
    assert titles == [
        "The SEN register on 31/08/2026",
        "By broad area of need",
        "By type of need",
        "By year group",
        "Changes over the last three years",
        "Attendance",
        "Progress",
        "Exam access arrangements in place on 31/08/2026",
        "EHC needs assessments",
    ]
    # Counted by hand (tests/figures_school.py): 20 on roll, 2 without SEN (hidden), 12 on
    # SEN support, 6 with a plan (Year 8's whole roll: public anyway). Shown, 12 and 18 on
    # the register would give the 2 away (20 - 18, or 20 - 12 - 6): both are hidden.
    register = page.tables["The SEN register on 31/08/2026"]
    assert headers(register) == ["Status", "Pupils"]
    assert all_cells(register) == [
        ["No SEN (N)", "fewer than 5"],
        ["SEN support (K)", "not shown"],
        ["EHC plan (E)", "6"],
    ]
    notes = [label.text() for label in page.body.findChildren(QLabel)]
    assert "20 pupils on roll; not shown on the SEN register (SEN support and EHC plans)." in notes
    # Communication and interaction 7 is SLCN 1 and ASD 6: neither need is shown.
    assert all_cells(page.tables["By broad area of need"])[:3] == [
        ["Cognition and learning", "6"],
        ["Communication and interaction", "7"],
        ["Social, emotional and mental health", "not shown"],
    ]
    needs = dict(map(tuple, all_cells(page.tables["By type of need"])))  # type: ignore[arg-type]
    assert [needs[k] for k in needs if "(SLCN)" in k or "(ASD)" in k] == [
        "fewer than 5",
        "not shown",
    ]
    # Year 7: 9 on roll; its N (2) and K are hidden together, K's column with them.
    years = all_cells(page.tables["By year group"])
    assert ["Year 7", "fewer than 5", "not shown", "0"] in years
    # The chart says in words what it draws; a suppressed count is written, not drawn.
    chart = page.charts["The SEN register on 31/08/2026"]
    assert chart.accessibleDescription() == (
        "No SEN (N): Pupils fewer than 5; SEN support (K): Pupils not shown; EHC plan (E): Pupils 6"
    )
    assert [b.values for b in chart.bars] == [(None,), (None,), (6.0,)]
    # Every other figure is the service's own, through the one wording of a count.
    figures = school_figures(school, senco, start=YEAR[0], end=YEAR[1], today=TODAY)
    access = dict(map(tuple, all_cells(page.tables[titles[7]])))  # type: ignore[arg-type]
    assert access == {name: shown(n) for name, n in figures.access.by_arrangement.items() if n != 0}
    assert access["Supervised rest breaks"] == "fewer than 5"  # three pupils
    ehc = dict(map(tuple, all_cells(page.tables["EHC needs assessments"])))  # type: ignore[arg-type]
    assert ehc["Final plans issued"] == shown(figures.ehc.plans_issued)
    progress = all_cells(page.tables["Progress"])
    assert progress[2][0] == "All pupils with SEND" and progress[2][1].endswith("%")


def test_the_period_filter_reads_again(page) -> None:  # type: ignore[no-untyped-def]
    page.set_period(date(2023, 9, 1), date(2024, 8, 31))
    page.loading.wait()
    assert page.status.text().startswith("01/09/2023 to 31/08/2024.")
    assert "The SEN register on 31/08/2024" in page.tables
    assert page.period_combo.count() == 6  # five academic years and the last three together


def test_saving_the_sen_information_report(page, monkeypatch, tmp_path, school) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "sen-information"  # no suffix typed: the page adds .docx
    _save_as(monkeypatch, out)
    page.report_buttons[SEN_INFORMATION].click()
    page.saving.wait()
    written = tmp_path / "sen-information.docx"
    assert page.status.text() == f"The SEN information report was saved to {written}."
    doc = Document(str(written))
    found = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert found[: len(HEADINGS)] == list(HEADINGS)
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "On 31 August 2026 there were 20 pupils on roll." in text
    register = next(t for t in doc.tables if t.rows[0].cells[0].text == "On our SEN register")
    assert [[c.text for c in row.cells] for row in register.rows][1:] == [
        ["SEN support", "not shown"],
        ["With an education, health and care (EHC) plan", "6"],
        ["On the SEN register in all", "not shown"],
    ]
    assert export_details(school)[-1] == {
        "what": "SEN information report (no pupils named)",
        "pupils": 0,
        "file": "sen-information.docx",
    }


def test_saving_the_governors_and_effectiveness_reports(  # type: ignore[no-untyped-def]
    page, monkeypatch, tmp_path, school
) -> None:
    before = len(export_details(school))
    _save_as(monkeypatch, tmp_path / "governors.pdf")
    page.report_buttons[GOVERNORS].click()
    page.saving.wait()
    text = " ".join(p.extract_text() for p in PdfReader(tmp_path / "governors.pdf").pages)
    assert "SEND report for governors" in text
    assert "1 September 2025 to 31 August 2026" in text
    _save_as(monkeypatch, tmp_path / "effect.xlsx")
    page.report_buttons[EFFECTIVENESS].click()
    page.saving.wait()
    assert (tmp_path / "effect.xlsx").stat().st_size > 0
    # One audit event per report saved: the writers audit, the page adds none.
    assert [(d["what"], d["file"]) for d in export_details(school)[before:]] == [
        ("governors' SEND report (no pupils named)", "governors.pdf"),
        ("intervention effectiveness report", "effect.xlsx"),
    ]


def test_a_report_the_senco_cancels_writes_nothing(page, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    before = sorted(tmp_path.rglob("*"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *_a, **_k: ("", "")))
    assert page.save_report(SEN_INFORMATION) is None
    assert page.saving is None
    assert sorted(tmp_path.rglob("*")) == before


def test_reachable_by_keyboard(page) -> None:  # type: ignore[no-untyped-def]
    buttons = {b.text() for b in page.report_buttons.values()}
    assert buttons == {
        "&Governors' report…",
        "S&EN information report…",
        "&Intervention effectiveness…",
    }
    label = next(w for w in page.findChildren(QLabel) if w.text() == "&Period:")
    assert label.buddy() is page.period_combo
    for chart in page.charts.values():
        assert chart.focusPolicy() == Qt.FocusPolicy.TabFocus
        assert chart.accessibleDescription()


def test_figures_and_reports_are_read_on_the_worker(
    qtbot, monkeypatch, school, senco, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from sendesk.reports import sen_information
    from sendesk.services.school import figures
    from sendesk.ui.school import figure_sections

    # the page imports the figures' services on the worker, when it first reads
    seen: dict[str, list[int]] = {
        "school_figures": [],
        "figure_sections": [],
        "sen_information": [],
    }

    def noted(module: Any, name: str) -> None:
        real = getattr(module, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            seen[name].append(threading.get_ident())
            return real(*args, **kwargs)

        monkeypatch.setattr(module, name, call)

    noted(figures, "school_figures")
    noted(figure_sections, "figure_sections")
    noted(sen_information, "sen_information")
    page = FiguresPage(context(school, senco), today=TODAY)
    qtbot.addWidget(page)
    page.loading.wait()
    _save_as(monkeypatch, tmp_path / "report.docx")
    page.save_report(SEN_INFORMATION).wait()
    assert page.sections
    assert seen == {
        "school_figures": [worker().ident],
        "figure_sections": [worker().ident],
        "sen_information": [worker().ident],
    }
