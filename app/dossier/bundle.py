"""The bundle: a ZIP a lawyer or a review platform can take in and check.

<name>.pdf         the dossier
exhibits/…         every exhibit's original bytes, streamed from the vault
manifest.json      entries, exhibits, hashes, Bates ranges, ledger head
exhibits.csv       one row per exhibit
documents/…       the PDF split into one PDF per document (app/dossier/loadfile.py)
text/…            one UTF-8 text file per document
loadfile.dat      Concordance load file (þ quotes, ASCII 20 delimiter), one row per document
loadfile.opt      Opticon image cross-reference, one line per page
chronology.csv    the chronology for a spreadsheet or chronology tool (and .xlsx)
README.txt         how to verify
SHA256SUMS         every file above, for `sha256sum -c`
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.dossier.exhibits import Exhibit
from app.dossier.layout import Layout
from app.dossier.loadfile import DAT_NAME, OPT_NAME, Hashes, readme_lines
from app.errors import CorruptVault
from app.evidence.manifest import BundleEvidence

if TYPE_CHECKING:
    from app.dossier.layout_helper import HelperLoadFiles

MANIFEST, SUMS, README, CSV_NAME = "manifest.json", "SHA256SUMS", "README.txt", "exhibits.csv"
CSV_COLUMNS = (
    "number", "description", "entry_id", "file_name", "media_type", "size", "sha256", "native_path",
    "rendered_as", "note", "source", "acquired_at", "occurred_at", "recorded_at", "bates_first", "bates_last",
)  # fmt: skip


def manifest(layout: Layout, pdf_name: str, pdf_sha256: str) -> dict[str, Any]:
    sel = layout.selection
    return {
        "format": "casefile-dossier/1",
        "client": sel.client.name,
        "prepared_at": layout.prepared_at.isoformat(),
        "prepared_by": {"owner": sel.owner_name, "business": sel.business_name},
        "period": {
            "from": sel.options.date_from.isoformat() if sel.options.date_from else None,
            "to": sel.options.date_to.isoformat() if sel.options.date_to else None,
        },
        "kinds": list(sel.kinds_chosen),
        "include_private": sel.options.include_private,
        "ledger": {"events": sel.ledger_count, "head": sel.ledger_head, "seal": sel.seal},
        "production": _production_record(layout),
        "pdf": {
            "path": pdf_name,
            "sha256": pdf_sha256,
            "pages": layout.total_pages,
            "bates_first": layout.bates(1),
            "bates_last": layout.bates(layout.total_pages),
        },
        "entries": [
            {
                "id": c.entry.id,
                "kind": c.entry.kind,
                "title": c.entry.title,
                "occurred_at": c.entry.occurred_at.isoformat(),
                "recorded_at": c.entry.recorded_at.isoformat(),
                "revision": c.entry.rev,
                "retracted": c.entry.retraction is not None,
                "bates": layout.bates_of(f"entry:{c.entry.id}"),
            }
            for c in sel.entries
        ],
        "exhibits": [_exhibit_record(ex) for ex in layout.exhibits],
    }


def _production_record(layout: Layout) -> dict[str, Any] | None:
    prod = layout.production
    if prod is None:
        return None
    return {
        "number": prod.number,
        "recipient": prod.recipient,
        "supersedes": prod.supersedes.number if prod.supersedes else None,
        "bates_prefix": prod.prefix,
        "bates_digits": prod.digits,
    }


def _exhibit_record(ex: Exhibit) -> dict[str, Any]:
    att = ex.attachment
    return {
        "number": ex.number,
        "description": ex.description,
        "entry_id": ex.entry.id,
        "file_name": att.name,
        "media_type": att.media_type,
        "size": att.size,
        "sha256": att.sha256,
        "native_path": ex.native_path,
        "rendered_as": ex.category,
        "note": ex.reason,
        "source": att.source,
        "acquired_at": att.added_at.isoformat(),
        "occurred_at": ex.entry.occurred_at.isoformat(),
        "recorded_at": ex.entry.recorded_at.isoformat(),
        "bates_first": ex.bates_first,
        "bates_last": ex.bates_last,
    }


def exhibits_csv(layout: Layout) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for ex in layout.exhibits:
        row = _exhibit_record(ex)
        writer.writerow([row[c] for c in CSV_COLUMNS])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8


def dkim_field(metadata: dict[str, Any]) -> str:
    """The load file's DKIM field: 'pass d=example.com s=s1 aligned', 'fail …', 'none', or '' for non-emails."""
    from app.mail.dkim import summary

    s = summary(metadata)
    if s is None:
        return ""
    parts = [str(s["status"])]
    if s["domain"]:
        parts += [f"d={s['domain']}", f"s={s['selector']}", "aligned" if s["aligned"] else "not aligned"]
    return " ".join(parts)


