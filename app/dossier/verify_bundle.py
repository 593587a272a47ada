"""Check a dossier bundle: every file against SHA256SUMS, the manifest against the
files, the PDF's page count; name anything changed, removed or added.

Needs no vault and no passphrase: anyone holding the ZIP can run it.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from app.dossier.bundle import MANIFEST, SUMS
from app.errors import InvalidInput

CHUNK = 1024 * 1024


@dataclass
class BundleReport:
    problems: list[str] = field(default_factory=list)
    files_checked: int = 0
    pages: int = 0
    ledger_head: str = ""
    signed_by: str = ""  # the fingerprint of the key manifest.sig verified with

    @property
    def ok(self) -> bool:
        return not self.problems


def _hash_member(zf: zipfile.ZipFile, name: str) -> str:
    digest = hashlib.sha256()
    with zf.open(name) as member:
        while chunk := member.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _parse_sums(text: str) -> dict[str, str]:
    sums: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        sha, sep, name = line.partition("  ")
        if not sep or len(sha) != 64:
            raise ValueError(line)
        sums[name.lstrip("*")] = sha.lower()
    return sums


def verify_bundle(path: Path, expect_fingerprint: str | None = None) -> BundleReport:
    """``expect_fingerprint``: the signing key's fingerprint the recipient got from the owner."""
    from app.dossier import bundle_bounds

    report = BundleReport()
    bundle_bounds.check_bundle_file(path)  # before any open: a FIFO must not block
    try:
        zf = zipfile.ZipFile(path)
    except FileNotFoundError:
        raise InvalidInput(f"There is no file at {path}.") from None
    except IsADirectoryError:
        raise InvalidInput(f"{path} is a folder; give the bundle's .zip file.") from None
    except (zipfile.BadZipFile, OSError) as error:
        report.problems.append(f"the bundle is not a readable ZIP file ({error})")
        return report
    with zf:
        # The bounds first, from the ZIP's directory alone: unsafe names, duplicates,
        # links, bombs, an oversized manifest, sizes the manifest does not state.
        report.problems += bundle_bounds.member_problems(zf)
        if not report.problems and MANIFEST in zf.namelist():
            try:
                stated = bundle_bounds.manifest_sizes(json.loads(zf.read(MANIFEST)))
            except (ValueError, RecursionError, zipfile.BadZipFile, OSError, zlib.error):
                stated = {}
            report.problems += bundle_bounds.size_problems(zf, stated)
        if report.problems:
            return report
        names = [info.filename for info in zf.infolist() if not info.is_dir()]
        _check_signature(zf, names, expect_fingerprint, report)  # first: is the manifest the signer's?
        if SUMS not in names:
            report.problems.append(f"{SUMS} was removed: the bundle cannot be checked")
            return report
        try:
            sums = _parse_sums(zf.read(SUMS).decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            report.problems.append(f"{SUMS} was changed: a line is not '<sha256>  <file>'")
            return report
        actual: dict[str, str] = {}
        for name in names:
            if name == SUMS:
                continue
            if name not in sums:
                report.problems.append(f"{name} was added (it is not in {SUMS})")
                continue
            try:
                actual[name] = _hash_member(zf, name)
            except (zipfile.BadZipFile, OSError, zlib.error) as error:
                report.problems.append(f"{name} is damaged in the ZIP ({error})")
                continue
            report.files_checked += 1
            if actual[name] != sums[name]:
                report.problems.append(f"{name} was changed (its SHA-256 differs from {SUMS})")
        for name in sums:
            if name not in names:
                report.problems.append(f"{name} was removed")
        _check_manifest(zf, names, actual, report)
        _check_signed_contents(zf, names, actual, report)
    return report


def _check_signature(zf: zipfile.ZipFile, names: list[str], expect: str | None, report: BundleReport) -> None:
    from app.evidence.manifest import check_signature

    problems, report.signed_by = check_signature(zf, names, expect)
    report.problems += problems


def _check_signed_contents(zf: zipfile.ZipFile, names: list[str], actual: dict[str, str], report: BundleReport) -> None:
    """The manifest's file list, then the hashes printed in the PDF's exhibit index."""
    from app.evidence.manifest import MAX_MANIFEST, check_files, check_pdf_index

    if MANIFEST not in names or zf.getinfo(MANIFEST).file_size > MAX_MANIFEST:
        return
    try:
        manifest = json.loads(zf.read(MANIFEST))
        pdf_name = str(manifest["pdf"]["path"])
    except (ValueError, KeyError, TypeError):
        return  # _check_manifest said so
    report.problems += [p for p in check_files(manifest, actual, names) if p not in report.problems]
    if pdf_name in actual:
        report.problems += check_pdf_index(zf.read(pdf_name), manifest)


def _check_manifest(zf: zipfile.ZipFile, names: list[str], actual: dict[str, str], report: BundleReport) -> None:
    """SHA256SUMS could have been rewritten along with a file; the manifest's
    own hashes (and the PDF's page count) must agree too."""
    if MANIFEST not in names:
        return
    try:
        manifest = json.loads(zf.read(MANIFEST))
        pdf = manifest["pdf"]
        exhibits = manifest["exhibits"]
    except (ValueError, KeyError, TypeError, RecursionError):
        report.problems.append(f"{MANIFEST} was changed: it is not a dossier manifest")
        return
    report.ledger_head = str(manifest.get("ledger", {}).get("head", ""))
    expected = {str(pdf.get("path")): str(pdf.get("sha256"))}
    expected.update({str(ex.get("native_path")): str(ex.get("sha256")) for ex in exhibits})
    for name, sha in expected.items():
        if name in actual and actual[name] != sha:
            report.problems.append(f"{name} does not match the SHA-256 in {MANIFEST}")
        elif name not in names and not any(p.startswith(f"{name} was removed") for p in report.problems):
            report.problems.append(f"{name} was removed (it is listed in {MANIFEST})")
    pdf_name = str(pdf.get("path"))
    if pdf_name in actual and actual[pdf_name] == expected[pdf_name]:
        report.pages = _page_count(zf, pdf_name)
        if report.pages != pdf.get("pages"):
            report.problems.append(f"{pdf_name} has {report.pages} pages; {MANIFEST} says {pdf.get('pages')}")


def _page_count(zf: zipfile.ZipFile, name: str) -> int:
    import io

    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(zf.read(name))) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError:
        return -1
