"""The parents' summary of a support plan, in plain words, as PDF and DOCX.

Four parts, in the order a family asks: what are you working on with my child, what are
you doing about it, what can I do, and when do we talk next. No costs, no minutes tables,
no staff names beyond the SENCo's contact; the child is named as the family names them.
The facts are :func:`sendesk.services.graduated.parent_summary.parent_summary_data`'s;
the words are built once and set as both files by :mod:`sendesk.reports.plain_document`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sendesk.db import Database
from sendesk.reports.plain_document import (
    Block,
    Bullets,
    Heading,
    Para,
    PlainDocument,
    write_docx,
    write_pdf,
)
from sendesk.rules.meetings import long_date
from sendesk.services.actor import Actor
from sendesk.services.graduated.parent_summary import ParentSummaryData, parent_summary_data

HEADINGS = (
    "What we are working on",
    "What we are doing",
    "How you can help",
    "When we will meet next",
)


def summary_document(data: ParentSummaryData) -> PlainDocument:
    first = data.first_name
    blocks: list[Block] = [
        Para(
            f"This is a short summary of {first}'s support plan: the extra help school is "
            f"giving {first} since {long_date(data.plan_start, weekday=False)}. Please keep it, "
            "and talk to us about anything in it."
        ),
        Heading(HEADINGS[0]),
    ]
    if data.working_on:
        blocks.append(Para(f"By the next review, we are working towards these for {first}:"))
        blocks.append(Bullets(tuple(t.rstrip(".") for t in data.working_on)))
    else:
        blocks.append(Para("We will agree the targets with you at our next meeting."))
    blocks.append(Heading(HEADINGS[1]))
    if data.doing:
        blocks.append(
            Bullets(
                tuple(f"{d.text} ({d.how_often})" if d.how_often else d.text for d in data.doing)
            )
        )
    else:
        blocks.append(Para(f"Teachers adapt their lessons for {first} every day."))
    blocks.append(Heading(HEADINGS[2]))
    if data.how_you_can_help:
        lines = [ln.strip().lstrip("-•*").strip() for ln in data.how_you_can_help.splitlines()]
        lines = [ln for ln in lines if ln]
        blocks.append(Bullets(tuple(lines)) if len(lines) > 1 else Para(lines[0]))
    else:
        blocks.append(
            Para(
                f"Talk with {first} about their day, and tell us about anything that worries "
                "you or that is going well at home."
            )
        )
    blocks += [Heading(HEADINGS[3]), Para(data.next_meeting_words)]
    contact = " or ".join(w for w in (data.contact_phone, data.contact_email) if w)
    who = data.contact_name or "the SENCo"
    blocks.append(Heading("Questions?"))
    blocks.append(
        Para(f"Please contact {who}, SENCo" + (f", on {contact}." if contact else ", at school."))
    )
    school = f"{data.school_name} · " if data.school_name else ""
    return PlainDocument(
        title=f"{first}'s support plan: a summary for parents and carers",
        blocks=tuple(blocks),
        kicker=data.school_name,
        footer=f"{school}Made on {data.produced_on:%d/%m/%Y}. Private: about {data.pupil_name}.",
    )


def write_parent_summary(
    data: ParentSummaryData, pdf: Path | str, docx: Path | str
) -> tuple[Path, Path]:
    doc = summary_document(data)
    return write_pdf(doc, pdf, subject="Support plan summary"), write_docx(doc, docx)


def parent_summary_for(
    db: Database, actor: Actor, pupil_id: int, pdf: Path | str, *, today: date | None = None
) -> tuple[Path, Path]:
    """Write the summary to ``pdf`` and the same name ``.docx``; audited as an export."""
    from sendesk.services.evidence.exports import record_export

    pdf_path = Path(pdf).expanduser()
    if pdf_path.suffix.lower() != ".pdf":
        pdf_path = pdf_path.with_name(pdf_path.name + ".pdf")
    data = parent_summary_data(db, actor, pupil_id, today=today)
    written = write_parent_summary(data, pdf_path, pdf_path.with_suffix(".docx"))
    try:
        record_export(
            db, actor, "support plan summary for parents", 1, written[0], pupil_id=pupil_id
        )
    except BaseException:
        written[1].unlink(missing_ok=True)
        raise
    return written


__all__ = ["HEADINGS", "parent_summary_for", "summary_document", "write_parent_summary"]
