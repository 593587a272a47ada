"""Export a dossier: select, number, lay out, merge, bundle, record in the ledger.

``export_dossier`` is what the CLI calls. The GUI calls ``build_dossier_pdf`` on a
worker thread (the PDF stays in memory for the preview), then ``save_dossier``
with what was previewed. Both report progress through a plain callback and stop
at the next page when ``cancel`` is set, leaving nothing behind.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from app.dossier.exhibits import number_exhibits
from app.dossier.productions import plan, record
from app.dossier.select import DossierOptions, Selection, select
from app.errors import CasefileError, InvalidInput
from app.records.times import now_utc
from app.vault import Vault

if TYPE_CHECKING:
    from app.dossier.layout import Layout

# (phase, done, total): phases are "select", "layout", "merge", "bundle".
Progress = Callable[[str, int, int], None]


class ExportCancelled(CasefileError):
    pass


@dataclass(frozen=True)
class ExportResult:
    pdf_path: Path
    zip_path: Path
    pdf_sha256: str
    pages: int
    entries: int
    exhibits: int
    production: str = ""  # its number in the register, e.g. BRIGHT-PROD-003
    bates_first: str = ""
    bates_last: str = ""


@dataclass
class _Progress:
    report: Progress
    cancel: threading.Event | None
    phase: str = "select"
    done: int = 0
    total: int = 1

    def start(self, phase: str, total: int) -> None:
        self.check()
        self.phase, self.done, self.total = phase, 0, max(1, total)
        self.report(phase, 0, self.total)

    def tick(self) -> None:
        self.check()
        self.done += 1
        self.report(self.phase, min(self.done, self.total), self.total)

    def check(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise ExportCancelled("The export was cancelled; nothing was written.")


def file_stem(selection: Selection, when: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "-", selection.client.name).strip("-")[:60] or f"client-{selection.client.id}"
    return f"dossier-{name}-{when}"


@dataclass(frozen=True)
class BuiltDossier:
    """A finished dossier PDF in memory, with what is needed to save its bundle."""

    pdf: bytes
    layout: Layout

    @property
    def pages(self) -> int:
        return self.layout.total_pages


def build_dossier_pdf(
    vault: Vault, options: DossierOptions, *, progress: Progress | None = None, cancel: threading.Event | None = None
) -> BuiltDossier:
    """Lay out the PDF in memory: for a preview before saving (nothing is written)."""
    from app.dossier.bates import finish_pdf
    from app.dossier.declaration import DEMO_LEGEND, check_form, check_legend
    from app.dossier.layout import Layout
    from app.dossier.pdf import build_parts

    steps = _Progress(progress or (lambda *_: None), cancel)
    steps.start("select", 1)
    selection = select(vault, options)
    production = plan(
        vault,
        selection.client.id,
        [att.id for chosen in selection.entries for att in chosen.attachments],
        prefix=selection.bates_prefix,
        digits=options.bates_digits,
        bates_start=options.bates_start,
        recipient=options.recipient,
        supersedes=options.supersedes,
    )
    legend = check_legend(options.legend)
    if vault.settings.get("demo") == "on":  # a demonstration vault: never mistaken for a record
        legend = " · ".join(x for x in (DEMO_LEGEND, legend) if x)
    check_form(options.declaration_form)
    exhibits = number_exhibits(vault, selection, production.exhibit_numbers)
    prepared_at = now_utc().astimezone().replace(microsecond=0)
    layout = Layout(vault, selection, exhibits, prepared_at, production=production, legend=legend)
    layout.tick = steps.tick
    # Roughly one page per entry and exhibit, plus the front and back laid out twice.
    steps.start("layout", len(selection.entries) + 2 * len(exhibits) + len(selection.entries) // 10 + 12)
    parts = build_parts(layout)
    steps.start("merge", len({n for n, _ in layout.placeholders.values()}))
    pdf = finish_pdf(layout, parts, layout.prepared_at)
    from app.evidence.pdfsign import sign_pdf_with_timestamp  # after Bates stamping: it covers the final bytes

    return BuiltDossier(sign_pdf_with_timestamp(pdf, vault, selection.business_name), layout)


def export_dossier(
    vault: Vault,
    options: DossierOptions,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Build the dossier and save it (see ``save_dossier``)."""
    built = build_dossier_pdf(vault, options, progress=progress, cancel=cancel)
    return save_dossier(vault, built, out_dir, progress=progress, cancel=cancel)


