"""Parting ways: pattern and cost, the checklist, letters, follow-up, reminders, do-not-serve."""
