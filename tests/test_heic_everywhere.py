"""iPhone photos (HEIC/HEIF) show wherever JPEGs do: the preview, the detail pane's thumbnails
and the dossier (decoded by Pillow + pi-heif in memory)."""

from __future__ import annotations

from typing import Any

from tests.conftest import CORPUS

HEIC = CORPUS / "images" / "heic" / "IMG_5195.HEIC"


def _heic_entry(vault: Any) -> tuple[Any, Any]:
    from app.ingest.importer import import_path

    client = vault.clients.add("iPhone owner")
    result = import_path(vault, client.id, HEIC)
    assert result.ok
    entry_id = result.entry_ids[0]
    return client, vault.attachments.for_entry(entry_id)[0]


def test_the_preview_decodes_a_heic_photo_upright(vault: Any, qapp: Any) -> None:
    from PIL import Image

    from ui import previews

    _client, attachment = _heic_entry(vault)
    assert previews.kind_of(attachment.media_type, attachment.name) == "image"
    data = vault.attachments.read_bytes(attachment.sha256)
    image = previews.image_from_bytes(data)  # Qt has no HEIF reader: Pillow + pi-heif
    assert not image.isNull()
    import io

    reference = Image.open(io.BytesIO(vault.attachments.derivative(attachment.sha256, "thumb1600")))
    assert (image.width() > image.height()) == (reference.width > reference.height)  # same orientation
    small = previews.thumbnail(data, attachment.media_type, attachment.name)
    assert small is not None and max(small.width(), small.height()) == previews.THUMB_SIZE


def test_the_detail_pane_shows_a_heic_thumbnail(vault: Any, qapp: Any, qtbot: Any) -> None:
    from ui.widgets.detail_pane import DetailPane
    from ui.workers import Tasks

    _client, attachment = _heic_entry(vault)
    tasks = Tasks(parent=qapp)
    pane = DetailPane(tasks)
    qtbot.addWidget(pane)
    pane.set_vault(vault)
    with qtbot.waitSignal(pane.attachments.dataChanged, timeout=10_000):
        pane.show_entry(attachment.entry_id)
    thumb = pane.attachments._thumbs.get(attachment.id)  # the picture, not the file-type icon
    assert thumb is not None and not thumb.isNull() and max(thumb.width(), thumb.height()) <= 96
    tasks.wait()


def test_the_dossier_prints_a_heic_photo(vault: Any) -> None:
    import io

    import pikepdf
    import pypdfium2

    from app.dossier.exhibits import _inspect_image
    from app.dossier.export import build_dossier_pdf
    from app.dossier.photos import downscaled_jpeg
    from app.dossier.select import DossierOptions

    client, attachment = _heic_entry(vault)
    built = build_dossier_pdf(vault, DossierOptions(client.id))
    with pikepdf.open(io.BytesIO(built.pdf)) as pdf:
        images = sum(len(page.get_images()) for page in pdf.pages)
    document = pypdfium2.PdfDocument(built.pdf)
    try:
        text = "".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
    assert images >= 1
    assert "IMG_5195" in text and "cannot be shown on paper" not in text
    # the original itself (not only the stored 1600 px copy) decodes, for a page larger than that copy
    exhibit = next(ex for ex in built.layout.exhibits if ex.attachment.id == attachment.id)
    assert exhibit.category == "image"
    _inspect_image(vault, exhibit)
    assert exhibit.image_size is not None
    jpeg = downscaled_jpeg(vault, exhibit, 1200, 1200)  # 2000 px at 120 dpi: beyond the 1600 px copy
    assert jpeg[:3] == b"\xff\xd8\xff"
