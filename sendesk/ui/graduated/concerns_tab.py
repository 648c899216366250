"""The "Concerns" tab of the pupil window: causes for concern and what was decided.

Why it is built this way: a concern is where the graduated response begins. A teacher
or learning support raises one from the pupil's record (what they see, the area of need,
what they tried and for how long, work samples); the SENCo, arriving from "what's due",
reads it beside its history, asks for more evidence or decides (monitor, assess, add to
the register). The list says where each concern stands; the pane beside it gives the
whole story, step by step, with who took each step and when. Buttons follow the
permission table (:mod:`sendesk.rules.permissions`); the service checks again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton, QWidget

from sendesk.rules import concerns as rules
from sendesk.rules.census import NEED_CODES
from sendesk.rules.concerns import ConcernDraft
from sendesk.rules.dates import dmy
from sendesk.rules.permissions import Action
from sendesk.services.graduated.concerns import (
    ConcernItem,
    WorkSample,
    add_evidence,
    ask_for_evidence,
    decide,
    list_concerns,
    raise_concern,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import APP, action_button
from sendesk.ui.kit.form_dialog import NUMBER, TEXT, Field, FormDialog
from sendesk.ui.kit.record_tab import RecordList, RecordTab
from sendesk.ui.kit.table_model import ColumnSpec
from sendesk.ui.ops import Changes

COLUMNS: tuple[ColumnSpec[ConcernItem], ...] = (
    ColumnSpec("Raised", lambda c: dmy(c.raised_on), sort_key=lambda c: c.raised_on),
    ColumnSpec("By", lambda c: c.raised_by or "—"),
    ColumnSpec("Area of need", lambda c: c.area),
    ColumnSpec("Where it stands", lambda c: c.status_words),
)
SAMPLE_FILTER = "Documents and images (*.pdf *.docx *.png *.jpg *.jpeg)"


def story(concern: ConcernItem) -> str:
    """The concern in full, as the pane beside the list shows it."""
    lines = [
        f"What was seen: {concern.seen}",
        f"Already tried: {concern.tried_words}",
    ]
    if concern.document_ids:
        count = len(concern.document_ids)
        lines.append(
            f"{count} work sample{'s' if count != 1 else ''} (on the Agencies & evidence tab)"
        )
    if concern.support_plan_start is not None:
        lines.append(f"First support plan started {dmy(concern.support_plan_start)}")
    lines.append("")
    for step in concern.steps:
        who = f" by {step.by}" if step.by else ""
        lines.append(f"{dmy(step.taken_on)} — {step.words}{who}")
        if step.text:
            lines.append(f"    {step.text}")
    return "\n".join(lines)


class _WithSamples(FormDialog):
    """A form with an "Add work sample…" button: the files chosen go with the save."""

    def add_sample_button(self) -> None:
        self.samples: list[Path] = []
        self.samples_label = QLabel("No work samples attached.")
        self.samples_label.setWordWrap(True)
        self.samples_label.setAccessibleName("Work samples attached")
        self.sample_button: QPushButton = action_button(
            "Add &work sample…", "Attach a work sample", self.choose_samples
        )
        self.form.addRow(self.sample_button, self.samples_label)

    def choose_samples(self) -> None:
        names, _chosen = QFileDialog.getOpenFileNames(
            self, f"Work samples — {APP}", str(Path.home()), SAMPLE_FILTER
        )
        self.set_samples([*self.samples, *(Path(n) for n in names)])

    def set_samples(self, paths: list[Path]) -> None:
        self.samples = paths
        self.samples_label.setText(
            "; ".join(p.name for p in paths) if paths else "No work samples attached."
        )

    def chosen_samples(self) -> tuple[WorkSample, ...]:
        """Read on the GUI thread before the save: the worker gets plain values."""
        return tuple(WorkSample(p, p.stem.replace("_", " ")) for p in self.samples)


class RaiseConcernDialog(_WithSamples):
    """What a member of staff sees and has tried, for the SENCo to read."""

    def __init__(
        self, ctx: AppContext, pupil_id: int, parent: QWidget | None = None, *, today: date
    ) -> None:
        fields = (
            Field("area", "&Area of need:", choices=[(a, a) for a in rules.AREAS]),
            Field(
                "seen",
                "What do you &see?",
                kind=TEXT,
                placeholder="What the pupil finds hard, and when",
            ),
            Field(
                "tried",
                "What have you &tried?",
                kind=TEXT,
                placeholder="Quality-first teaching strategies already used in class",
            ),
            Field("tried_weeks", "For how many wee&ks?", kind=NUMBER, maximum=rules.WEEKS_MAX),
            Field("raised_on", "&Date:", until_today=True),
        )
        self._pupil_id = pupil_id
        super().__init__(
            ctx,
            "Raise a cause for concern",
            ConcernDraft,
            fields,
            lambda draft: None,  # accept() saves, with the work samples
            parent,
            today=today,
            intro="Tell the SENCo what you have noticed. Say what you have already tried in "
            "class and for how long: it is the first thing they will ask.",
            changes=Changes.PUPIL | Changes.DUE,
        )
        self.add_sample_button()

    def accept(self) -> None:
        draft, samples = self.data(), self.chosen_samples()
        ctx, pupil, today = self.ctx, self._pupil_id, self.today
        self.save_with(lambda: raise_concern(ctx.db, ctx.actor, pupil, draft, samples, today=today))


@dataclass(frozen=True)
class EvidenceForm:
    text: str
    on: date


class AddEvidenceDialog(_WithSamples):
    """More evidence from the staff who work with the pupil: words and/or work samples."""

    def __init__(
        self, ctx: AppContext, concern: ConcernItem, parent: QWidget | None = None, *, today: date
    ) -> None:
        asked = [s for s in concern.steps if s.kind == rules.EVIDENCE_ASKED]
        self.concern = concern
        super().__init__(
            ctx,
            "Add evidence to a concern",
            EvidenceForm,
            (
                Field("text", "What have you &noticed since?", kind=TEXT),
                Field("on", "&Date:", until_today=True),
            ),
            lambda form: None,
            parent,
            today=today,
            intro=f"The SENCo asked: {asked[-1].text}" if asked else "",
            changes=Changes.PUPIL | Changes.DUE,
        )
        self.add_sample_button()

    def accept(self) -> None:
        form, samples, c, ctx = self.data(), self.chosen_samples(), self.concern, self.ctx
        self.save_with(
            lambda: add_evidence(ctx.db, ctx.actor, c.id, c.version, form.text, samples, on=form.on)
        )


@dataclass(frozen=True)
class AskForm:
    what: str
    on: date


class AskEvidenceDialog(FormDialog):
    """The SENCo asks the staff who raised the concern for more evidence."""

    def __init__(
        self, ctx: AppContext, concern: ConcernItem, parent: QWidget | None = None, *, today: date
    ) -> None:
        super().__init__(
            ctx,
            "Ask for more evidence",
            AskForm,
            (
                Field("what", "What would you &like to see?", kind=TEXT),
                Field("on", "&Date:", until_today=True),
            ),
            lambda form: ask_for_evidence(
                ctx.db, ctx.actor, concern.id, concern.version, form.what, on=form.on
            ),
            parent,
            today=today,
            intro='The request goes on the "what\'s due" list of the staff who work with '
            "the pupil.",
            changes=Changes.PUPIL | Changes.DUE,
        )


@dataclass(frozen=True)
class DecisionForm:
    decision: str
    on: date
    review_on: date | None
    need_code: str
    note: str


class DecideDialog(FormDialog):
    """The SENCo's decision: monitor (a date to look again), assess, or add to the register."""

    def __init__(
        self, ctx: AppContext, concern: ConcernItem, parent: QWidget | None = None, *, today: date
    ) -> None:
        needs = [("", "")] + [(f"{c} — {n.description}", c) for c, n in NEED_CODES.items()]
        super().__init__(
            ctx,
            "Decide what happens",
            DecisionForm,
            (
                Field(
                    "decision",
                    "&Decision:",
                    choices=[(words, key) for key, words in rules.DECISIONS.items()],
                ),
                Field("on", "D&ate:", until_today=True),
                Field(
                    "review_on",
                    "&Look again on:",
                    not_yet="&No date",
                    tooltip="For a decision to monitor",
                ),
                Field(
                    "need_code",
                    "&Primary need:",
                    choices=needs,
                    tooltip="For a decision to add the pupil to the register",
                ),
                Field("note", "N&ote:", kind=TEXT),
            ),
            lambda form: decide(
                ctx.db,
                ctx.actor,
                concern.id,
                concern.version,
                form.decision,
                on=form.on,
                review_on=form.review_on,
                need_code=form.need_code or None,
                note=form.note,
            ),
            parent,
            today=today,
            intro=f"{concern.area}, raised {dmy(concern.raised_on)}"
            + (f" by {concern.raised_by}" if concern.raised_by else "")
            + f". {concern.tried_words}.",
            changes=Changes.PUPIL | Changes.DUE | Changes.REGISTER,
        )


