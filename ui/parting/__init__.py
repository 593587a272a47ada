"""Parting-ways widgets: pattern chart, checklist, letter composer, follow-up card, reminders, do-not-serve.

Each takes a Vault in its constructor and calls app.parting; none writes SQL.
"""