PRIVILEGE_CSV = "privilege_log.csv"


def privilege_csv(layout: Layout) -> bytes | None:
    """The privilege log section as CSV, when there are private entries."""
    from app.dossier.declaration import has_privilege_log, privilege_rows

    if not has_privilege_log(layout):
        return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "kind", "participants", "description", "basis", "status"])
    writer.writerows(privilege_rows(layout))
    return out.getvalue().encode("utf-8-sig")


def readme(layout: Layout, pdf_name: str) -> bytes:
    sel = layout.selection
    text = f"""Dossier: record of dealings with {sel.client.name}
Prepared {layout.prepared_at.isoformat()} by {sel.owner_name or "(owner)"}, {sel.business_name or "(business)"}

What is here
  {pdf_name}   the dossier, pages {layout.bates(1)} to {layout.bates(layout.total_pages)}
  exhibits/      the original bytes of every exhibit, named EX<number>_<original name>
  {MANIFEST}  entries, exhibits, SHA-256 hashes, Bates ranges, ledger head
  {CSV_NAME}   one row per exhibit (UTF-8)
{readme_lines()}  chronology.csv, chronology.xlsx   the chronology, one row per entry, with source,
                 exhibits and Bates pin cites (times in the business time zone)
  {SUMS}     SHA-256 of every file above

How to verify (every line of {SUMS} must check as OK)
  1. Unpack the ZIP, open a terminal in the unpacked folder and run:
       Linux:    sha256sum -c {SUMS}
       macOS:    shasum -a 256 -c {SUMS}
       Windows:  in PowerShell, for any one file:   Get-FileHash -Algorithm SHA256 <file>
                 and compare with its line in {SUMS}; or check them all at once with
                 Get-Content {SUMS} | ForEach-Object {{ $h,$f = $_ -split '  ',2;
                   if ((Get-FileHash -Algorithm SHA256 -LiteralPath $f).Hash -ne $h) {{ "CHANGED: $f" }} }}
                 (no output means every file matches)
  2. Or, with Casefile installed (any of the three systems):   casefile verify-bundle THIS.zip
     It checks every hash and the manifest, and names any file changed, removed or added.
  3. The ledger head below identifies the exact state of the encrypted record when the
     dossier was made; the owner can re-check the record against it with `casefile verify`.

Ledger: {sel.ledger_count} events, head {sel.ledger_head}
Seal: {sel.seal}
"""
    return text.replace("\n", "\r\n").encode("utf-8")


