"""Changing a pupil's SEN status and ranked needs, with the date and the reason.

Why a dialog of its own: a register change is dated history, not a field edit. Asking for
the date and the reason every time (and refusing to go on without a reason) is what keeps
the register history worth reading at an annual review or a tribunal. The census rules
are checked as the user chooses, with the same sentences as the import and the service
(:func:`sendesk.rules.census.census_problems`), so OK is only offered for a change the
service will accept; the service checks again anyway.

The register never says E without an EHC plan: choosing E for a pupil with no live plan
recorded opens an "EHC plan" section asking for the plan's issue date and local authority,
and the plan and the change are recorded together in one transaction (the rest of the
plan is filled in on the EHC tab).

Two SENCos at once (issue 12): the dialog reads the pupil's register when it opens and
passes the :class:`~sendesk.services.register.register.RegisterVersion` it showed with the change.
If someone else changed the register in the meantime the service writes nothing and says
who and when ("changed by NAME at TIME — reload"); the dialog shows that sentence, then
reloads what is recorded now, keeping the choices typed so far.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from sendesk.errors import ConflictError, SendeskError
from sendesk.rules.census import NEED_CODES, PROVISION_LABELS, Provision, census_problems
from sendesk.services.ehc.records import PlanData
from sendesk.services.register.register import (
    RegisterSnapshot,
    RegisterVersion,
    change_status,
    live_plan_issued_on,
    read_register,
)
from sendesk.ui.context import AppContext
from sendesk.ui.kit.buttons import dialog_buttons, warn
from sendesk.ui.kit.dates import from_qdate, to_qdate
from sendesk.ui.kit.forms import form_row, note

RANK_NAMES = ("Primary need", "Secondary need", "Third need")


def _sentence(text: str) -> str:
    """A census rule's clause as a sentence of its own (capital letter, full stop)."""
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


