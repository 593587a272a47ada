"""Mail: the vault's IMAP accounts (Settings → Mail accounts…) and Client → Fetch mail….

Both call ``app.mail`` only; the fetch runs on a worker (``Tasks.run_with_progress``) with
progress and cancel, one message per transaction, so cancelling keeps what was fetched.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ui.dialogs.unlock import error_label
from ui.workers import ButtonWrite, Progress, Tasks, user_message


class MailAccountsDialog(QDialog):
    """Lists, adds and removes IMAP accounts; the password goes straight into the vault.

    Signals:
        accounts_changed(): an account was added or removed.
    """

    accounts_changed = Signal()

    def __init__(self, vault: Any, parent: QWidget | None = None, *, writes: Tasks | None = None) -> None:
        from app.mail.accounts import PRESETS, MailAccounts

        super().__init__(parent)
        self._accounts = MailAccounts(vault.db)
        self.setWindowTitle("Mail accounts — Casefile")
        self.setMinimumWidth(560)
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.remove_button = QPushButton("Remove")
        self.remove_button.clicked.connect(self.remove_selected)
        self.preset = QComboBox()
        self.preset.addItem("Other server", "")
        for p in PRESETS.values():
            self.preset.addItem(p.label, p.name)
        self.preset.currentIndexChanged.connect(self._preset_chosen)
        self.name = QLineEdit()
        self.host = QLineEdit()
        self.port = QSpinBox()
        self.port.setRange(1, 65535)
        self.port.setValue(993)
        self.tls = QComboBox()
        self.tls.addItems(["implicit", "starttls", "none"])
        self.tls.setToolTip("'none' is only allowed for a server on this computer (127.0.0.1 or localhost)")
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        self.add_button = QPushButton("Add account")
        self.add_button.clicked.connect(self.add)
        self.error = error_label()
        # adding and removing are checked here and written on the window's writer worker
        self.adding = ButtonWrite(self, self.add_button, self.error, writes)
        self.removing = ButtonWrite(self, self.remove_button, self.error, self.adding.writes)
        form = QFormLayout()
        form.addRow("Provider", self.preset)
        form.addRow("Name", self.name)
        form.addRow("Server", self.host)
        form.addRow("Port", self.port)
        form.addRow("TLS", self.tls)
        form.addRow("User", self.user)
        form.addRow("Password or app password", self.password)
        form.addRow("", self.hint)
        note = QLabel(
            "The password is stored only inside this encrypted vault. Casefile reads mail without changing "
            "anything on the server: no message is marked read, moved or deleted. OAuth sign-in is not offered; "
            "use an app password."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.list, 1)
        row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addLayout(form)
        layout.addWidget(self.add_button)
        layout.addWidget(note)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.refresh()

    def refresh(self) -> None:
        self.list.clear()
        for a in self._accounts.list():
            self.list.addItem(f"{a.name} — {a.username} at {a.host}:{a.port} ({a.tls})")
        self.remove_button.setEnabled(self.list.count() > 0)

    def _preset_chosen(self) -> None:
        from app.mail.accounts import PRESETS

        preset = PRESETS.get(self.preset.currentData() or "")
        if preset is None:
            self.hint.setText("")
            return
        self.host.setText(preset.host)
        self.port.setValue(preset.port)
        self.tls.setCurrentText(preset.tls)
        if not self.name.text():
            self.name.setText(preset.name)
        self.hint.setText(preset.hint)

    def add(self) -> None:
        """Check here (bad input: one line, at once), store on the worker."""
        if self.adding.saving or self.removing.saving:
            return
        accounts = self._accounts
        values: dict[str, Any] = {
            "password": self.password.text(),
            "username": self.user.text(),
            "host": self.host.text(),
            "port": self.port.value(),
            "tls": self.tls.currentText(),
            "preset": self.preset.currentData() or None,
        }
        name = self.name.text()
        try:
            accounts.check(name, **values)
        except Exception as error:
            self.error.setText(user_message(error))
            self.error.show()
            return
        self.error.hide()
        self.adding.run(lambda: accounts.add(name, **values), self._changed)

    def _changed(self, _account: Any) -> None:
        self.password.clear()
        self.error.hide()
        self.refresh()
        self.accounts_changed.emit()

    def remove_selected(self) -> None:
        item = self.list.currentItem() or self.list.item(0)
        if item is None or self.adding.saving or self.removing.saving:
            return
        accounts, name = self._accounts, item.text().split(" — ", 1)[0]
        self.removing.run(lambda: accounts.remove(name), self._changed)

    def reject(self) -> None:
        if self.adding.saving or self.removing.saving:
            return  # being written: closing now would hide the outcome
        super().reject()


class FetchMailDialog(QDialog):
    """Fetches a client's mail from one account, with progress and cancel.

    Signals:
        fetched(object): the FetchReport (the timeline should refresh).
    """

    fetched = Signal(object)

    def __init__(self, vault: Any, tasks: Tasks, client: Any, parent: QWidget | None = None) -> None:
        from app.mail.accounts import MailAccounts

        super().__init__(parent)
        self._vault, self._tasks, self._client = vault, tasks, client
        self._progress: Progress | None = None
        self.setWindowTitle(f"Fetch mail for {client.name} — Casefile")
        self.setMinimumWidth(480)
        self.account = QComboBox()
        for a in MailAccounts(vault.db).list():
            self.account.addItem(f"{a.name} ({a.username})", a.name)
        self.use_since = QCheckBox("Only since")
        self.since = QDateEdit(QDate.currentDate().addYears(-1))
        self.since.setCalendarPopup(True)
        self.since.setEnabled(False)
        self.use_since.toggled.connect(self.since.setEnabled)
        addresses = ", ".join(client.emails) or "none: add the client's email address first"
        self.addresses = QLabel(f"Messages from, to or copying: {addresses}")
        self.addresses.setWordWrap(True)
        self.bar = QProgressBar()
        self.bar.hide()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.error = error_label()
        self.fetch_button = QPushButton("Fetch")
        self.fetch_button.setDefault(True)
        self.fetch_button.clicked.connect(self.start)
        self.fetch_button.setEnabled(self.account.count() > 0 and bool(client.emails))
        self.cancel_button = QPushButton("Close")
        self.cancel_button.clicked.connect(self.cancel_or_close)
        form = QFormLayout()
        form.addRow("Account", self.account)
        since_row = QHBoxLayout()
        since_row.addWidget(self.use_since)
        since_row.addWidget(self.since, 1)
        form.addRow("", since_row)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.fetch_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        if self.account.count() == 0:
            layout.addWidget(QLabel("No mail account yet: add one in Settings → Mail accounts…"))
        layout.addLayout(form)
        layout.addWidget(self.addresses)
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addWidget(self.error)
        layout.addLayout(buttons)

    @property
    def running(self) -> bool:
        return self._progress is not None

    def start(self) -> None:
        from app.mail.imap import fetch_client_mail

        account = self.account.currentData()
        since = self.since.date().toPython() if self.use_since.isChecked() else None
        vault, client_id = self._vault, self._client.id
        assert since is None or isinstance(since, date)

        def work(progress: Progress) -> Any:
            return fetch_client_mail(
                vault,
                client_id,
                account,
                since=since,
                on_progress=lambda p: progress.report(p.done, p.total, p.folder),
                cancelled=lambda: progress.cancelled,
            )

        self.error.hide()
        self.fetch_button.setEnabled(False)
        self.cancel_button.setText("Cancel")
        self.bar.setRange(0, 0)
        self.bar.show()
        self.status.setText("Connecting…")
        self._progress = self._tasks.run_with_progress(work, self._done, self._failed, self._progressed)

    def _progressed(self, done: int, total: int, folder: str) -> None:
        self.bar.setRange(0, int(total))
        self.bar.setValue(int(done))
        self.status.setText(f"{folder}: {done} of {total}")

    def _finish(self) -> None:
        self._progress = None
        self.bar.hide()
        self.fetch_button.setEnabled(True)
        self.cancel_button.setText("Close")

    def _done(self, report: Any) -> None:
        self._finish()
        notes = "".join(f"\n{n}" for n in report.notes[:5])
        self.status.setText(report.line().capitalize() + "." + notes)
        self.fetched.emit(report)

    def _failed(self, error: BaseException) -> None:
        self._finish()
        self.status.setText("")
        self.error.setText(user_message(error))
        self.error.show()
        self.fetched.emit(None)  # what was committed before the error is in the timeline

    def cancel_or_close(self) -> None:
        if self._progress is not None:
            self._progress.cancel()
            self.status.setText("Stopping after the current message…")
        else:
            self.reject()
