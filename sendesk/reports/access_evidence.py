"""The per-candidate evidence file: what a JCQ inspector asks to see, in one PDF.

Why this document: an inspector may ask, at any time, for the evidence behind any
candidate's access arrangements, and the centre must produce it there and then. The file
gathers, for one candidate:

1. each arrangement: who approves it (delegated, online or the awarding body), its status
   and every date on the way (proposed, approved, applied online, awarding body, expiry,
   ended), who approved it, the route of evidence, the subjects it covers, room needs and
   the SENCo's notes, and the normal-way-of-working evidence per subject (latest date, and
   whether it is current);
2. the specialist assessments (Form 8): assessor, qualification, dates of Part 1 and of
   the tests, every score, the JCQ criteria verdict in words for each arrangement resting
   on it, and any problem with the paperwork (a test before Year 9, Part 1 dated after the
   tests, no qualification on file);
3. the picture of need (Form 8 Part 1) in the SENCo's words;
4. the teachers' evidence by subject, every record with who made it, and the mock log:
   which arrangements the candidate actually used in each mock paper.

A4 portrait, DejaVu Sans (any script in a name renders), "confidential" and the page
number in the footer; written all or nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sendesk.db import Database
from sendesk.reports.atomic import atomic_output
from sendesk.reports.pdf_layout import (
    build_with_footer,
    bullet,
    para,
    pdf_doc,
    pdf_styles,
    pdf_table,
)
from sendesk.rules import jcq
from sendesk.rules.dates import dmy
from sendesk.rules.years import year_label
from sendesk.services.access.evidence_file import EvidenceFileData, evidence_file_data
from sendesk.services.access.records import ArrangementItem, AssessmentItem, NwwItem
from sendesk.services.actor import Actor

TITLE = "Access arrangements: evidence file"
NO_ARRANGEMENTS = "No access arrangements are recorded for this candidate."
NO_ASSESSMENT = "No specialist assessment (Form 8) is recorded for this candidate."
NO_EVIDENCE = "No evidence of normal way of working has been recorded yet."
NO_MOCKS = "No mock papers have been logged."


def evidence_file_for(
    db: Database, actor: Actor, pupil_id: int, path: Path | str, *, today: date | None = None
) -> Path:
    """The SENCo writes a candidate's evidence file to ``path`` (PDF); returns the path."""
    today = today or date.today()
    from sendesk.services.evidence.exports import record_export

    data = evidence_file_data(db, actor, pupil_id, today=today)
    written = write_evidence_file(data, Path(path), today=today)
    record_export(db, actor, "access arrangements evidence file", 1, written, pupil_id=pupil_id)
    return written


def write_evidence_file(data: EvidenceFileData, path: Path, *, today: date) -> Path:
    """Write ``data`` as the evidence file PDF (all or nothing)."""
    with atomic_output(path) as tmp:
        _pdf(data, tmp, today, data.evidence_days)
    return path


def _route(key: str) -> str:
    found = jcq.ARRANGEMENTS.get(key)
    return jcq.ROUTE_LABELS[found.route] if found else ""


def _dates(item: ArrangementItem, approver: str) -> list[tuple[str, str]]:
    """Each date the arrangement has reached, in order (the proposal always has one), and
    who approved it where the inspector asks."""
    by = f" by {approver}" if approver else ""
    recorded = f" (recorded by {approver})" if approver else ""
    steps = (
        ("Proposed", item.proposed_on, ""),
        ("Approved in the centre", item.approved_on, by),
        ("Applied for online", item.applied_on, ""),
        ("Approved by the awarding body", item.awarding_body_on, recorded),
        ("Approval expires", item.expires_on, ""),
        ("Ended" if item.status != jcq.EXPIRED else "Expired", item.ended_on, ""),
    )
    return [(label, dmy(day) + note) for label, day, note in steps if day]


def _verdict_lines(item: ArrangementItem, assessments: dict[int, AssessmentItem]) -> list[str]:
    if not item.needs_scores:
        return []
    linked = assessments.get(item.assessment_id or -1)
    if linked is None:
        return [
            "Criteria not checked: no specialist assessment (Form 8) is linked, and this "
            "arrangement rests on standardised scores."
        ]
    verdict = item.verdict
    if verdict is None:
        return []
    head = (
        f"Criteria {'met' if verdict.met else 'not met'} on the assessment of "
        f"{dmy(linked.assessed_on)} by {linked.assessor_name}."
    )
    return [head, *verdict.reasons]


