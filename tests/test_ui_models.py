"""Every item model passes Qt's model tester, and the timeline pages rows instead of loading all."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from app.records.models import EntryFields


def test_client_models_pass_the_model_tester(demo_vault: Any, qtmodeltester: Any) -> None:
    from ui.models.clients_model import ClientFilterModel, ClientListModel

    model = ClientListModel(demo_vault.clients)
    model.reload()
    qtmodeltester.check(model)
    proxy = ClientFilterModel()
    proxy.setSourceModel(model)
    proxy.set_text("whit")
    qtmodeltester.check(proxy)
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["Gerald Whitmore"]
    proxy.set_text("708 555")  # by phone
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == ["Dale Corbin"]


def test_timeline_model_passes_the_model_tester(demo_vault: Any, qtmodeltester: Any) -> None:
    from ui.models.timeline_model import TimelineModel

    model = TimelineModel(demo_vault.entries)
    client = demo_vault.clients.resolve("Gerald")
    model.set_client(client.id)
    qtmodeltester.check(model)
    assert model.rowCount() == demo_vault.entries.count(client.id)


def test_search_and_detail_models_pass_the_model_tester(demo_vault: Any, qtmodeltester: Any) -> None:
    from ui.models.detail_models import AttachmentsModel, RevisionsModel
    from ui.models.search_model import SearchResultsModel

    hits = SearchResultsModel()
    hits.set_hits(demo_vault.search("tile"))
    qtmodeltester.check(hits)
    assert hits.rowCount() > 0
    entry_id = next(e for e in demo_vault.entries.timeline() if e.attachment_count).id
    attachments = AttachmentsModel()
    attachments.set_attachments(demo_vault.attachments.for_entry(entry_id))
    qtmodeltester.check(attachments)
    revisions = RevisionsModel()
    revisions.set_revisions(demo_vault.entries.revisions(entry_id))
    qtmodeltester.check(revisions)


def test_timeline_fetches_pages_not_everything(vault: Any, qtmodeltester: Any) -> None:
    from datetime import UTC, datetime, timedelta

    from ui.models.roles import FIRST_OF_DAY_ROLE, ID_ROLE
    from ui.models.timeline_model import COL_TITLE, PAGE_SIZE, TimelineModel

    client = vault.clients.add("Many entries")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(PAGE_SIZE * 2 + 5):
        vault.entries.log(client.id, EntryFields("note", start + timedelta(hours=6 * i), f"note {i}"))

    class Counting:
        def __init__(self, inner: Any) -> None:
            self.inner, self.pages = inner, 0

        def timeline_id_array(self, *a: Any, **kw: Any) -> Any:
            return self.inner.timeline_id_array(*a, **kw)

        def journal_rows(self, ids: list[int]) -> Any:
            self.pages += 1
            return self.inner.journal_rows(ids)

    repo = Counting(vault.entries)
    model = TimelineModel(repo, zone=UTC)
    model.set_client(client.id)
    assert model.rowCount() == PAGE_SIZE * 2 + 5 and repo.pages == 0
    assert model.index(0, COL_TITLE).data() == f"note {PAGE_SIZE * 2 + 4}"  # newest first
    assert repo.pages == 1
    model.index(PAGE_SIZE - 1, COL_TITLE).data()
    assert repo.pages == 1
    assert model.index(PAGE_SIZE * 2 + 4, COL_TITLE).data() == "note 0"
    assert repo.pages == 2
    # four entries a day: the first of each day opens a group
    days = [model.index(r, 0).data(FIRST_OF_DAY_ROLE) for r in range(8)]
    assert days.count(True) == 2 or days.count(True) == 3
    # a new entry is inserted in place without a reset
    inserted: list[int] = []
    model.rowsInserted.connect(lambda _p, first, _last: inserted.append(first))
    new = vault.entries.log(client.id, EntryFields("call", start + timedelta(hours=1), "late entry"))
    model.refresh_ids()
    assert inserted == [model.rowCount() - 2]
    assert model.index(model.row_of(new.id), 0).data(ID_ROLE) == new.id
    qtmodeltester.check(model)
    assert model.headerData(COL_TITLE, Qt.Orientation.Horizontal) == "What happened"


def test_a_long_timeline_shows_its_first_screen_then_the_rest_arrives(
    vault: Any, qapp: Any, qtbot: Any, qtmodeltester: Any, monkeypatch: Any
) -> None:
    from datetime import UTC, datetime, timedelta

    from ui.models import timeline_model
    from ui.models.timeline_model import COL_TITLE, TimelineModel
    from ui.workers import Tasks

    monkeypatch.setattr(timeline_model, "FIRST_IDS", 8)
    client = vault.clients.add("Long story")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(30):
        vault.entries.log(client.id, EntryFields("note", start + timedelta(days=i), f"note {i}"))
    tasks = Tasks(parent=qapp)  # a parentless QObject outliving QApplication crashes at exit
    model = TimelineModel(vault.entries, tasks=tasks)
    qtmodeltester.check(model)
    with qtbot.waitSignal(model.rowsInserted, timeout=5000):
        model.set_client(client.id)
        assert model.rowCount() == 8  # the first screen, read at once
        assert model.index(0, COL_TITLE).data() == "note 29"
        model.start_pending_load()  # the view calls this after its first frame
    assert model.rowCount() == 30
    assert model.index(29, COL_TITLE).data() == "note 0"
    tasks.wait()
