"""The main window with the demo vault, grabbed to PNG: it must show a real, varied picture."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _distinct_colours(image: Any, step: int = 7) -> int:
    colours = set()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            colours.add(image.pixel(x, y))
    return len(colours)


def test_main_window_with_the_demo_vault_renders(demo_session: Any, tmp_path: Path, qtbot: Any) -> None:
    window = demo_session.window
    window.resize(1400, 860)
    window.select_client(
        next(
            window.clients.index(r, 0).data(__import__("ui.models.roles", fromlist=["ID_ROLE"]).ID_ROLE)
            for r in range(window.clients.rowCount())
            if window.clients.index(r, 0).data() == "Gerald Whitmore"
        )
    )
    qtbot.waitUntil(lambda: window.detail.entry is not None)
    qtbot.wait(300)  # thumbnails arrive from workers
    demo_session.tasks.wait()
    qtbot.wait(50)
    image = window.grab().toImage()
    path = tmp_path / "main-window.png"
    assert image.save(str(path))
    assert path.stat().st_size > 20_000
    assert image.width() >= 1400 and image.height() >= 800
    assert _distinct_colours(image) > 40
    assert window.timeline.rowCount() > 10


def test_attachments_show_as_thumbnails_and_preview_from_memory(demo_session: Any, tmp_path: Path, qtbot: Any) -> None:
    from ui.models.roles import ID_ROLE

    window = demo_session.window
    vault = demo_session.vault
    entry = next(e for e in vault.entries.timeline() if e.kind == "complaint" and e.attachment_count)
    window.jump_to(entry.client_id, entry.id)
    qtbot.waitUntil(lambda: window.detail.entry is not None and window.detail.entry.id == entry.id)
    model = window.detail.attachments
    assert model.rowCount() == entry.attachment_count
    qtbot.waitUntil(lambda: len(model._thumbs) >= 1, timeout=5000)  # images become thumbnails
    assert window.grab().toImage().save(str(tmp_path / "entry-with-attachments.png"))
    image_row = next(r for r in range(model.rowCount()) if model.attachments()[r].media_type.startswith("image/"))
    dialog = window.preview(model.attachments()[image_row])
    qtbot.waitUntil(lambda: "px" in dialog.status.text(), timeout=5000)
    width = dialog.page.pixmap().width()
    dialog.zoom_by(2.0)
    assert dialog.page.pixmap().width() > width * 1.5
    qtbot.wait(50)  # let the scroll area lay out the bigger picture before grabbing
    assert dialog.grab().toImage().save(str(tmp_path / "preview.png"))
    assert model.index(image_row, 0).data(ID_ROLE) == model.attachments()[image_row].id
    dialog.done(0)


def test_pdf_and_email_previews_render_in_memory(demo_session: Any, qtbot: Any) -> None:
    vault = demo_session.vault
    window = demo_session.window
    attachments = [a for e in vault.entries.timeline() for a in vault.attachments.for_entry(e.id)]
    pdf = next(a for a in attachments if a.media_type == "application/pdf")
    email = next(a for a in attachments if a.media_type == "message/rfc822")
    dialog = window.preview(pdf)
    qtbot.waitUntil(lambda: "page" in dialog.status.text(), timeout=5000)
    pages = [w for w in dialog.canvas.findChildren(type(dialog.status)) if w.pixmap() and not w.pixmap().isNull()]
    assert pages and pages[0].pixmap().width() > 500
    dialog.done(0)
    dialog = window.preview(email)
    qtbot.waitUntil(lambda: "bytes" in dialog.status.text(), timeout=5000)
    from PySide6.QtWidgets import QPlainTextEdit

    text = dialog.canvas.findChild(QPlainTextEdit).toPlainText()
    assert text.startswith("From: ") and "Subject: " in text
    dialog.done(0)