def _pdf(data: EvidenceFileData, path: Path, today: date, days: int) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.platypus import KeepTogether, Spacer

    st = pdf_styles()
    doc = pdf_doc(path, A4, TITLE)
    width = doc.width
    oldest = today - timedelta(days=days)
    access = data.access
    assessments = {a.id: a for a in access.assessments}
    names = {a.id: a.name for a in access.arrangements}

    facts = [f"UPN {data.upn}", f"born {dmy(data.dob)}"]
    if data.year_group is not None:
        facts.append(f"Year {year_label(data.year_group)}")
    if data.reg_group:
        facts.append(f"tutor group {data.reg_group}")
    story: list[Any] = [
        para(TITLE, st["title"]),
        para(data.name, st["h3"]),
    ]
    if data.legal_name != data.name:
        story.append(para(f"Legal name (as entered for exams): {data.legal_name}", st["body"]))
    story += [
        para(" · ".join(facts), st["sub"]),
        para(f"{data.school} · produced {dmy(today)}", st["muted"]),
        Spacer(1, 4),
    ]

    # 1. The arrangements.
    story.append(para("Arrangements", st["h2"]))
    if not access.arrangements:
        story.append(para(NO_ARRANGEMENTS, st["body"]))
    for item in access.arrangements:
        block: list[Any] = [para(f"{item.name} — {item.status}", st["h3"])]
        lines = [
            ("Who approves", _route(item.arrangement) or item.route_label),
            ("Evidence", jcq.EVIDENCE_ROUTES.get(item.evidence_route, item.evidence_route)),
            ("Subjects", ", ".join(item.subjects) if item.subjects else "All subjects"),
            *_dates(item, data.approved_by.get(item.id, "")),
        ]
        found = jcq.ARRANGEMENTS.get(item.arrangement)
        if found and found.extra_time_percent:
            lines.append(("Extra time", f"{found.extra_time_percent}%"))
        room = "Separate room" if found and found.room else ""
        if item.room_note:
            room = f"{room}; {item.room_note}" if room else item.room_note
        if room:
            lines.append(("Room", room))
        if item.notes:
            lines.append(("Notes", item.notes))
        if not item.live and item.status not in jcq.FINAL_STATUSES:
            lines.append(("Note", "The approval has expired: renew it before the next exams."))
        block.append(_facts(lines, [0.26 * width, 0.74 * width], st))
        verdict = _verdict_lines(item, assessments)
        if verdict:
            block.append(Spacer(1, 3))
            block.append(para(verdict[0], st["strong"]))
            block += [bullet(line, st["bullet"]) for line in verdict[1:]]
        if item.evidence_by_subject:
            rows: list[Sequence[object]] = [("Subject", "Latest evidence of use", "Current?")]
            for subject, on in item.evidence_by_subject.items():
                if on is None:
                    state = "no evidence yet"
                else:
                    state = "yes" if on >= oldest else f"no: older than {days} days"
                rows.append((subject, dmy(on) if on else "—", state))
            block += [Spacer(1, 3), pdf_table(rows, [0.3 * width, 0.3 * width, 0.4 * width], st)]
        story += [KeepTogether(block[:3]), *block[3:], Spacer(1, 6)]

    # 2. Assessments and 3. the picture of need.
    story.append(para("Specialist assessments (Form 8)", st["h2"]))
    if not access.assessments:
        story.append(para(NO_ASSESSMENT, st["body"]))
    for a in access.assessments:
        story += _assessment(a, access.arrangements, st, width)
    story.append(para("Picture of need (Form 8 Part 1)", st["h2"]))
    pictures = [a for a in access.assessments if a.picture_of_need.strip()]
    if not pictures:
        story.append(para("No picture of need is recorded.", st["body"]))
    for a in pictures:
        when = f"dated {dmy(a.picture_of_need_on)}" if a.picture_of_need_on else "undated"
        story.append(para(f"For the assessment of {dmy(a.assessed_on)} ({when}):", st["strong"]))
        story += [para(text, st["body"]) for text in a.picture_of_need.splitlines() if text.strip()]
        story.append(Spacer(1, 4))

    # 4. The teachers' evidence by subject, and the mock log.
    story.append(para("Normal way of working: teachers' evidence by subject", st["h2"]))
    if not data.evidence:
        story.append(para(NO_EVIDENCE, st["body"]))
    by_subject: dict[str, list[NwwItem]] = defaultdict(list)
    for e in data.evidence:
        by_subject[e.subject].append(e)
    for subject in sorted(by_subject, key=str.casefold):
        rows = [("Date", "Arrangement", "Task", "Used", "Note", "Recorded by")]
        for e in by_subject[subject]:
            rows.append(
                (
                    dmy(e.recorded_on),
                    names.get(e.arrangement_id, ""),
                    f"{e.task_kind}: {e.task}" if e.task else e.task_kind,
                    _used(e),
                    e.note,
                    e.recorded_by,
                )
            )
        fractions = (0.125, 0.18, 0.21, 0.12, 0.235, 0.13)
        story += [
            para(subject, st["h3"]),
            pdf_table(rows, [f * width for f in fractions], st),
        ]
    story.append(para("Mock log: arrangements used in each mock paper", st["h2"]))
    story += _mock_log(data.evidence, names, st, width)

    build_with_footer(
        doc, story, f"{TITLE} · {data.name} · UPN {data.upn} · {dmy(today)} · confidential"
    )


