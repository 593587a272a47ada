"""Export a dossier: select, number, lay out, merge, bundle, record in the ledger.

``export_dossier`` is what the CLI calls, in its own process: ``build_dossier_pdf`` (the PDF
in memory, for a preview), then ``save_dossier`` = ``write_dossier`` (reads the vault only: the
PDF and the bundle as 0600 partial files) + ``record_dossier`` (the production and its ledger
event in one short transaction, then the renames). The app runs the first two in a child
process and the last here (app/dossier/child.py): the same three functions either way. All
report progress through a plain callback and stop at the next page when ``cancel`` is set,
leaving nothing behind.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.dossier.exhibits import number_exhibits
from app.dossier.productions import Plan, plan, record
from app.dossier.select import DossierOptions, Selection, select
from app.errors import CasefileError, InvalidInput
from app.records.times import now_utc
from app.vault import Vault

if TYPE_CHECKING:
    from app.dossier.layout import Layout
    from app.dossier.layout_helper import HelperLoadFiles, LayoutHelper

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
class DossierSummary:
    """What the preview says about a built dossier (picklable: it crosses the child's pipe)."""

    client_name: str
    pages: int
    entries: int
    exhibits: int
    bates_first: str
    bates_last: str


@dataclass(frozen=True)
class BuiltDossier:
    """A finished dossier PDF in memory, with what is needed to save its bundle."""

    pdf: bytes
    layout: Layout
    load_files: HelperLoadFiles | None = None  # documents/, text/ and the .xlsx the layout helper is making

    @property
    def pages(self) -> int:
        return self.layout.total_pages

    @property
    def summary(self) -> DossierSummary:
        layout = self.layout
        return DossierSummary(
            layout.selection.client.name,
            layout.total_pages,
            len(layout.selection.entries),
            len(layout.exhibits),
            layout.bates(1),
            layout.bates(layout.total_pages),
        )


def build_dossier_pdf(
    vault: Vault,
    options: DossierOptions,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    prepared_at: datetime | None = None,
) -> BuiltDossier:
    """Lay out the PDF in memory: for a preview before saving (nothing is written).
    ``prepared_at`` (default: now) is given by a parent process whose clock is the vault's."""
    from app.dossier.layout_helper import LayoutHelper, check_required, drop_spare, worth_it

    steps = _Progress(progress or (lambda *_: None), cancel)
    steps.start("select", 1)
    selection = select(vault, options)
    # A large dossier is laid out on two cores: the helper process starts now, beside the rest.
    helper = None
    if worth_it(selection):
        helper = LayoutHelper.start(vault, steps.check)
        check_required(helper is not None)
    else:
        drop_spare()
    try:
        built = _build(vault, options, selection, steps, prepared_at, helper)
    except BaseException:
        if helper is not None:
            helper.close()
        raise
    if helper is None:
        return built
    from app.dossier.chronology_export import rows
    from app.dossier.loadfile import documents

    # The helper, done with the layout, makes the bundle's load files from the signed PDF beside
    # what comes next here (the preview, or the save's originals): 1.1 s of 800 pages.
    docs = documents(built.layout)
    return BuiltDossier(built.pdf, built.layout, helper.load_files(built.pdf, docs, rows(built.layout, docs)))


def _build(
    vault: Vault,
    options: DossierOptions,
    selection: Selection,
    steps: _Progress,
    prepared_at: datetime | None,
    helper: LayoutHelper | None,
) -> BuiltDossier:
    from app.dossier.bates import finish_pdf
    from app.dossier.declaration import DEMO_LEGEND, check_form, check_legend
    from app.dossier.layout import Layout
    from app.dossier.pdf import build_parts

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
    prepared_at = (prepared_at or now_utc()).astimezone().replace(microsecond=0)
    layout = Layout(vault, selection, exhibits, prepared_at, production=production, legend=legend)
    layout.tick = steps.tick
    # Roughly one page per entry and exhibit, plus the front and back laid out twice.
    steps.start("layout", len(selection.entries) + 2 * len(exhibits) + len(selection.entries) // 10 + 12)
    from app.evidence.pdfsign import preload, sign_pdf_with_timestamp

    parts = build_parts(layout, helper, idle=preload)  # pyHanko imported while the helper prints the front
    steps.start("merge", len({n for n, _ in layout.placeholders.values()}))
    pdf = finish_pdf(layout, parts, layout.prepared_at)
    # Signed after Bates stamping: the signature covers the final bytes.

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


@dataclass(frozen=True)
class WrittenDossier:
    """The PDF and the bundle written as 0600 partial files, not yet recorded or renamed
    (picklable: an export's child process writes them, the parent records them)."""

    pdf_path: Path
    zip_path: Path
    partial_pdf: Path
    partial_zip: Path
    pdf_sha256: str
    manifest_sha256: str
    production: Plan
    details: dict[str, Any]
    pages: int
    entries: int
    exhibits: int
    bates_first: str
    bates_last: str
    need_bytes: int  # about what the files take, for a full disk's message
    answers: list[Any] = field(default_factory=list)  # TSA answers, kept only once recorded

    def discard(self) -> None:
        """Remove the partial files (a failed or refused save leaves nothing behind)."""
        self.partial_pdf.unlink(missing_ok=True)
        self.partial_zip.unlink(missing_ok=True)


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
    written = write_dossier(vault, built, out_dir, progress=progress, cancel=cancel)
    return record_dossier(vault, written)


def write_dossier(
    vault: Vault,
    built: BuiltDossier,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    before_writing: Callable[[Path, Path], None] | None = None,
) -> WrittenDossier:
    """The first half of a save, which only reads the vault: the PDF and the bundle as 0600
    partial files in ``out_dir``. ``before_writing(partial_pdf, partial_zip)`` is told their
    names before they exist (a parent that may kill this process removes them). A failure
    removes them and raises one line."""
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
    need = 2 * len(pdf) + sum(ex.attachment.size for ex in layout.exhibits)
    if before_writing is not None:
        before_writing(partial_pdf, partial_zip)
    try:
        steps.start("bundle", len(layout.exhibits) + 1)
        # 0600 from the first byte: the dossier holds the whole record in the clear.
        create_private(partial_pdf)
        create_private(partial_zip)
        partial_pdf.write_bytes(pdf)
        evidence = evidence_for(vault, pdf_name=pdf_path.name, pdf_sha256=pdf_sha, layout=layout)
        sums = write_bundle(
            layout, partial_zip, pdf_path.name, pdf, tick=steps.tick, evidence=evidence, load_files=built.load_files
        )
        steps.check()
    except BaseException as error:
        partial_pdf.unlink(missing_ok=True)
        partial_zip.unlink(missing_ok=True)
        if full := _disk_full(error, out_dir, pdf_path.name, need):
            raise full from None
        raise
    return WrittenDossier(
        pdf_path,
        zip_path,
        partial_pdf,
        partial_zip,
        pdf_sha,
        sums[MANIFEST],
        layout.production,
        {
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
        layout.total_pages,
        len(sel.entries),
        len(layout.exhibits),
        layout.bates(1),
        layout.bates(layout.total_pages),
        need,
        list(evidence.answers),
    )


def record_dossier(vault: Vault, written: WrittenDossier) -> ExportResult:
    """The second half of a save, in the process that writes the vault: the production and
    its ``dossier.export`` event in one short transaction, then the partial files take their
    names and the TSA answers are kept. Refused (partials removed, nothing recorded) if
    another save took the production's numbers meanwhile."""
    try:
        # The production claims its numbers in the same transaction as its ledger
        # event; refused (and nothing kept) if another save took them meanwhile.
        production = record(
            vault,
            written.production,
            pages=written.pages,
            pdf_name=written.pdf_path.name,
            pdf_sha256=written.pdf_sha256,
            manifest_sha256=written.manifest_sha256,
            details=written.details,
        )
        written.partial_pdf.replace(written.pdf_path)
        written.partial_zip.replace(written.zip_path)
        # Kept only now that the export is saved: tokens into the ledger, failures into the queue.
        vault.anchors.keep(written.answers)
    except BaseException as error:
        written.discard()
        if full := _disk_full(error, written.pdf_path.parent, written.pdf_path.name, written.need_bytes):
            raise full from None
        raise
    return ExportResult(
        written.pdf_path,
        written.zip_path,
        written.pdf_sha256,
        written.pages,
        written.entries,
        written.exhibits,
        production.number,
        written.bates_first,
        written.bates_last,
    )


def _disk_full(error: BaseException, out_dir: Path, name: str, need: int) -> CasefileError | None:
    """A full disk's one line (``DiskFull``), or None for any other error."""
    from app.vault.store import is_disk_full

    if not is_disk_full(error):
        return None
    from app.errors import DiskFull, disk_full_message

    return DiskFull(disk_full_message(out_dir, f"export {name}", need))
