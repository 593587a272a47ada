"""Hostile files and a full disk: refused or kept with a reason, in one line, nothing else changed."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from app.cli.main import run_cli
from app.errors import CorruptVault, InvalidInput, KeyFileError
from tests.conftest import PASSPHRASE
from tests.helpers.disks import small_tmpfs

# -- times ---------------------------------------------------------------------


def test_times_outside_the_supported_years_are_refused_at_parse() -> None:
    from app.records.times import parse_when

    for text in ("9999-12-31T23:59-00:01", "0001-01-01T00:00+00:01", "0999-12-31T23:59Z", "2201-01-01T00:00Z"):
        with pytest.raises(InvalidInput, match="1900-2200"):
            parse_when(text)
    assert parse_when("1900-01-01T00:00Z")[0].year == 1900


def test_a_stored_time_from_an_older_version_stays_readable() -> None:
    from app.records.times import parse_utc_text

    assert parse_utc_text("999-12-31T23:59:00.000000Z") == datetime(999, 12, 31, 23, 59, tzinfo=UTC)
    with pytest.raises(CorruptVault):
        parse_utc_text("garbage")


# -- key file and database file ------------------------------------------------


@pytest.fixture
def locked_vault(vault_path: Path) -> Path:
    from app.vault import Vault

    v, _ = Vault.create(vault_path, PASSPHRASE)
    v.lock()
    return vault_path


def _edit_kdf(folder: Path, **changes: object) -> None:
    doc = json.loads((folder / "vault.key").read_text())
    for slot in doc["slots"]:
        if slot["type"] == "passphrase":
            slot["kdf"].update(changes)
    (folder / "vault.key").write_text(json.dumps(doc))


@pytest.mark.parametrize(
    "changes",
    [
        {"memory_kib": 4 * 1024 * 1024},
        {"time_cost": 64},
        {"parallelism": 2**20},
        {"memory_kib": 1024 * 1024, "time_cost": 32},
        {"time_cost": 1e400},
        {"salt": "AAAA"},
    ],
    ids=["4GiB", "64-passes", "parallelism", "cost", "inf", "short-salt"],
)
def test_absurd_kdf_parameters_are_refused_before_deriving(locked_vault: Path, changes: dict[str, object]) -> None:
    from app.vault import Vault

    _edit_kdf(locked_vault, **changes)
    start = time.process_time()
    with pytest.raises(KeyFileError):
        Vault.open(locked_vault, PASSPHRASE)
    assert time.process_time() - start < 1.0


@pytest.mark.parametrize("text", ["[" * 60_000, "{" * 100, '{"a":' * 5000 + "1" + "}" * 5000, "x" * 70_000])
def test_deep_or_huge_key_file_json_is_a_damaged_key_file(locked_vault: Path, text: str) -> None:
    from app.vault import Vault

    (locked_vault / "vault.key").write_text(text)
    with pytest.raises(KeyFileError, match="damaged"):
        Vault.open(locked_vault, PASSPHRASE)


@pytest.mark.parametrize("size", [0, 1, 4095])
def test_an_empty_or_short_database_is_reported_and_never_written(locked_vault: Path, size: int) -> None:
    from app.vault import Vault

    db = locked_vault / "vault.db"
    db.write_bytes(b"\x00" * size)
    with pytest.raises(CorruptVault, match="empty or truncated"):
        Vault.open(locked_vault, PASSPHRASE)
    assert db.read_bytes() == b"\x00" * size
    assert not (locked_vault / "vault.db-wal").exists()


def test_a_database_that_is_a_folder_is_reported(locked_vault: Path) -> None:
    from app.vault import Vault

    (locked_vault / "vault.db").unlink()
    (locked_vault / "vault.db").mkdir()
    with pytest.raises(CorruptVault, match="not a regular file"):
        Vault.open(locked_vault, PASSPHRASE)


def test_vault_files_are_private(vault, vault_path: Path) -> None:  # type: ignore[no-untyped-def]
    vault.clients.add("Someone")
    for name in ("vault.db", "vault.db-wal", "vault.db-shm", "vault.key"):
        assert (vault_path / name).stat().st_mode & 0o077 == 0, name


# -- photos with impossible EXIF -------------------------------------------------


def _jpeg_with_exif(when: str, offset: str) -> bytes:
    image = Image.new("RGB", (64, 48), "blue")
    exif = Image.Exif()
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = when  # DateTimeOriginal
    sub[0x9011] = offset  # OffsetTimeOriginal
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("when", "offset", "note"),
    [
        ("2026:03:08 14:05:00", "+24:00", "impossible offset"),
        ("2026:03:08 14:05:00", "99:99", "impossible offset"),
        ("1000:01:01 00:00:00", "+01:00", "out of range"),
    ],
)
def test_a_photo_with_one_impossible_exif_field_is_imported_with_a_note(
    vault, tmp_path: Path, when: str, offset: str, note: str
) -> None:  # type: ignore[no-untyped-def]
    from app.ingest.importer import import_path

    client = vault.clients.add("Gerald Whitmore")
    path = tmp_path / "photo.jpg"
    path.write_bytes(_jpeg_with_exif(when, offset))
    result = import_path(vault, client.id, path)
    assert result.status == "imported", result.line()
    assert vault.entries.get(result.entry_ids[0]).kind == "photo"
    assert note in result.line()
    assert vault.verify().ok


def test_a_fifo_in_the_inbox_does_not_hang_the_watcher(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.ingest.inbox import Inbox
    from app.ingest.inbox_folders import add_client_folder

    add_client_folder(vault, vault.clients.add("Gerald Whitmore").id)
    root = tmp_path / "Inbox"
    inbox = Inbox(vault, root, settle_seconds=0)
    inbox.prepare()
    folder = root / "Gerald Whitmore"
    os.mkfifo(folder / "pipe.eml")
    os.mkfifo(root / "root-pipe.eml")
    (folder / "dangling.txt").symlink_to(tmp_path / "nowhere")
    (folder / "note.txt").write_text("a real file")
    start = time.monotonic()  # wall time: a hang on a FIFO would use no CPU
    results = inbox.drain(timeout=10)
    assert time.monotonic() - start < 9  # well inside drain's own timeout: nothing blocked
    statuses = {Path(r.path).name: r.status for r in results}
    assert statuses == {"pipe.eml": "refused", "dangling.txt": "refused", "note.txt": "imported"}, statuses
    assert vault.verify().ok


# -- verify-bundle bounds ---------------------------------------------------------


def _zip(path: Path, members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return path


def _link(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = 0o120777 << 16
    return info


@pytest.mark.parametrize(
    ("members", "words"),
    [
        ([("../../etc/evil", b"x")], ["../../etc/evil", "unsafe name"]),
        ([("/abs/evil", b"x")], ["/abs/evil", "unsafe name"]),
        ([("natives\\evil.txt", b"x")], ["natives\\\\evil.txt", "unsafe name"]),
        ([("C:evil.txt", b"x")], ["C:evil.txt", "unsafe name"]),
        ([("natives/a.txt", b"x"), ("natives/a.txt", b"y")], ["natives/a.txt", "twice"]),
        ([(_link("natives/link"), b"/etc/passwd")], ["natives/link", "symbolic link"]),
        ([("natives/zeros.bin", b"\x00" * 20_000_000)], ["natives/zeros.bin", "ZIP bomb"]),
        ([("manifest.json", b"[" + b" " * 9_000_000 + b"]")], ["manifest.json", "at most"]),
    ],
    ids=["dotdot", "absolute", "backslash", "drive", "duplicate", "symlink", "bomb", "manifest"],
)
def test_hostile_bundles_are_refused_naming_the_member(tmp_path: Path, members: list, words: list[str]) -> None:  # type: ignore[type-arg]
    import warnings

    from app.dossier.verify_bundle import verify_bundle

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name
        bundle = _zip(tmp_path / "b.zip", [("dossier.pdf", b"%PDF-1.4"), *members])
    before = sorted(p.name for p in tmp_path.iterdir())
    start = time.process_time()
    report = verify_bundle(bundle)
    assert time.process_time() - start < 2
    assert not report.ok
    joined = " | ".join(report.problems)
    for word in words:
        assert word in joined, joined
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing extracted


def test_a_bundle_without_its_pdf_is_refused(tmp_path: Path) -> None:
    from app.dossier.verify_bundle import verify_bundle

    report = verify_bundle(_zip(tmp_path / "b.zip", [("SHA256SUMS", b""), ("manifest.json", b"{}")]))
    assert "no dossier PDF" in " ".join(report.problems)


def test_a_fifo_is_not_opened_as_a_bundle(tmp_path: Path) -> None:
    from app.dossier.verify_bundle import verify_bundle

    os.mkfifo(tmp_path / "b.zip")
    with pytest.raises(InvalidInput, match="not a regular file"):
        verify_bundle(tmp_path / "b.zip")


def test_stale_partial_exports_are_removed_and_fresh_ones_kept(tmp_path: Path) -> None:
    from app.dossier.partials import create_private, remove_stale_partials

    old, fresh = tmp_path / "dossier-a.pdf.partial", tmp_path / "dossier-b.zip.partial"
    create_private(old)
    create_private(fresh)
    assert old.stat().st_mode & 0o777 == 0o600
    os.utime(old, (time.time() - 3600, time.time() - 3600))
    (tmp_path / "notes.txt").write_text("mine")
    assert remove_stale_partials(tmp_path) == [old]
    assert fresh.exists() and (tmp_path / "notes.txt").exists()


# -- a full disk ---------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs (tests/helpers/disks.py)."""
    with small_tmpfs(tmp_path, 24) as mount:
        yield mount


