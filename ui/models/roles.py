"""Custom item roles shared by the models and their delegates (``UserRole + n``)."""

from PySide6.QtCore import Qt

_BASE = int(Qt.ItemDataRole.UserRole)
ID_ROLE = _BASE + 1  # the record's id (client, entry, attachment, revision)
CLIENT_ID_ROLE = _BASE + 2
STATUS_ROLE = _BASE + 3  # a client's status key
COUNT_ROLE = _BASE + 4  # a client's entry count
KIND_ROLE = _BASE + 5  # an entry's kind key
RETRACTED_ROLE = _BASE + 6
FIRST_OF_DAY_ROLE = _BASE + 7  # the row opens a new day in the timeline
SNIPPET_ROLE = _BASE + 8  # a search hit's snippet with [ ] marks
RECORD_ROLE = _BASE + 9  # the whole frozen record
JOURNAL_ROLE = _BASE + 10  # a timeline row's precomputed texts for the journal delegate