def _free_names(out_dir: Path, stem: str) -> tuple[Path, Path]:
    """The PDF and ZIP paths for ``stem``, never an existing file's: a second export within
    the same second (the stem's clock) is written as STEM-2, STEM-3, … — never over another."""
    for n in range(1, 1000):
        name = stem if n == 1 else f"{stem}-{n}"
        pdf_path, zip_path = out_dir / f"{name}.pdf", out_dir / f"{name}.zip"
        if not (pdf_path.exists() or zip_path.exists()):
            return pdf_path, zip_path
    raise InvalidInput(f"{stem}.pdf and 998 numbered copies already exist in {out_dir}; nothing was overwritten.")


def save_dossier(
    vault: Vault,
    built: BuiltDossier,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    """Write DIR/dossier-<client>-<time>.pdf and .zip (the PDF the user previewed, as
    it is) and record the export in the ledger. A cancelled or failed save leaves
    nothing behind and records nothing."""
    from app.dossier.bundle import MANIFEST, write_bundle
    from app.evidence.manifest import evidence_for

    pdf, layout = built.pdf, built.layout
    out_dir = Path(out_dir).expanduser()
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidInput(f"{out_dir} is not a folder.")
    steps = _Progress(progress or (lambda *_: None), cancel)
    stem = file_stem(layout.selection, f"{layout.prepared_at:%Y%m%d-%H%M%S}")
    out_dir.mkdir(parents=True, exist_ok=True)
    pdf_path, zip_path = _free_names(out_dir, stem)
    partial_pdf, partial_zip = pdf_path.with_suffix(".pdf.partial"), zip_path.with_suffix(".zip.partial")
    from app.dossier.partials import create_private, remove_stale_partials

    remove_stale_partials(out_dir)  # left by an export that was killed
    pdf_sha = hashlib.sha256(pdf).hexdigest()
    sel = layout.selection
    assert layout.production is not None
    try:
        steps.start("bundle", len(layout.exhibits) + 1)
        # 0600 from the first byte: the dossier holds the whole record in the clear.
        create_private(partial_pdf)
        create_private(partial_zip)
        partial_pdf.write_bytes(pdf)
        evidence = evidence_for(vault, pdf_name=pdf_path.name, pdf_sha256=pdf_sha, layout=layout)
        sums = write_bundle(layout, partial_zip, pdf_path.name, pdf, tick=steps.tick, evidence=evidence)
        steps.check()
        # The production claims its numbers in the same transaction as its ledger
        # event; refused (and nothing kept) if another save took them meanwhile.
        production = record(
            vault,
            layout.production,
            pages=layout.total_pages,
            pdf_name=pdf_path.name,
            pdf_sha256=pdf_sha,
            manifest_sha256=sums[MANIFEST],
            details={
                "from": sel.options.date_from.isoformat() if sel.options.date_from else None,
                "to": sel.options.date_to.isoformat() if sel.options.date_to else None,
                "kinds": list(sel.kinds_chosen),
                "include_private": sel.options.include_private,
                "entry_ids": [c.entry.id for c in sel.entries],
                "exhibit_sha256": [ex.attachment.sha256 for ex in layout.exhibits],
                "pages": layout.total_pages,
                "bates_first": layout.bates(1),
                "bates_last": layout.bates(layout.total_pages),
                "ledger_head_in_pdf": sel.ledger_head,
                "prepared_at": layout.prepared_at.isoformat(),
                "pdf_name": pdf_path.name,
                "pdf_sha256": pdf_sha,
            },
        )
        partial_pdf.replace(pdf_path)
        partial_zip.replace(zip_path)
        # Kept only now that the export is saved: tokens into the ledger, failures into the queue.
        vault.anchors.keep(evidence.answers)
    except BaseException as error:
        partial_pdf.unlink(missing_ok=True)
        partial_zip.unlink(missing_ok=True)
        from app.vault.store import is_disk_full

        if is_disk_full(error):
            from app.errors import DiskFull, disk_full_message

            need = 2 * len(pdf) + sum(ex.attachment.size for ex in layout.exhibits)
            raise DiskFull(disk_full_message(out_dir, f"export {pdf_path.name}", need)) from None
        raise
    return ExportResult(
        pdf_path,
        zip_path,
        pdf_sha,
        layout.total_pages,
        len(sel.entries),
        len(layout.exhibits),
        production.number,
        layout.bates(1),
        layout.bates(layout.total_pages),
    )