def _fill(folder: Path, leave: int) -> Path:
    """Fill the file system holding ``folder`` until about ``leave`` bytes are free."""
    filler = folder / "filler"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with filler.open("wb") as handle:
        handle.write(b"\x00" * max(0, free - leave))
    return filler


def _cli(vault: Path, passphrase_file: Path, *argv: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    os.environ["CASEFILE_VAULT"] = str(vault)
    os.environ["CASEFILE_PASSPHRASE_FILE"] = str(passphrase_file)
    code = run_cli(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_disk_full_during_import_backup_and_export_is_one_line_and_changes_nothing(
    small_disk: Path,
    tmp_path: Path,
    passphrase_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.vault import Vault

    monkeypatch.setenv("CASEFILE_VAULT", "")
    vault_dir = small_disk / "vault"
    v, _ = Vault.create(vault_dir, PASSPHRASE)
    v.clients.add("Acme Plumbing")
    v.lock()
    evidence = tmp_path / "recording.bin"
    evidence.write_bytes(os.urandom(3_000_000))

    # import: the vault's own disk is full
    filler = _fill(small_disk, 1_000_000)
    code, _out, err = _cli(vault_dir, passphrase_file, "import", "Acme", str(evidence), capsys=capsys)
    assert code == 1 and len(err.splitlines()) == 1, err
    assert err.startswith(f"casefile: Not enough disk space in {vault_dir} to import recording.bin (need about ")
    assert err.rstrip().endswith("nothing was stored.")
    filler.unlink()
    assert _cli(vault_dir, passphrase_file, "verify", capsys=capsys)[0] == 0
    assert _cli(vault_dir, passphrase_file, "import", "Acme", str(evidence), capsys=capsys)[0] == 0

    # backup and export: the destination is full, the vault is elsewhere
    home = tmp_path / "vault"
    Vault.restore(vault_dir, home, PASSPHRASE)
    filler = _fill(small_disk, 500_000)
    for argv, action in (
        (["backup", str(small_disk / "backup")], "write the backup backup"),
        (["export", "Acme", "--out", str(small_disk / "out")], "export dossier-"),
    ):
        code, _out, err = _cli(home, passphrase_file, *argv, capsys=capsys)
        assert code == 1 and len(err.splitlines()) == 1, err
        assert err.startswith(f"casefile: Not enough disk space in {small_disk}") and action in err, err
        assert "nothing was stored." in err
    assert not (small_disk / "backup").exists()
    assert not any((small_disk / "out").glob("*.partial"))
    assert _cli(home, passphrase_file, "verify", capsys=capsys)[0] == 0
    filler.unlink()
    assert _cli(home, passphrase_file, "backup", str(small_disk / "backup"), capsys=capsys)[0] == 0


def test_disk_full_during_restore_is_one_line_and_leaves_nothing(
    small_disk: Path,
    tmp_path: Path,
    passphrase_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.vault import Vault

    monkeypatch.setenv("CASEFILE_VAULT", "")
    v, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    client = v.clients.add("Acme Plumbing")
    from app.records.models import EntryFields

    entry = v.entries.log(client.id, EntryFields("call", datetime(2026, 3, 1, tzinfo=UTC), "Call", "Refused to pay."))
    v.attachments.add_stream(entry.id, io.BytesIO(os.urandom(3_000_000)), "recording.bin")
    backup = v.backup(tmp_path / "backup")
    head = v.head()
    v.lock()
    before = {p.name: p.read_bytes() for p in backup.iterdir()}

    # the restore's destination is full: the backup is read, never changed, nothing is left
    target = small_disk / "restored"
    filler = _fill(small_disk, 1_000_000)
    code, out, err = _cli(target, passphrase_file, "restore", str(backup), capsys=capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "unexpected" not in err, err
    assert err.startswith(f"casefile: Not enough disk space in {small_disk} to restore the backup backup (need about ")
    assert err.rstrip().endswith(" MB); nothing was stored."), err
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # no vault, no partial folder
    assert {p.name: p.read_bytes() for p in backup.iterdir()} == before
    # space freed: the same command succeeds and the restored vault is the record
    filler.unlink()
    code, out, err = _cli(target, passphrase_file, "restore", str(backup), capsys=capsys)
    assert code == 0 and "verified" in out, err
    with Vault.open(target, PASSPHRASE) as restored:
        assert restored.verify().ok and restored.head() == head
    assert _cli(target, passphrase_file, "verify", capsys=capsys)[0] == 0


def test_disk_full_during_an_inbox_import_leaves_the_file_in_the_inbox_and_says_so_once(
    small_disk: Path,
    tmp_path: Path,
    passphrase_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Not the file's fault: it is neither moved to Failed nor lost, the watcher says the
    sentence once (not at every pass) and imports it once there is room again."""
    from app.ingest.inbox import FAILED_DIR, IMPORTED_DIR, Inbox
    from app.ingest.inbox_folders import add_client_folder
    from app.vault import Vault

    monkeypatch.setenv("CASEFILE_VAULT", "")
    vault_dir = small_disk / "vault"
    v, _ = Vault.create(vault_dir, PASSPHRASE)
    folder = add_client_folder(v, v.clients.add("Acme Plumbing").id)
    v.lock()
    inbox = tmp_path / "inbox"
    (inbox / folder).mkdir(parents=True)
    dropped = inbox / folder / "recording.bin"
    dropped.write_bytes(os.urandom(3_000_000))

    # casefile watch --once: one line, the file where it was, the vault verifying
    filler = _fill(small_disk, 1_000_000)
    argv = ("watch", "--once", "--settle", "0", "--inbox", str(inbox))
    code, _out, err = _cli(vault_dir, passphrase_file, *argv, capsys=capsys)
    assert code == 1 and len(err.splitlines()) == 1 and "unexpected" not in err, err
    assert err.startswith(f"casefile: Not enough disk space in {vault_dir} to import "), err
    assert err.rstrip().endswith("nothing was stored."), err
    assert dropped.is_file() and not any((inbox / FAILED_DIR).rglob("*"))
    assert _cli(vault_dir, passphrase_file, "verify", capsys=capsys)[0] == 0

    # the watcher in the background: said once while the disk stays full, then imported
    errors: list[str] = []
    with Vault.open(vault_dir, PASSPHRASE) as vault:
        watcher = Inbox(vault, inbox, settle_seconds=0.1, rescan_seconds=0.3, on_error=errors.append)
        watcher.start()
        try:
            deadline = time.monotonic() + 30
            while not errors and time.monotonic() < deadline:
                time.sleep(0.1)
            time.sleep(1.5)  # several more passes over the same full disk
            assert len(errors) == 1 and errors[0].startswith("Inbox: Not enough disk space in "), errors
            assert dropped.is_file()
            filler.unlink()
            deadline = time.monotonic() + 30
            while dropped.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            watcher.stop()
        assert not dropped.exists() and [p.name for p in (inbox / IMPORTED_DIR).rglob("*.bin")] == ["recording.bin"]
        assert vault.verify().ok
        assert vault.db.scalar("SELECT count(*) FROM blobs") == 1


# -- reader budgets ----------------------------------------------------------------

_HEAD = b"From: a@example.com\nDate: Mon, 1 Jan 2024 10:00:00 +0100\n"


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("to.eml", _HEAD + b"To: " + b", ".join(b"u%d@example.com" % i for i in range(100_000)) + b"\n\nx\n", "KB"),
        ("words.eml", _HEAD + b"Subject: " + b" ".join([b"=?utf-8?b?YWJj?="] * 16_000) + b"\n\nx\n", "encoded words"),
        ("endless.eml", _HEAD + b"Subject: " + b"x" * 3_000_000, "never ends"),
    ],
    ids=["100k-addresses", "16k-encoded-words", "endless-header"],
)
def test_hostile_headers_are_kept_unparsed_in_linear_time(
    vault, tmp_path: Path, name: str, data: bytes, why: str
) -> None:  # type: ignore[no-untyped-def]
    from app.ingest.importer import import_path

    client = vault.clients.add("Gerald Whitmore")
    (tmp_path / name).write_bytes(data)
    start = time.process_time()
    result = import_path(vault, client.id, tmp_path / name)
    assert time.process_time() - start < 5
    assert result.status == "imported" and why in vault.entries.get(result.entry_ids[0]).fields.body


def _nested(levels: int, *, closed: bool = True) -> bytes:
    opening = b"".join(b'Content-Type: multipart/mixed; boundary="b%d"\n\n--b%d\n' % (i, i) for i in range(levels))
    closing = b"".join(b"--b%d--\n" % i for i in reversed(range(levels))) if closed else b""
    return _HEAD + b"Subject: nest\n" + opening + b"Content-Type: text/plain\n\nhi\n" + closing


def test_mime_nesting_is_measured_before_the_stdlib_parser() -> None:
    """The parser's time grows with size x depth (10 000 levels: 5.5 s for 0.6 MB): the
    depth is read first, in one pass, and a tree beyond MAX_DEPTH never reaches it."""
    from app.ingest.email import MAX_DEPTH, mime_depth_problem

    for levels in (MAX_DEPTH + 1, 10_000):
        for closed in (True, False):
            assert f"nested more than {MAX_DEPTH} levels" in (mime_depth_problem(_nested(levels, closed=closed)) or "")
    assert mime_depth_problem(_nested(MAX_DEPTH)) is None
    # 300 sibling multiparts (closed or not) are wide, not deep
    for closing in (b"--a%d--\n", b""):
        siblings = b"".join(
            b'--top\nContent-Type: multipart/alternative; boundary="a%d"\n\n--a%d\nContent-Type: text/plain\n\nx\n'
            % (i, i)
            + (closing % i if closing else b"")
            for i in range(300)
        )
        flat = _HEAD + b'Subject: wide\nContent-Type: multipart/mixed; boundary="top"\n\n' + siblings + b"--top--\n"
        assert mime_depth_problem(flat) is None


def test_a_deep_mime_tree_is_kept_as_a_plain_file_with_the_reason(vault, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from app.ingest.email import MAX_DEPTH
    from app.ingest.importer import import_path

    client = vault.clients.add("Gerald Whitmore")
    (tmp_path / "deep.eml").write_bytes(_nested(10_000))
    (tmp_path / "fine.eml").write_bytes(_nested(3))
    deep = import_path(vault, client.id, tmp_path / "deep.eml")
    assert deep.status == "imported" and f"nested more than {MAX_DEPTH} levels" in deep.line()
    fine = import_path(vault, client.id, tmp_path / "fine.eml")
    assert fine.status == "imported" and "plain file" not in fine.line()
    assert vault.entries.get(fine.entry_ids[0]).fields.kind == "email"
    assert vault.verify().ok


def test_deeply_nested_html_is_read_in_linear_time() -> None:
    from app.ingest.htmltext import html_to_text

    start = time.process_time()
    text = html_to_text("<div>" * 100_000 + "deep <b>text</b> &amp; more" + "</div>" * 100_000)
    assert time.process_time() - start < 3
    assert text == "deep text & more"
    assert html_to_text("<p>Hello <b>there</b></p><script>alert(1)</script>") == "Hello there"


def test_a_member_far_larger_than_the_manifest_says_is_refused_before_hashing(tmp_path: Path) -> None:
    from app.dossier.verify_bundle import verify_bundle

    manifest = json.dumps({"pdf": {"path": "dossier.pdf"}, "exhibits": [{"native_path": "natives/a.bin", "size": 10}]})
    bundle = _zip(
        tmp_path / "b.zip",
        [("dossier.pdf", b"%PDF-1.4"), ("manifest.json", manifest.encode()), ("natives/a.bin", os.urandom(3_000_000))],
    )
    report = verify_bundle(bundle)
    assert any("natives/a.bin" in p and "the manifest says 10" in p for p in report.problems), report.problems
