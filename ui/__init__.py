"""Casefile's desktop app (PySide6 Widgets). Talks to the core in ``app`` only."""
