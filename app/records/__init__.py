"""The record: clients, entries and their revisions, attachments, reminders, drafts."""