class ConcernsTab(RecordTab):
    """A pupil's causes for concern. Raises SendeskError when they may not be read."""

    def build(self) -> None:
        ctx = self.ctx
        concerns: RecordList[ConcernItem] = RecordList(
            "Causes for concern",
            COLUMNS,
            "Causes for concern",
            intro="What staff have noticed, what they tried, and what the SENCo decided.",
            empty="No causes for concern raised."
            + (" Raise one with Raise a concern." if ctx.may(Action.RAISE_CONCERN) else ""),
            details=story,
        )
        self.concern_list = concerns
        raising, deciding = Action.RAISE_CONCERN, Action.DECIDE_CONCERNS
        self.raise_button, self.evidence_button, self.ask_button, self.decide_button = (
            concerns.offer_row(
                ctx,
                (raising, "&Raise a concern…", "Raise a cause for concern", self.raise_concern),
                (raising, "Add &evidence…", "Add evidence", self.add_evidence),
                (deciding, "As&k for more evidence…", "Ask for more evidence", self.ask),
                (deciding, "&Decide…", "Decide what happens", self.decide),
            )
        )
        concerns.selection_changed.connect(self._enable)
        self.layout_.addWidget(concerns, 1)

    @property
    def concerns(self) -> list[ConcernItem]:
        return self.concern_list.rows

    def reload(self) -> None:
        self.concern_list.set_rows(list_concerns(self.ctx.db, self.ctx.actor, self.pupil_id))

    def _enable(self) -> None:
        chosen = self.concern_list.selected()
        decidable = chosen is not None and chosen.status in rules.DECIDABLE
        for button in (self.ask_button, self.decide_button):
            if button is not None:
                button.setEnabled(decidable)

    def raise_concern(self) -> RaiseConcernDialog:
        dialog = RaiseConcernDialog(self.ctx, self.pupil_id, self, today=self.today)
        self.open_form(dialog, self.concern_list)
        return dialog

    def add_evidence(self) -> None:
        if (chosen := self.concern_list.selected()) is not None:
            self.open_form(AddEvidenceDialog(self.ctx, chosen, self, today=self.today))

    def ask(self) -> None:
        if (chosen := self.concern_list.selected()) is not None:
            self.open_form(AskEvidenceDialog(self.ctx, chosen, self, today=self.today))

    def decide(self) -> None:
        if (chosen := self.concern_list.selected()) is not None:
            self.open_form(DecideDialog(self.ctx, chosen, self, today=self.today))
