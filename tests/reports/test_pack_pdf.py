"""The request pack's PDF, read back: what a panel member reads, where they find it.

A demo pupil with a long history and four evidence documents (a rotated one-page report,
a three-page report, a photo, a Word letter) is packed once; the tests read the file with
pypdf (text, pages, bookmarks, fonts) and check it with ``qpdf --check``.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from sendesk.demo import HEAD_TEACHER
from sendesk.operations.pack import build_pack
from sendesk.reports.pack_charts import MeasureChart, chart_plan, expected_line, measure_chart
from sendesk.rules import progress as progress_rules
from sendesk.rules.readiness import SECTION_TITLES, money
from sendesk.services.ehc.records import RequestData
from sendesk.services.ehc.requests import open_request
from sendesk.services.graduated.intervention_records import MeasurePoint, Progress

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))
from pack_story import (
    ASPIRATIONS,
    CONCERN_SEEN,
    EP_MARKER,
    ETHNICITY,
    HEALTH,
    HOME_LANGUAGE,
    IN_CLASS,
    PARENT_ADDRESS,
    PUPIL_VIEWS,
    SALT_MARKER,
    SIGNED_BY,
    SIGNED_ROLE,
    TODAY,
    WHY_NOW,
    Built,
    documents_for,
    marked_pdf,
    pack_in_la_order,
    story_pack_in,
)

from tests.factories import add_test_pupil

GREEK_CYRILLIC = ("Ζωή", "Кузнецова")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    yield from story_pack_in(tmp_path_factory.mktemp("pack-pdf"))


def flat(text: str) -> str:
    return " ".join(text.split())


def texts(pdf: Path) -> list[str]:
    return [flat(page.extract_text()) for page in PdfReader(pdf).pages]


def body_pages(built: Built) -> int:
    return built.pages - 5  # appended: 1 (SALT) + 3 (EP) + 1 (photo); the letter is listed


def contents_page(reader: PdfReader) -> int:
    """The index of the contents page: after the cover, which runs to a second page when
    the readiness check has much to say."""
    for index, page in enumerate(reader.pages):
        if "Contents" in [line.strip() for line in page.extract_text().splitlines()]:
            return index
    raise AssertionError("no contents page")


# --- the written part -------------------------------------------------------------------------


def test_the_written_sections_read_back(built: Built) -> None:
    pages = texts(built.pdf)
    body = " ".join(pages[: body_pages(built)])
    data = built.data
    assert data.pupil.name in pages[0]
    assert f"Page 1 of {built.pages}" in pages[0]
    for key in data.sections:
        assert SECTION_TITLES[key] in body, key
    for text in (WHY_NOW, PUPIL_VIEWS, HEALTH, "How it began: causes for concern", CONCERN_SEEN):
        assert flat(text) in body
    latest = data.plans[-1]
    assert latest.outcomes
    for outcome in latest.outcomes:
        assert flat(outcome.text) in body
    costs = data.costs
    total = money(Decimal(costs.total_pence) / 100)
    assert f"Total delivered {sum(ln.sessions_attended for ln in costs.lines)}" in body
    assert total in body
    for line in costs.lines:
        assert line.intervention in body
    for item in data.missing:
        assert flat(f"{item.label} — {item.reason}") in pages[0] + pages[1]


def test_costs_say_both_figures_and_which_is_set_against_the_threshold(built: Built) -> None:
    body = " ".join(texts(built.pdf)[: body_pages(built)])
    costs = built.data.costs
    assert "What was delivered in the last 12 months" in body
    assert "The provision in place now, costed for a full year" in body
    assert flat(IN_CLASS) in body  # staff time is costed, not only interventions
    assert f"Total a year {costs.planned_minutes_per_week}" in body
    assert money(costs.planned_total) in body
    assert (
        "The full-year cost of the provision in place now is set against the notional SEN "
        f"threshold of {money(costs.threshold)} (because the threshold is a budget per pupil "
        "per year"
    ) in body
    assert "school's default staff rate" in body
    # The cover states the cost against £6,000, never "Missing: provision costs".
    cover = " ".join(texts(built.pdf)[:2])
    assert flat(f"Provision costs — {money(costs.planned_total)} a year against") in cover
    assert "✗ Provision costs" not in cover


def test_what_an_la_form_asks_for_is_in_the_pack(built: Built) -> None:
    pages = texts(built.pdf)
    body = " ".join(pages[: body_pages(built)])
    for text in (
        f"Home language {HOME_LANGUAGE}",
        f"Ethnicity {ETHNICITY}",
        f"Address {PARENT_ADDRESS}",
        "What is important to me, my hopes for the future",
        ASPIRATIONS,
        f"Signed off by {SIGNED_BY} ({SIGNED_ROLE})",
        "The school's named contact",
        "senco@riverside-academy.example",
        f"Head teacher {HEAD_TEACHER}",  # the demo school's, from its School details
        "Also held, from longer ago: French (Teacher assessment) Emerging",
    ):
        assert flat(text) in body, text
    assert re.search(r"Science Teacher assessment .*Working towards", body)
    assert "School contact" in pages[0] and "01632 960 481" in pages[0]


def test_a_request_being_prepared_has_no_statutory_dates(built: Built, tmp_path: Path) -> None:
    """Only a request with a date sent is "sent"; until then no clock runs (reg 5(1))."""
    pupil_id = add_test_pupil(built.db, built.senco, 904, provision="K", needs=("SPLD",))
    open_request(
        built.db,
        built.senco,
        pupil_id,
        RequestData(requested_by="school", la_name="Hertfordshire", sent_on=None),
        today=TODAY,
    )
    result = build_pack(built.db, built.senco, pupil_id, tmp_path, evidence_ids=[], today=TODAY)
    pages = texts(result.pdf)
    whole = " ".join(pages)
    assert "Request Being prepared: not yet sent to the local authority." in pages[0]
    assert "Status Being prepared" in whole
    assert "Sent to" not in whole and "due (reg" not in whole
    # The story's request was sent: it says so, with the statutory dates.
    story = " ".join(texts(built.pdf)[: body_pages(built)])
    request = built.data.request
    assert request is not None and request.sent_on is not None
    assert f"Sent to {request.la_name} on {request.sent_on:%d/%m/%Y}" in story
    assert "Decision whether to assess due (reg 5(1), 6 weeks)" in story


def test_measures_are_named_by_their_unit(built: Built) -> None:
    body = " ".join(texts(built.pdf)[: body_pages(built)])
    assert "Verdict: Rating" not in body and "Verdict: So far: Rating" not in body
    for r in built.data.interventions:
        verdict = r.progress.verdict
        if verdict is not None and r.progress.measure_kind != "age_months":
            unit = r.progress.measure[:1].upper() + r.progress.measure[1:]
            assert flat(verdict.text).startswith(flat(unit)), verdict.text
            assert flat(verdict.text) in body


def test_every_body_page_uses_only_the_embedded_font(built: Built) -> None:
    reader = PdfReader(built.pdf)
    for number, page in enumerate(reader.pages[: body_pages(built)], start=1):
        fonts = {f.get_object()["/BaseFont"] for f in page["/Resources"]["/Font"].values()}
        assert fonts <= {"/AAAAAA+DejaVuSans", "/AAAAAA+DejaVuSans-Bold"}, number


def test_the_contents_page_numbers_are_real(built: Built) -> None:
    pages = texts(built.pdf)
    reader = PdfReader(built.pdf)
    at = contents_page(reader)
    assert at in (1, 2)  # the cover is one page, two at most
    contents = reader.pages[at].extract_text()
    found: list[int] = []
    for key in built.data.sections:
        title = SECTION_TITLES[key]
        match = re.search(re.escape(title) + r"\s*\n?\s*(\d+)\b", contents)
        assert match, title
        number = int(match.group(1))
        assert title in pages[number - 1], f"{title} is not on page {number}"
        assert all(title not in p for p in pages[at + 1 : number - 1]), f"{title} comes earlier"
        found.append(number)
    assert found == sorted(found)
    for n, plan in enumerate(built.data.plans, start=1):
        match = re.search(rf"Cycle {n}: {plan.start_date:%d/%m/%Y}[^\n]*\n?\s*(\d+)\b", contents)
        assert match, n
        assert f"Cycle {n}: {plan.start_date:%d/%m/%Y}" in pages[int(match.group(1)) - 1]
    first_ep = body_pages(built) + 2
    assert re.search(rf"E2\s+Educational psychology report\s*\n?\s*{first_ep}\b", contents)


def test_the_page_count_includes_the_appended_documents(built: Built) -> None:
    reader = PdfReader(built.pdf)
    assert len(reader.pages) == built.pages
    assert body_pages(built) >= 8
    last = flat(reader.pages[body_pages(built) - 1].extract_text())
    assert f"Page {body_pages(built)} of {built.pages}" in last
    assert reader.metadata is not None and reader.metadata.title == "EHC needs assessment request"


def test_the_index_points_at_the_right_pages(built: Built) -> None:
    pages = texts(built.pdf)
    n, total = body_pages(built), built.pages
    index = next(p for p in pages[:n] if "Index of evidence" in p and "SHA-256" in p)
    salt, ep, photo, letter = built.data.evidence
    assert re.search(rf"E1 Speech and language assessment .*?15/11/2021 {n + 1}\b", index)
    assert re.search(rf"E2 Educational psychology report .*? {n + 2}–{n + 4}\b", index)
    assert re.search(rf"E3 Photo of a writing sample .*? {n + 5}\b", index)
    assert re.search(r"E4 Letter from home .*?Not appended", index)
    assert "A Word document is not appended: send it with the pack." in index
    for choice in (salt, ep, photo, letter):
        assert choice.sha256[:32] in index and choice.sha256[32:] in index
    # the pages the index names hold the documents, each marked with where it is
    assert f"{SALT_MARKER} page 1 of 1" in pages[n]
    assert (
        f"E1 · Speech and language assessment · page 1 of 1 · pack page {n + 1} of {total}"
        in (pages[n])
    )
    for k in range(1, 4):
        page = pages[n + k]
        assert f"{EP_MARKER} page {k} of 3" in page
        assert f"E2 · Educational psychology report · page {k} of 3 · pack page {n + 1 + k}" in page
    assert "E3 Photo of a writing sample" in pages[n + 4]
    assert f"pack page {n + 5} of {total}" in pages[n + 4]
    # and nothing of them leaks into the written part
    assert all(EP_MARKER not in p and SALT_MARKER not in p for p in pages[:n])


def test_bookmarks_lead_to_every_section_and_document(built: Built) -> None:
    reader = PdfReader(built.pdf)
    top = [o for o in reader.outline if not isinstance(o, list)]
    titles = [o.title for o in top]
    assert titles[: len(built.data.sections)] == [SECTION_TITLES[k] for k in built.data.sections]
    assert titles[-3:] == [
        "E1  Speech and language assessment",
        "E2  Educational psychology report",
        "E3  Photo of a writing sample",
    ]
    n = body_pages(built)
    assert [reader.get_destination_page_number(o) for o in top[-3:]] == [n, n + 1, n + 4]


def test_qpdf_finds_nothing_wrong(built: Built) -> None:
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        if os.environ.get("CI"):
            pytest.fail("qpdf is not installed (CI installs it)", pytrace=False)
        pytest.skip("qpdf is not installed: apt-get install qpdf")
    result = subprocess.run([qpdf, "--check", str(built.pdf)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No syntax or stream encoding errors found" in result.stdout


# --- names in any script, odd documents, the LA's order ---------------------------------------


def test_greek_and_cyrillic_names_render(built: Built, tmp_path: Path) -> None:
    forename, surname = GREEK_CYRILLIC
    pupil_id = add_test_pupil(
        built.db,
        built.senco,
        901,
        provision="K",
        needs=("SLD",),
        forename=forename,
        surname=surname,
    )
    result = build_pack(built.db, built.senco, pupil_id, tmp_path, la_name="Ελλάδα", today=TODAY)
    pages = texts(result.pdf)
    assert f"{forename} {surname}" in pages[0]
    assert f"{forename} {surname}" in pages[-1]  # the footer of every page
    assert "Ελλάδα" in pages[0]
    reader = PdfReader(result.pdf)
    fonts = {f.get_object()["/BaseFont"] for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert fonts == {"/AAAAAA+DejaVuSans", "/AAAAAA+DejaVuSans-Bold"}


def test_unreadable_and_protected_pdfs_are_listed_not_appended(
    built: Built, tmp_path: Path
) -> None:
    protected = PdfWriter(clone_from=PdfReader(io.BytesIO(marked_pdf("LOCKED", 2))))
    protected.encrypt(user_password="secret", algorithm="RC4-128")
    locked = io.BytesIO()
    protected.write(locked)
    pupil_id = add_test_pupil(built.db, built.senco, 902, provision="K", needs=("MLD",))
    ids = documents_for(
        built,
        pupil_id,
        (locked.getvalue(), "Locked report", "locked.pdf"),
        (b"%PDF-1.7\nthis is not really a PDF at all", "Damaged scan", "scan.pdf"),
        (marked_pdf("GOOD-ONE", 2), "Readable report", "good.pdf"),
    )
    result = build_pack(built.db, built.senco, pupil_id, tmp_path, evidence_ids=ids, today=TODAY)
    reader = PdfReader(result.pdf)
    pages = [flat(p.extract_text()) for p in reader.pages]
    assert len(pages) == result.pages
    n = result.pages - 2  # only the readable report is appended
    index = next(p for p in pages[:n] if "Index of evidence" in p and "SHA-256" in p)
    assert re.search(r"E1 Locked report .*?It is protected by a password", index)
    assert re.search(r"E2 Damaged scan .*?It could not be read as a PDF", index)
    assert re.search(rf"E3 Readable report .*? {n + 1}–{n + 2}\b", index)
    assert "GOOD-ONE page 1 of 2" in pages[n] and "GOOD-ONE page 2 of 2" in pages[n + 1]
    assert all("LOCKED" not in p for p in pages)


def test_an_earlier_pack_appended_keeps_its_lines_and_gets_new_ones(
    built: Built, tmp_path: Path
) -> None:
    """A pack appended to another pack: its pages already carry lines drawn under the names
    the new lines would take, so the new ones take other names and both read true."""
    title = "Попередній пакет"  # a title in Cyrillic: glyphs the written part may lack
    pupil_id = add_test_pupil(built.db, built.senco, 903, provision="K", needs=("SLD",))
    ids = documents_for(
        built, pupil_id, (built.pdf.read_bytes(), title, "earlier-pack.pdf"), dated=date(2025, 2, 1)
    )
    result = build_pack(built.db, built.senco, pupil_id, tmp_path, evidence_ids=ids, today=TODAY)
    reader = PdfReader(result.pdf)
    pages = [flat(p.extract_text()) for p in reader.pages]
    first = result.pages - built.pages  # the new pack's written part
    assert f"E1 · {title} · page 1 of {built.pages} · pack page {first + 1}" in pages[first]
    ep = body_pages(built) + 1  # the earlier pack's page (from 0) with E2's first page
    again = pages[first + ep]
    assert f"{EP_MARKER} page 1 of 3" in again
    assert f"E2 · Educational psychology report · page 1 of 3 · pack page {ep + 1}" in again
    assert f"E1 · {title} · page {ep + 1} of {built.pages} · pack page {first + ep + 1}" in again
    fonts = reader.pages[first + ep]["/Resources"]["/Font"]
    ours = {name for name in fonts if name.startswith("/SENDesk")}
    renamed = {name for name in ours if f"{name}_1" in ours}
    assert renamed  # the earlier pack's names kept for its line, numbered ones for the new
    for name in renamed:
        assert fonts.raw_get(name) != fonts.raw_get(f"{name}_1")
    qpdf = shutil.which("qpdf")
    if qpdf is not None:
        checked = subprocess.run([qpdf, "--check", str(result.pdf)], capture_output=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_sections_follow_the_las_order(built: Built, tmp_path: Path) -> None:
    order = (
        "views",
        "about",
        "health_social_care",
        "needs",
        "professional_advice",
        "graduated_response",
        "interventions",
        "provision_costs",
        "attendance",
        "attainment",
        "evidence_index",
    )
    result = pack_in_la_order(built, tmp_path, "Ordershire", order)
    reader = PdfReader(result.pdf)
    titles = [o.title for o in reader.outline if not isinstance(o, list)]
    assert titles == [SECTION_TITLES[k] for k in order]
    contents = flat(reader.pages[contents_page(reader)].extract_text())
    positions = [contents.index(SECTION_TITLES[k]) for k in order]
    assert positions == sorted(positions)


# --- the charts -------------------------------------------------------------------------------


def progress_of(kind: str, points: list[MeasurePoint]) -> Progress:
    return Progress(
        enrolment_id=1,
        pupil_id=1,
        pupil_name="A Pupil",
        group_name="Group",
        intervention_name="Reading",
        measure="reading age",
        measure_kind=kind,
        start_date=points[0].on,
        planned_end=None,
        end_date=None,
        points=tuple(points),
        verdict=None,
        final=False,
    )


def test_an_age_chart_labels_entry_and_exit_and_shows_age_expected_progress() -> None:
    points = [
        MeasurePoint(date(2024, 9, 2), 90.0, "entry"),
        MeasurePoint(date(2024, 12, 2), 95.0),
        MeasurePoint(date(2025, 3, 3), 99.0, "exit"),
    ]
    progress = progress_of(progress_rules.AGE_MONTHS, points)
    line = expected_line(progress)
    assert line is not None
    (start, at_entry), (end, reached) = line
    assert (start, at_entry, end) == (date(2024, 9, 2), 90.0, date(2025, 3, 3))
    assert reached == pytest.approx(90 + progress_rules.months_elapsed(start, end))
    plan = chart_plan(progress, 400, 150)
    assert plan is not None
    labels = plan.texts
    assert "entry 7:06" in labels and "exit 8:03" in labels and "7:11" in labels
    dates = [label.text for label in plan.labels if label.role == "x"]
    assert dates and all(re.fullmatch(r"[A-Z][a-z]{2} 20\d\d", s) for s in dates)
    assert dates[0] == "Sep 2024" and dates[-1] == "Mar 2025"
    values = [label for label in plan.labels if label.role == "point"]
    assert [v.anchor for v in values] == ["start", "middle", "end"]  # kept inside the chart
    assert plan.expected is not None
    assert plan.expected[:2] == pytest.approx(plan.points[0])  # it starts at the entry
    # 9 months gained in 6: the exit sits above where the dashed line ends (gap closing)
    assert plan.points[-1][0] == pytest.approx(plan.expected[2])
    assert plan.points[-1][1] > plan.expected[3]
    assert isinstance(measure_chart(progress, 400, 150), MeasureChart)


def test_charts_need_two_measures_and_only_ages_get_the_expected_line() -> None:
    one = progress_of("standardised", [MeasurePoint(date(2024, 9, 2), 80.0, "entry")])
    assert measure_chart(one, 400, 150) is None and chart_plan(one, 400, 150) is None
    scores = progress_of(
        "standardised",
        [MeasurePoint(date(2024, 9, 2), 80.0, "entry"), MeasurePoint(date(2025, 1, 6), 86.0)],
    )
    assert expected_line(scores) is None
    plan = chart_plan(scores, 400, 150)
    assert plan is not None and plan.expected is None
    assert "entry 80" in plan.texts and "86" in plan.texts
    ticks = [float(label.text) for label in plan.labels if label.role == "y"]
    assert ticks == sorted(ticks) and all(tick == int(tick) for tick in ticks)  # whole scores


# --- paragraphs without markup ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["Reads 40 words", "  spaces round  ", "a > b, 'quoted' \"twice\"", "Ζωή Кузнецова", "x" * 300],
)
def test_plain_text_makes_the_fragments_the_markup_parser_makes(text: str) -> None:
    """Plain text skips reportlab's markup parser: what it is given instead must be what
    the parser would have made, so it is laid out and drawn the same."""
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus.paraparser import ParaParser

    from sendesk.reports.pack_pdf_style import plain_frags
    from sendesk.reports.pdf_layout import register_fonts

    style = ParagraphStyle("t", fontName=register_fonts()[1], fontSize=9, textColor="#5A5A5A")
    made = plain_frags(text, style)
    _, parsed, _ = ParaParser().parse(text, style)
    assert made is not None
    assert [f.__dict__ for f in made] == [f.__dict__ for f in parsed]
    assert plain_frags("<b>bold</b>", style) is None
    assert plain_frags("Tom &amp; Jerry", style) is None


def test_a_damaged_pdf_says_so_in_the_pack_not_on_the_terminal(
    built: Built, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """pypdf's complaints ("incorrect startxref pointer", "EOF marker not found") used to
    reach the terminal during a build; now the pack's index names the document instead."""
    good = marked_pdf("SHAKY", 1)
    shaky = re.sub(
        rb"startxref\s+(\d+)", lambda m: b"startxref\n" + str(int(m.group(1)) + 7).encode(), good
    )
    cut = good[: good.rindex(b"%%EOF")]  # no end marker: unreadable
    pupil_id = add_test_pupil(built.db, built.senco, 931, provision="K", needs=("MLD",))
    ids = documents_for(
        built,
        pupil_id,
        (shaky, "Shaky scan", "shaky.pdf"),
        (cut, "Cut-off scan", "cut.pdf"),
    )
    capfd.readouterr()
    result = build_pack(built.db, built.senco, pupil_id, tmp_path, evidence_ids=ids, today=TODAY)
    out, err = capfd.readouterr()
    assert "startxref" not in err + out and "EOF" not in err + out
    pages = [flat(p.extract_text()) for p in PdfReader(result.pdf).pages]
    index = next(p for p in pages if "Index of evidence" in p and "SHA-256" in p)
    assert re.search(r"E1 Shaky scan .*?The PDF has faults \(incorrect startxref", index)
    assert re.search(r"E2 Cut-off scan .*?It could not be read as a PDF", index)
    assert "SHAKY page 1 of 1" in pages[-1]