class StatusDialog(QDialog):
    """The SENCo chooses a new provision (N/K/E), ranked needs, the date and the reason.

    On OK it calls :func:`sendesk.services.register.register.change_status`; a refusal from the
    service is shown and the dialog stays open, so nothing typed is lost.
    """

    def __init__(
        self,
        ctx: AppContext,
        pupil_id: int,
        provision: str,
        needs: Sequence[str],
        since: date | None,
        parent: QWidget | None = None,
        *,
        today: date | None = None,
        seen: RegisterVersion | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.pupil_id = pupil_id
        self.current = (provision, tuple(needs))
        self.since = since
        self.today = today or date.today()
        self.seen = seen
        if seen is None:
            # What the caller showed may be older than what is stored: read the register
            # now and show that, so the version passed on OK is the one the user saw.
            self._adopt(read_register(ctx.db, ctx.actor, pupil_id))
        self.plan_issued = live_plan_issued_on(ctx.db, ctx.actor, pupil_id)
        self.setWindowTitle("Change SEN status — SENDesk")
        layout = QVBoxLayout(self)
        note(
            layout,
            "The current status is kept in the register history; the new one starts on the "
            "date you give.",
        )
        self.now_label = QLabel()
        self.now_label.setWordWrap(True)
        self.now_label.setAccessibleName("Status recorded now")
        self.now_label.setVisible(False)
        layout.addWidget(self.now_label)
        form = QFormLayout()
        layout.addLayout(form)

        self.provision_combo = QComboBox()
        self.provision_combo.setAccessibleName("SEN provision")
        for p in Provision:
            self.provision_combo.addItem(f"{p.value} — {PROVISION_LABELS[p]}", p.value)
        form_row(form, "SEN &provision:", self.provision_combo)

        self.primary_combo = self._need_combo(RANK_NAMES[0], "Choose the primary need")
        self.secondary_combo = self._need_combo(RANK_NAMES[1], "None")
        self.third_combo = self._need_combo(RANK_NAMES[2], "None")
        self.need_combos = (self.primary_combo, self.secondary_combo, self.third_combo)
        form_row(form, "P&rimary need:", self.primary_combo)
        form_row(form, "S&econdary need:", self.secondary_combo)
        form_row(form, "&Third need:", self.third_combo)

        self.date_edit = QDateEdit()
        self.date_edit.setAccessibleName("Date of the change")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("dd/MM/yyyy")
        self.date_edit.setMaximumDate(to_qdate(self.today))
        self._limit_dates()
        self.date_edit.setDate(to_qdate(self.today))
        form_row(form, "&Date of the change:", self.date_edit)

        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setAccessibleName("Reason for the change")
        self.reason_edit.setTabChangesFocus(True)  # Tab moves on; no keyboard trap
        self.reason_edit.setPlaceholderText("For example: EP report received; needs re-assessed")
        lines = self.reason_edit.fontMetrics().lineSpacing()
        self.reason_edit.setMinimumHeight(lines * 4)
        form_row(form, "Rea&son:", self.reason_edit)

        layout.addWidget(self._build_plan_box(ctx))

        self.problems_label = note(layout, "", "Problems with this change")

        self.buttons, self.ok_button = dialog_buttons(self, layout)
        self.ok_button.setText("&Change status")
        self.ok_button.setAccessibleName("Change status")

        self._set_current(*self.current)
        self.provision_combo.currentIndexChanged.connect(self._provision_changed)
        for combo in self.need_combos:
            combo.currentIndexChanged.connect(self.revalidate)
        self.date_edit.dateChanged.connect(self.revalidate)
        self.reason_edit.textChanged.connect(self.revalidate)
        self.plan_date_edit.dateChanged.connect(self.revalidate)
        self.plan_la.currentTextChanged.connect(self.revalidate)
        self._provision_changed()
        self.provision_combo.setFocus()

    # --- building -----------------------------------------------------------------------

    def _adopt(self, snapshot: RegisterSnapshot) -> None:
        """Take ``snapshot`` (read from the database) as the status the change starts from."""
        shown = (snapshot.provision or Provision.N.value, snapshot.needs)
        if shown != self.current:
            self.current = shown
            self.since = snapshot.entry_start
        self.seen = snapshot.version

    def _limit_dates(self) -> None:
        if self.since is not None and self.since <= self.today:
            # The register cannot change before the current status began (the service
            # refuses it too): offering those dates would only produce an error.
            self.date_edit.setMinimumDate(to_qdate(self.since))

    def _build_plan_box(self, ctx: AppContext) -> QGroupBox:
        """The plan's issue date and LA, asked only when E is chosen and no plan is live."""
        self.plan_box = QGroupBox("EHC plan")
        box = QVBoxLayout(self.plan_box)
        note(
            box,
            "No EHC plan is recorded for this pupil, and E means they have one. Give the "
            "date the local authority issued the final plan and who issued it: the plan is "
            "recorded with this change, and the rest of it can be added on the EHC tab.",
        )
        form = QFormLayout()
        box.addLayout(form)
        self.plan_date_edit = QDateEdit()
        self.plan_date_edit.setAccessibleName("Date the EHC plan was issued")
        self.plan_date_edit.setCalendarPopup(True)
        self.plan_date_edit.setDisplayFormat("dd/MM/yyyy")
        self.plan_date_edit.setMaximumDate(to_qdate(self.today))
        self.plan_date_edit.setDate(to_qdate(self.today))
        form_row(form, "Plan &issued on:", self.plan_date_edit)
        # Imported here: ehc_request_dialog imports pupil_window, which imports this module.
        from sendesk.ui.ehc.ehc_request_dialog import la_combo

        self.plan_la = la_combo(ctx, "", "Local authority that issued the plan")
        form_row(form, "&Local authority:", self.plan_la)
        self.plan_box.setVisible(False)
        return self.plan_box

    @property
    def asks_for_plan(self) -> bool:
        """E chosen for a pupil who is not E now and has no live plan recorded."""
        return (
            self.provision == Provision.E.value
            and self.current[0] != Provision.E.value
            and self.plan_issued is None
        )

    @property
    def plan(self) -> PlanData | None:
        """The plan to record with the change, when the dialog asks for one."""
        if not self.asks_for_plan:
            return None
        return PlanData(
            issued_on=from_qdate(self.plan_date_edit.date()),
            la_name=self.plan_la.currentText().strip(),
        )

    @staticmethod
    def _need_combo(name: str, empty: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.addItem(empty, None)
        for code, need in NEED_CODES.items():
            combo.addItem(f"{code} — {need.description}", code)
        return combo

    def _set_current(self, provision: str, needs: tuple[str, ...]) -> None:
        index = self.provision_combo.findData(provision)
        self.provision_combo.setCurrentIndex(max(index, 0))
        for combo, code in zip(self.need_combos, (*needs, None, None, None), strict=False):
            found = combo.findData(code) if code else 0
            combo.setCurrentIndex(max(found, 0))

    # --- state --------------------------------------------------------------------------

    @property
    def provision(self) -> str:
        return str(self.provision_combo.currentData())

    @property
    def needs(self) -> list[str]:
        """The ranked needs as chosen; a blank rank ends the list (no gaps in ranks)."""
        chosen: list[str] = []
        if self.provision == Provision.N.value:
            return chosen
        for combo in self.need_combos:
            code = combo.currentData()
            if not code:
                break
            chosen.append(str(code))
        return chosen

    @property
    def on(self) -> date:
        return from_qdate(self.date_edit.date())

    @property
    def reason(self) -> str:
        return self.reason_edit.toPlainText().strip()

    def problems(self) -> list[str]:
        """Every reason the change cannot be made yet, as sentences (empty when it can)."""
        found = [_sentence(p) for p in census_problems(self.provision, self.needs)]
        if (self.provision, tuple(self.needs)) == self.current:
            found.append("Choose a different status or different needs: nothing has changed yet.")
        if self.on > self.today:
            found.append("The date of the change cannot be in the future.")
        if self.since is not None and self.on < self.since:
            found.append(
                f"The date of the change cannot be before the current status began "
                f"({self.since:%d/%m/%Y})."
            )
        if not self.reason:
            found.append("Give a reason for the change.")
        return found + self._plan_problems()

    def _plan_problems(self) -> list[str]:
        """E needs an issued plan on or before the day of the change (census code E)."""
        moving_to_e = self.provision == Provision.E.value and self.current[0] != "E"
        if not moving_to_e:
            return []
        plan = self.plan
        issued = plan.issued_on if plan is not None else self.plan_issued
        found = []
        if plan is not None and not plan.la_name:
            found.append("Give the local authority that issued the EHC plan.")
        if issued is not None and issued > self.on:
            found.append(
                f"The change to E cannot be before the EHC plan was issued ({issued:%d/%m/%Y})."
            )
        return found

    def _provision_changed(self) -> None:
        """N carries no needs (census rule 2125): clear and grey out the need choices."""
        no_needs = self.provision == Provision.N.value
        for combo in self.need_combos:
            if no_needs:
                combo.setCurrentIndex(0)
            combo.setEnabled(not no_needs)
        self.revalidate()

    def revalidate(self) -> None:
        """Show what is still wrong and offer OK only when the change can be made."""
        self.plan_box.setVisible(self.asks_for_plan)
        no_needs = self.provision == Provision.N.value
        # A lower rank is only offered once the one above it is chosen.
        self.secondary_combo.setEnabled(not no_needs and bool(self.primary_combo.currentData()))
        self.third_combo.setEnabled(
            self.secondary_combo.isEnabled() and bool(self.secondary_combo.currentData())
        )
        problems = self.problems()
        self.problems_label.setText("\n".join(problems))
        self.problems_label.setVisible(bool(problems))
        self.ok_button.setEnabled(not problems)

    def accept(self) -> None:
        """Record the change through the service; stay open (nothing lost) if it refuses."""
        if self.problems():
            return
        try:
            change_status(
                self.ctx.db,
                self.ctx.actor,
                self.pupil_id,
                self.provision,
                self.needs,
                self.on,
                self.reason,
                plan=self.plan,
                today=self.today,
                seen=self.seen,
            )
        except ConflictError as exc:
            warn(self, exc)
            self._reload()
            return
        except SendeskError as exc:
            warn(self, exc)
            return
        super().accept()

    def _reload(self) -> None:
        """After someone else's change: start from what is recorded now, say what that is,
        and keep the user's choices (OK offers their change again only if it still is one)."""
        try:
            snapshot = read_register(self.ctx.db, self.ctx.actor, self.pupil_id)
            self.plan_issued = live_plan_issued_on(self.ctx.db, self.ctx.actor, self.pupil_id)
        except SendeskError as exc:
            warn(self, exc)
            return
        self._adopt(snapshot)
        self.since = snapshot.entry_start
        self._limit_dates()
        provision, needs = self.current
        label = PROVISION_LABELS[Provision(provision)]
        self.now_label.setText(
            f"Recorded now: {label} ({provision}), needs {', '.join(needs) or 'none'}."
        )
        self.now_label.setVisible(True)
        self.revalidate()
