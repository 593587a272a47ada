"""Vault → Record integrity…: the last verification, the ledger head and the seal, the
signing key and trusted timestamps when the vault has them; "Verify now" on a worker and
"Copy seal for my lawyer"."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.records.times import now_utc
from ui.workers import Progress, Tasks, user_message

# The phases verify reports (app/verify.py); a later one only makes the bar wait at the end.
VERIFY_STEPS = 8


@dataclass(frozen=True)
class LastVerify:
    """The outcome of the last verification in this session (verify writes nothing)."""

    at: datetime
    ok: bool
    summary: str
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def status_text(self) -> str:
        when = self.at.astimezone().strftime("%H:%M")
        return f"Verified {when}" if self.ok else f"Verification FAILED {when}"


class VerifyCancelled(Exception):
    """Raised from verify's progress callback when the user cancels."""


def summarize(report: Any) -> LastVerify:
    """A LastVerify from an app.verify.VerifyReport."""
    if report.ok:
        checked = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in report.checked.items() if n)
        summary = f"The record is intact ({checked})."
    else:
        more = len(report.problems) - 1
        summary = f"{report.first_break}" + (f" (and {more} more)" if more > 0 else "")
    return LastVerify(now_utc(), bool(report.ok), summary, tuple(getattr(report, "warnings", ())))


def _evidence_rows(vault: Any) -> list[tuple[str, str]]:
    """The signing key and anchors, from the ev-sign API when this vault offers it."""
    rows: list[tuple[str, str]] = []
    signing = getattr(vault, "signing", None)
    if signing is not None and hasattr(signing, "fingerprint"):
        rows.append(("Signing key", str(signing.fingerprint())))
    anchors = getattr(vault, "anchors", None)
    if anchors is not None and hasattr(anchors, "anchored"):
        anchored = list(anchors.anchored())
        lines = [a.sentence() if hasattr(a, "sentence") else str(a) for a in anchored[-5:]]
        rows.append(("Anchored seals", "\n".join(lines) if lines else "none yet"))
    if anchors is not None and hasattr(anchors, "pending"):
        pending = list(anchors.pending())
        rows.append(("Pending anchors", f"{len(pending)} waiting for a time-stamping authority" if pending else "none"))
    return rows


class IntegrityDialog(QDialog):
    """Signals:
    verified(object): a LastVerify after "Verify now" finished (the window shows it in the status bar).
    """

    verified = Signal(object)

    def __init__(self, vault: Any, tasks: Tasks, last: LastVerify | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._vault = vault
        self._tasks = tasks
        self._progress: Progress | None = None
        self.last = last
        self.setWindowTitle("Record integrity — Casefile")
        self.setMinimumWidth(620)

        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.warnings_label = QLabel()
        self.warnings_label.setWordWrap(True)
        self.warnings_label.setStyleSheet("color:#b7791f")
        self.events_label = QLabel()
        self.head_label = self._mono()
        self.seal_label = self._mono()
        form = QFormLayout()
        form.addRow("Last check", self.result_label)
        form.addRow("", self.warnings_label)
        form.addRow("Ledger", self.events_label)
        form.addRow("Chain head", self.head_label)
        form.addRow("Seal", self.seal_label)
        self.evidence_labels: dict[str, QLabel] = {}
        for name, value in _evidence_rows(vault):
            label = self._mono()
            label.setText(value)
            self.evidence_labels[name] = label
            form.addRow(name, label)

        explain = QLabel(
            "The seal is a short value that pins the record as it is now. Send it to your lawyer "
            "(email or text) from time to time: later, verifying the record against that seal proves it "
            "still contains exactly this state."
        )
        explain.setWordWrap(True)
        explain.setStyleSheet("color:#667085")

        self.progress_bar = QProgressBar()
        self.progress_bar.setRange(0, VERIFY_STEPS)
        self.progress_bar.hide()
        self.phase_label = QLabel()
        self.verify_button = QPushButton("Verify now")
        self.verify_button.clicked.connect(self.verify_now)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.hide()
        self.copy_button = QPushButton("Copy seal for my lawyer")
        self.copy_button.clicked.connect(self.copy_seal)
        row = QHBoxLayout()
        row.addWidget(self.verify_button)
        row.addWidget(self.cancel_button)
        row.addWidget(self.copy_button)
        row.addStretch(1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(explain)
        layout.addWidget(self.progress_bar)
        layout.addWidget(self.phase_label)
        layout.addLayout(row)
        layout.addWidget(buttons)
        self.refresh()

    @staticmethod
    def _mono() -> QLabel:
        label = QLabel()
        label.setStyleSheet("font-family: monospace")
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setWordWrap(True)
        return label

    def refresh(self) -> None:
        head = self._vault.head()
        self.events_label.setText(f"{head.count:,} events")
        self.head_label.setText(head.hash)
        self.seal_label.setText(self._vault.seal())
        self._show_last()

    def _show_last(self) -> None:
        last = self.last
        if last is None:
            self.result_label.setText("Not checked yet in this session — press “Verify now”.")
            self.warnings_label.hide()
            return
        when = last.at.astimezone().strftime("%d %b %Y %H:%M:%S")
        colour = "#067647" if last.ok else "#b42318"
        verdict = "OK" if last.ok else "FAILED"
        self.result_label.setText(f"<b style='color:{colour}'>{verdict}</b> at {when}: {last.summary}")
        self.warnings_label.setText("\n".join(f"Warning: {w}" for w in last.warnings))
        self.warnings_label.setVisible(bool(last.warnings))

    # -- verify on a worker ----------------------------------------------------------

    def verify_now(self) -> None:
        if self._progress is not None:
            return
        vault = self._vault

        def work(progress: Progress) -> LastVerify:
            steps = [0]

            def say(message: str) -> None:
                if progress.cancelled:
                    raise VerifyCancelled
                steps[0] += 1
                progress.report(min(steps[0], VERIFY_STEPS), VERIFY_STEPS, message)

            return summarize(vault.verify(progress=say))

        self.verify_button.setEnabled(False)
        self.cancel_button.show()
        self.progress_bar.setValue(0)
        self.progress_bar.show()
        self.phase_label.setText("Starting…")
        self._progress = self._tasks.run_with_progress(work, self._finished, self._failed, self._progressed)

    def cancel(self) -> None:
        if self._progress is not None:
            self._progress.cancel()
            self.phase_label.setText("Cancelling…")

    def _progressed(self, done: int, total: int, text: str) -> None:
        self.progress_bar.setValue(done)
        self.phase_label.setText(text + "…")

    def _idle(self) -> None:
        self._progress = None
        self.verify_button.setEnabled(True)
        self.cancel_button.hide()
        self.progress_bar.hide()

    def _finished(self, last: LastVerify) -> None:
        self._idle()
        self.phase_label.setText("")
        self.last = last
        self.refresh()
        self.verified.emit(last)

    def _failed(self, error: BaseException) -> None:
        self._idle()
        if isinstance(error, VerifyCancelled):
            self.phase_label.setText("Verification cancelled; nothing was checked to the end.")
        else:
            self.phase_label.setText(user_message(error))

    def copy_seal(self) -> None:
        seal = self._vault.seal()
        QGuiApplication.clipboard().setText(seal)
        self.seal_label.setText(seal)
        self.phase_label.setText("Seal copied. Paste it into an email or a text to your lawyer.")

    def done(self, result: int) -> None:
        # A verify still running keeps its signals; cancel it so closing does not wait on it.
        if self._progress is not None:
            self._progress.cancel()
        super().done(result)
