"""A passphrase strength meter (zxcvbn) under a passphrase field."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QProgressBar, QVBoxLayout, QWidget

MIN_LENGTH = 8
MIN_SCORE = 3  # zxcvbn 0–4: 3 is "safely unguessable" for an offline attack on a slow hash
_WORDS = ("Very weak", "Weak", "Fair", "Strong", "Very strong")
_COLOURS = ("#b42318", "#b42318", "#b7791f", "#2f855a", "#2f855a")


def strength(passphrase: str) -> tuple[int, str]:
    """zxcvbn's score (0–4) and its most useful piece of advice."""
    from zxcvbn import zxcvbn

    result = zxcvbn(passphrase[:100])  # zxcvbn is quadratic in length; 100 characters is plenty
    feedback = result["feedback"]
    advice = feedback.get("warning") or " ".join(feedback.get("suggestions") or [])
    return int(result["score"]), advice


class StrengthMeter(QWidget):
    def __init__(self, field: QLineEdit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._field = field
        self.bar = QProgressBar()
        self.bar.setRange(0, 4)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(6)
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        self.score = 0
        field.textChanged.connect(self._update)
        self._update(field.text())

    def _update(self, text: str) -> None:
        if not text:
            self.score = 0
            self.bar.setValue(0)
            self.label.setText(f"At least {MIN_LENGTH} characters; a few unrelated words work well.")
            return
        self.score, advice = strength(text)
        self.bar.setValue(self.score)
        self.bar.setStyleSheet(f"QProgressBar::chunk {{ background: {_COLOURS[self.score]}; }}")
        self.label.setText(f"{_WORDS[self.score]}. {advice}".strip())

    def problem(self, repeated: str) -> str:
        """Why the passphrase cannot be used yet, or '' when it can."""
        text = self._field.text()
        if len(text) < MIN_LENGTH:
            return f"The passphrase needs at least {MIN_LENGTH} characters."
        if self.score < MIN_SCORE:
            return "That passphrase is too easy to guess; add another word or two."
        if text != repeated:
            return "The two passphrases differ."
        return ""