def write_bundle(
    layout: Layout,
    zip_path: Path,
    pdf_name: str,
    pdf: bytes,
    tick: Callable[[], None] = lambda: None,
    evidence: BundleEvidence | None = None,
    load_files: HelperLoadFiles | None = None,
) -> dict[str, str]:
    """Write the ZIP; returns {path in bundle: sha256}. With ``evidence`` the manifest is
    signed (app/evidence/manifest.py) and timestamped when a TSA answers. ``load_files``: what
    the layout helper is making of ``pdf`` (else it is all made here)."""
    from app.evidence import manifest as signed

    sums: dict[str, str] = {}
    with zipfile.ZipFile(zip_path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:

        def put(name: str, data: bytes, compress: bool = True, sha256: str = "") -> None:
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED)
            sums[name] = sha256 or hashlib.sha256(data).hexdigest()

        pdf_sha = hashlib.sha256(pdf).hexdigest()
        put(pdf_name, pdf, compress=False)
        natives: dict[str, Hashes] = {}
        for ex in layout.exhibits:
            natives[ex.native_path] = _stream_exhibit(layout, zf, ex)
            sums[ex.native_path] = natives[ex.native_path].sha256
            tick()
        put(CSV_NAME, exhibits_csv(layout))
        privilege = privilege_csv(layout)
        if privilege is not None:
            put(PRIVILEGE_CSV, privilege)
        _load_files(layout, pdf, natives, put, load_files)
        text = readme(layout, pdf_name)
        if evidence is not None:
            text += signed.readme_section(evidence, pdf_name).encode("utf-8")
            put(signed.SCRIPT_NAME, signed.script_source())
            put(signed.KEY_NAME, evidence.public_key_pem.encode("ascii"))
        put(README, text)
        record = manifest(layout, pdf_name, pdf_sha)
        signed.add_ledger_hashes(layout, record)
        record["pdf"]["exhibit_index_pages"] = signed.index_pages(layout)
        record["files"] = dict(sums)
        if evidence is not None:
            record["signature"] = signed.signature_block(evidence)
        manifest_bytes = json.dumps(record, ensure_ascii=False, indent=2).encode("utf-8")
        put(MANIFEST, manifest_bytes)
        if evidence is not None:
            put(signed.SIG_NAME, evidence.sign(manifest_bytes))
            for name, token in evidence.tokens.items():  # the PDF's, got before the bundle
                put(name, token)
            if evidence.timestamp is not None:
                tokens = evidence.timestamp("manifest", hashlib.sha256(manifest_bytes).hexdigest(), MANIFEST)
                for name, token in tokens.items():
                    put(name, token)
        put(SUMS, "".join(f"{sha}  {name}\n" for name, sha in sums.items()).encode("utf-8"))
    return sums


def _load_files(
    layout: Layout,
    pdf: bytes,
    natives: dict[str, Hashes],
    put: Callable[..., None],
    load_files: HelperLoadFiles | None,
) -> None:
    """documents/, text/, the .dat and .opt and the chronology export (app/dossier/loadfile.py)."""
    from app.dossier import chronology_export as chrono
    from app.dossier import loadfile

    docs = loadfile.documents(layout)
    table = chrono.rows(layout, docs)
    made = load_files.take(docs, table) if load_files is not None else None
    pdfs = loadfile.put_documents(
        made.documents if made is not None else loadfile.split_documents(pdf, loadfile.page_ranges(docs)),
        lambda name, data, sha256: put(name, data, False, sha256),
    )
    if made is not None:
        for name, data in made.texts:
            put(name, data)
    else:
        loadfile.write_text_files(layout, pdf, docs, put)
    put(DAT_NAME, loadfile.concordance_dat(loadfile.dat_rows(layout, docs, natives, pdfs)))
    put(OPT_NAME, loadfile.opticon(layout, docs))
    put(chrono.CSV_NAME, chrono.chronology_csv(table))
    put(chrono.XLSX_NAME, made.xlsx if made is not None else chrono.chronology_xlsx(table), False)


def _stream_exhibit(layout: Layout, zf: zipfile.ZipFile, ex: Exhibit) -> Hashes:
    """Copy the original bytes chunk by chunk, re-hashing them on the way: a
    stored file that no longer matches its SHA-256 stops the export."""
    info = zipfile.ZipInfo(ex.native_path, date_time=ex.attachment.added_at.timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED  # photos and PDFs are compressed already
    digest, md5 = hashlib.sha256(), hashlib.md5()  # MD5 only for the load file, where reviewers expect it
    with zf.open(info, "w", force_zip64=ex.attachment.size > 2**31 - 1) as out:
        for chunk in layout.vault.attachments.iter_bytes(ex.attachment.sha256):
            digest.update(chunk)
            md5.update(chunk)
            out.write(chunk)
    if digest.hexdigest() != ex.attachment.sha256:
        raise CorruptVault(f"The stored file for {ex.label} ({ex.attachment.name}) no longer matches its SHA-256.")
    return Hashes(md5.hexdigest(), ex.attachment.sha256)