def _facts(lines: Sequence[tuple[str, str]], widths: Sequence[float], st: dict[str, Any]) -> Any:
    """Label / value lines as a two-column table, labels in bold."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    table = Table(
        [[para(label, st["head"]), para(value, st["cell"])] for label, value in lines],
        colWidths=list(widths),
    )
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F1F4F8")),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.HexColor("#B8C2CC")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _used(e: NwwItem) -> str:
    if not e.used:
        return "not used"
    if e.extra_minutes_used:
        return f"used, {e.extra_minutes_used} extra min"
    return "used"


def _assessment(
    a: AssessmentItem, arrangements: Sequence[ArrangementItem], st: dict[str, Any], width: float
) -> list[Any]:
    from reportlab.platypus import KeepTogether, Spacer

    out: list[Any] = [
        para(f"Assessment of {dmy(a.assessed_on)} by {a.assessor_name}", st["h3"]),
        para(
            "Qualification: "
            + (a.assessor_qualification or "none on file")
            + " · Part 1 (picture of need) "
            + (f"dated {dmy(a.picture_of_need_on)}" if a.picture_of_need_on else "not dated"),
            st["body"],
        ),
    ]
    if a.scores:
        rows: list[Sequence[object]] = [("Area", "Test", "Standardised score")]
        rows += [(s.area[:1].upper() + s.area[1:], s.test, s.score) for s in a.scores]
        out.append(pdf_table(rows, [0.38 * width, 0.42 * width, 0.2 * width], st))
    else:
        out.append(para("No scores recorded.", st["body"]))
    if a.problems:
        out.append(para("Problems with this assessment:", st["strong"]))
        out += [bullet(p, st["warn"]) for p in a.problems]
    # "Linked to", not "supports": an assessment can be linked to an arrangement whose
    # criteria it does not meet, and the file must not say otherwise.
    uses = [
        x.name
        + (
            ""
            if x.verdict is None
            else " (criteria met)"
            if x.verdict.met
            else " (criteria not met)"
        )
        for x in arrangements
        if x.assessment_id == a.id
    ]
    if uses:
        out.append(para(f"Linked to: {', '.join(uses)}.", st["muted"]))
    if a.notes:
        out.append(para(f"Notes: {a.notes}", st["body"]))
    return [KeepTogether(out), Spacer(1, 6)]


def _mock_log(
    evidence: Sequence[NwwItem], names: dict[int, str], st: dict[str, Any], width: float
) -> list[Any]:
    papers: dict[tuple[date, str, str], list[NwwItem]] = defaultdict(list)
    for e in evidence:
        if e.task_kind == "mock":
            papers[(e.recorded_on, e.subject, e.task)].append(e)
    if not papers:
        return [para(NO_MOCKS, st["body"])]
    rows: list[Sequence[object]] = [("Date", "Subject", "Paper", "Arrangements")]
    for (on, subject, task), items in sorted(
        papers.items(), key=lambda kv: (kv[0][0], kv[0][1].casefold(), kv[0][2])
    ):
        used = "; ".join(f"{names.get(e.arrangement_id, '')}: {_used(e)}" for e in items)
        rows.append((dmy(on), subject, task, used))
    return [pdf_table(rows, [0.12 * width, 0.18 * width, 0.25 * width, 0.45 * width], st)]


__all__ = ["evidence_file_for", "write_evidence_file"]
