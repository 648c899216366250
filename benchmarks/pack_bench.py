"""Benchmark: the time and memory to build one EHC request pack (PDF and DOCX).

Run: ``python benchmarks/pack_bench.py [--runs 5]``. Makes a school in a temporary
SQLCipher file with one pupil who has, written through the services as a SENCo would:
6 assess–plan–do–review cycles (5 reviewed), 10 interventions each run as a group with
entry, two mid and exit measures, 300 logged sessions in all, three terms of attendance,
attainment now and 6 and 12 months ago, two agencies, and 5 evidence PDFs of 12 pages
each (text and a photo on every page, like a scanned report). It then times:

- the floor: pypdf alone merging those 5 PDFs into one file (in memory), and
- ``build_pack`` for the pupil with the 5 PDFs appended: gather from the database, read
  and check the documents, lay out the PDF, merge, stamp and write it, write the DOCX,

each the median of ``--runs``, and the peak memory of a build (Python allocations traced
by ``tracemalloc``, and the process's peak resident size). Targets (issue 6): under 3 s
on a 2-core machine, and within 4× the floor.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageDraw
from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from sendesk.db import Database, create_database
from sendesk.keystore import new_raw_key
from sendesk.operations.pack import build_pack
from sendesk.rules.support_plans import OutcomeDraft, PlanDraft, ProvisionDraft
from sendesk.rules.upn import make
from sendesk.services.actor import Actor
from sendesk.services.ehc.records import RequestData
from sendesk.services.ehc.requests import open_request
from sendesk.services.evidence.agencies import InvolvementData, add_involvement
from sendesk.services.evidence.evidence import add_document
from sendesk.services.graduated.enrolments import add_measurement, enrol, record_exit
from sendesk.services.graduated.intervention_records import GroupData, InterventionData
from sendesk.services.graduated.intervention_setup import add_group, add_intervention
from sendesk.services.graduated.progress_data import AttainmentData, add_attainment, add_attendance
from sendesk.services.graduated.sessions import log_term
from sendesk.services.graduated.support_plans import create_plan, get_plan, review_plan
from sendesk.services.register.pupils import PupilData, add_pupil
from sendesk.services.school.school import init_school

CYCLES = 6
INTERVENTIONS = 10
SESSIONS_EACH = 30  # 10 groups × 30 = 300 logged sessions
DOCUMENTS = 5
PAGES = 12
AREAS = (
    "Cognition and learning",
    "Communication and interaction",
    "Social, emotional and mental health",
    "Sensory and/or physical",
)
KINDS = ("age_months", "standardised", "rating")


def report_pdf(number: int) -> bytes:
    """A 12-page report: a heading, paragraphs of text and a photo on every page."""
    photo = Image.new("RGB", (900, 600), (236, 232, 220))
    draw = ImageDraw.Draw(photo)
    for k in range(0, 900, 30):
        draw.line((k, 0, 900 - k, 600), fill=(90 + k % 120, 80, 140), width=3)
    jpeg = io.BytesIO()
    photo.save(jpeg, "JPEG", quality=80)
    image = ImageReader(io.BytesIO(jpeg.getvalue()))
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    _, height = A4
    for page in range(1, PAGES + 1):
        canvas.setFont("Helvetica-Bold", 14)
        canvas.drawString(56, height - 60, f"Report {number}: assessment, page {page} of {PAGES}")
        canvas.setFont("Helvetica", 10)
        for line in range(28):
            canvas.drawString(
                56,
                height - 90 - 14 * line,
                f"Observation {line + 1}: the pupil worked with sustained attention for "
                f"{line + 5} minutes on a structured task with visual support.",
            )
        canvas.drawImage(image, 56, 80, width=300, height=200)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def build_pupil(db: Database, senco: Actor, today: date, documents: list[bytes]) -> int:
    start = today - timedelta(days=2 * 365)
    pupil_id = add_pupil(
        db,
        senco,
        PupilData(
            upn=make(801, 2000, 24, 1),
            legal_surname="Kowalczyk-Ōtsuka",
            legal_forename="Zofia",
            dob=date(today.year - 13, 3, 14),
            year_group=8,
            provision="K",
            needs=("SPLD", "SLCN"),
            sen_start_date=start,
        ),
        today=today,
    )
    # 10 interventions, each a group of its own, 30 sessions logged in each
    for n in range(INTERVENTIONS):
        kind = KINDS[n % 3]
        iid = add_intervention(
            db,
            senco,
            InterventionData(
                name=f"Programme {n + 1}",
                area=AREAS[n % 4],
                staff_role="Teaching assistant",
                measure={"age_months": "reading age", "standardised": "score"}.get(kind, "rating"),
                measure_kind=kind,
                group_size=4,
                sessions_per_week=2,
                minutes_per_session=30,
                cost_per_hour_pence=2200 + 100 * n,
            ),
        )
        first = start + timedelta(weeks=8 * n)
        while first.weekday() != 0:
            first += timedelta(days=1)
        last = first + timedelta(weeks=SESSIONS_EACH // 2, days=-1)
        gid = add_group(
            db, senco, GroupData(iid, f"Programme {n + 1} group", None, (0, 3), first, last)
        )
        entry = {"age_months": 96.0, "standardised": 82.0, "rating": 2.0}[kind]
        eid = enrol(db, senco, gid, pupil_id, first, last, entry)
        logged = log_term(db, senco, gid, first, last, 30)
        assert len(logged.logged) == SESSIONS_EACH, len(logged.logged)
        for k, step in ((5, 1), (10, 2)):
            add_measurement(db, senco, eid, first + timedelta(weeks=k), entry + step * 2)
        record_exit(db, senco, eid, entry + 6, last)
    # 6 cycles, 12 weeks apart, all but the last reviewed
    for c in range(CYCLES):
        began = start + timedelta(weeks=12 * c + 1)
        plan_id = create_plan(
            db,
            senco,
            pupil_id,
            PlanDraft(
                start_date=began,
                review_due=began + timedelta(weeks=11),
                assessment=f"Cycle {c + 1}: reading age 18 months below chronological age.",
                outcomes=tuple(
                    OutcomeDraft(
                        f"By the review, Zofia will read {20 + 5 * k} high-frequency words "
                        f"accurately in 3 of 4 checks (cycle {c + 1}).",
                        AREAS[k % 2],
                    )
                    for k in range(3)
                ),
                provisions=(
                    ProvisionDraft("staff", "Precision teaching, 1:1, 3 × 10 minutes a week", 30),
                    ProvisionDraft("strategy", "Pre-teaching of topic vocabulary every Monday"),
                    ProvisionDraft("staff", "Small-group phonics, 2 × 30 minutes a week", 60),
                ),
                pupil_views="I like the reading games; the timer helps.",
                parent_views="Reading at home is easier with the word cards.",
            ),
        )
        if c < CYCLES - 1:
            plan = get_plan(db, senco, plan_id)
            review_plan(
                db,
                senco,
                plan_id,
                plan.version,
                began + timedelta(weeks=11),
                {o.id: ("achieved", "partly", "not")[k % 3] for k, o in enumerate(plan.outcomes)},
                review_summary="Two of three outcomes met or partly met.",
                next_steps="Carry the unmet outcome forward; add a second weekly session.",
                today=today,
            )
    for season, (month, day) in (("autumn", (9, 2)), ("spring", (1, 6)), ("summer", (4, 22))):
        begun = date(today.year - 1 if month >= 9 else today.year, month, day)
        if begun > today:
            begun = begun.replace(year=begun.year - 1)
        year = begun.year if month >= 9 else begun.year - 1
        add_attendance(
            db, senco, pupil_id, f"{year}-{(year + 1) % 100:02d} {season}", begun, 140, 128
        )
    for months in (0, 6, 12):
        taken = today - timedelta(days=30 * months)
        for subject in ("English", "Maths"):
            add_attainment(
                db,
                senco,
                pupil_id,
                AttainmentData(subject, "Teacher assessment", "WTS", "EXS", taken),
                today=today,
            )
    ep = add_involvement(
        db,
        senco,
        pupil_id,
        InvolvementData(
            "Educational psychologist",
            "Dr P",
            today - timedelta(days=200),
            today - timedelta(days=150),
            "Precision teaching.",
        ),
        today=today,
    )
    for n, content in enumerate(documents, start=1):
        add_document(
            db,
            senco,
            pupil_id,
            content,
            f"Report {n}",
            today - timedelta(days=300 - 40 * n),
            ep if n == 1 else None,
            filename=f"report-{n}.pdf",
            today=today,
        )
    open_request(
        db,
        senco,
        pupil_id,
        RequestData(
            requested_by="school",
            la_name="Benchshire",
            sent_on=None,
            consent_on=today - timedelta(days=5),
            why_now="Progress has stalled after six cycles.",
            pupil_views="I want to read like my friends.",
            parent_views="We want a plan that lasts.",
            health_none_known=True,
        ),
        today=today,
    )
    return pupil_id


def split(start: float, marks: list[float]) -> list[float]:
    """Seconds spent in each stage of a build, from the progress callback's times.

    build_pack reports, in order: 1 step to gather, 1 per document read, 1 per PDF section
    (as reportlab places its heading), 1 per appended document and 1 for the PDF written,
    1 per DOCX section and 1 for it written, and 1 for the rename (the pack's 11 sections,
    the 5 documents). The PDF's time is split at its last section's heading: before it,
    pypdf reading the documents' pages (the index needs their count) and reportlab laying
    out the written part; after it, the rest of that section, reportlab saving, and pypdf
    appending, stamping and writing.
    """
    sections = 11
    ends = [1, 1 + DOCUMENTS, 1 + DOCUMENTS + sections, 1 + DOCUMENTS + sections + DOCUMENTS + 1]
    ends.append(ends[-1] + sections + 1)
    ends.append(len(marks))
    assert ends[-1] == ends[-2] + 1, (len(marks), ends)
    times = [start, *marks]
    out, previous = [], 0
    for end in ends:
        out.append(times[end] - times[previous])
        previous = end
    return out


def floor(documents: list[bytes]) -> float:
    start = time.perf_counter()
    writer = PdfWriter()
    for content in documents:
        writer.append(PdfReader(io.BytesIO(content)))
    out = io.BytesIO()
    writer.write(out)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    today = date.today()
    documents = [report_pdf(n) for n in range(1, DOCUMENTS + 1)]
    with tempfile.TemporaryDirectory() as folder:
        db = create_database(str(Path(folder) / "bench.sendesk"), new_raw_key())
        senco = init_school(
            db, "Bench School", la_name="Benchshire", senco_username="senco", senco_name="S"
        )
        made = time.perf_counter()
        pupil_id = build_pupil(db, senco, today, documents)
        made = time.perf_counter() - made
        out = Path(folder) / "out"
        out.mkdir()
        floors, builds, floor_cpu, build_cpu, parts = [], [], [], [], []
        result = None
        for _ in range(args.runs):
            cpu = time.process_time()
            floors.append(floor(documents))
            floor_cpu.append(time.process_time() - cpu)
            marks: list[float] = []
            cpu = time.process_time()
            start = time.perf_counter()
            result = build_pack(
                db,
                senco,
                pupil_id,
                out,
                today=today,
                progress=lambda done, total, marks=marks: marks.append(time.perf_counter()),
            )
            builds.append(time.perf_counter() - start)
            build_cpu.append(time.process_time() - cpu)
            parts.append(split(start, marks))
        tracemalloc.start()
        build_pack(db, senco, pupil_id, out, today=today)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        assert result is not None
        pdf_size, docx_size = result.pdf.stat().st_size, result.docx.stat().st_size
        db.dispose()
    floor_s, build_s = statistics.median(floors), statistics.median(builds)
    floor_c, build_c = statistics.median(floor_cpu), statistics.median(build_cpu)
    size = sum(len(d) for d in documents)
    print(
        f"SENDesk request-pack benchmark — Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs, median of {args.runs}"
    )
    print(
        f"pupil: {CYCLES} APDR cycles, {INTERVENTIONS} interventions, "
        f"{INTERVENTIONS * SESSIONS_EACH} logged sessions, {DOCUMENTS} PDFs × {PAGES} pages "
        f"({size / 1024:,.0f} KiB) — written in {made:.1f} s"
    )
    print(
        f"pack: {result.pages} pages, PDF {pdf_size / 1024:,.0f} KiB, "
        f"DOCX {docx_size / 1024:,.0f} KiB"
    )
    print(f"floor: pypdf alone merging the {DOCUMENTS} PDFs: {floor_s * 1000:,.0f} ms")
    ratio = build_s / floor_s
    print(
        f"build_pack: {build_s * 1000:,.0f} ms (best {min(builds) * 1000:,.0f} ms) = "
        f"{ratio:.1f}× the floor — targets < 3 s {'✓' if build_s < 3 else '✗ MISSED'}, "
        f"≤ 4× floor {'✓' if ratio <= 4 else '✗ MISSED'}"
    )
    print(
        f"CPU time (steadier on a busy machine): floor {floor_c * 1000:,.0f} ms, build "
        f"{build_c * 1000:,.0f} ms = {build_c / floor_c:.1f}× the floor"
    )
    gathered, read, laid_out, finished, docx, renamed = (
        statistics.median(p[k] for p in parts) * 1000 for k in range(6)
    )
    pdf = statistics.median((p[2] + p[3]) for p in parts) * 1000
    print(
        f"build by step (median ms): gather {gathered:,.0f}, read the documents {read:,.0f}, "
        f"PDF {pdf:,.0f} (to its last section's heading {laid_out:,.0f}: pypdf reading the "
        f"documents' pages, reportlab laying out; then {finished:,.0f}: reportlab saving, pypdf "
        f"appending, stamping and writing), DOCX {docx:,.0f}, rename and audit {renamed:,.0f}"
    )
    print(
        f"peak memory: {traced_peak / 2**20:,.1f} MiB allocated by Python during a build; "
        f"{rss_kib / 1024:,.0f} MiB peak resident size of the process"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
