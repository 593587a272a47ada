"""Bounds a bundle must meet before verify-bundle reads any of it.

A bundle comes from outside (a lawyer forwards it, a court receives it), so it is
hostile until checked: these checks look only at the file's type and the ZIP's
central directory, never extract anything to disk, and run before the hashes and
signatures are checked (verify_bundle.py calls ``check_bundle_file`` first, then
``check_members``).
"""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from app.errors import InvalidInput

MAX_MEMBERS = 100_000
MAX_MANIFEST_BYTES = 8 * 1024 * 1024  # ~ 20 000 exhibits; a real dossier's is a few KB
MAX_RATIO = 200  # compressed-to-uncompressed; real PDFs, photos and mail stay far below
MAX_RATIO_FLOOR_BYTES = 1024 * 1024
MAX_SIZE_EXCESS = (
    1024 * 1024
)  # beyond the manifest's size: refused before hashing  # small members may compress well (a 1 MB text of spaces)


def check_bundle_file(path: Path) -> None:
    """A regular file, checked before it is opened: a FIFO or device must not block."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InvalidInput(f"There is no file at {path}.") from None
    except OSError as error:
        raise InvalidInput(f"Cannot read {path}: {error.strerror or error}.") from None
    if stat.S_ISDIR(info.st_mode):
        raise InvalidInput(f"{path} is a folder; give the bundle's .zip file.")
    if not stat.S_ISREG(info.st_mode):
        raise InvalidInput(f"{path} is not a regular file.")


def member_problems(zf: zipfile.ZipFile, *, pdf_required: bool = True) -> list[str]:
    """Every reason to refuse the bundle found in its directory, each naming the member."""
    problems: list[str] = []
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        return [f"the bundle lists {len(infos):,} members (at most {MAX_MEMBERS:,})"]
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        shown = name[:120]
        if name in seen or name.lower() in seen:
            problems.append(f"member {shown!r} appears twice")
        seen.update((name, name.lower()))
        parts = name.split("/")  # not PurePosixPath: a third of the time for 20 000 members
        if name.startswith("/") or "\\" in name or ".." in parts or (len(name) > 1 and name[1] == ":"):
            problems.append(f"member {shown!r} has an unsafe name (absolute, '..', backslash or drive letter)")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            problems.append(f"member {shown!r} is a symbolic link")
        if info.file_size > MAX_RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            problems.append(
                f"member {shown!r} expands {info.file_size // max(info.compress_size, 1):,} times"
                f" (to {info.file_size:,} bytes): refused as a ZIP bomb"
            )
        if name == "manifest.json" and info.file_size > MAX_MANIFEST_BYTES:
            problems.append(f"manifest.json is {info.file_size:,} bytes (at most {MAX_MANIFEST_BYTES:,})")
    if pdf_required and not any(i.filename.lower().endswith(".pdf") and "/" not in i.filename for i in infos):
        problems.append("the bundle holds no dossier PDF")
    return problems


def manifest_sizes(manifest: object) -> dict[str, int]:
    """native_path -> size as the manifest states them (what is missing is skipped)."""
    sizes: dict[str, int] = {}
    exhibits = manifest.get("exhibits") if isinstance(manifest, dict) else None
    for ex in exhibits if isinstance(exhibits, list) else []:
        if isinstance(ex, dict) and isinstance(ex.get("size"), int) and isinstance(ex.get("native_path"), str):
            sizes[ex["native_path"]] = ex["size"]
    return sizes


def size_problems(zf: zipfile.ZipFile, manifest_sizes: dict[str, int]) -> list[str]:
    """Members far larger than the manifest says, found before any member is hashed (a
    small difference is left to the hash check, which names the change precisely)."""
    problems = []
    for info in zf.infolist():
        want = manifest_sizes.get(info.filename)
        if want is not None and info.file_size > want + MAX_SIZE_EXCESS:
            problems.append(f"member {info.filename[:120]!r} is {info.file_size:,} bytes; the manifest says {want:,}")
    return problems
