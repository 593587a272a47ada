"""File modes and leaks: what Casefile writes is its owner's alone (0600 whatever the umask),
and no record content lands anywhere outside the vault and the exports the owner asked for."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli.main import run_cli
from tests.conftest import PASSPHRASE
from tests.helpers.cli import CliRunner

MARKER = "ZQXMARKER7731"


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _cli(vault: Path, passphrase_file: Path, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[str, str]:
    os.environ["CASEFILE_VAULT"] = str(vault)
    os.environ["CASEFILE_PASSPHRASE_FILE"] = str(passphrase_file)
    code = run_cli(list(argv))
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, err


def test_vault_backups_exports_and_letters_are_0600_under_umask_022(
    umask_022: None,
    tmp_path: Path,
    passphrase_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.records.models import EntryFields
    from app.records.times import now_utc
    from app.vault import Vault

    monkeypatch.setenv("CASEFILE_VAULT", "")
    vault, _ = Vault.create(tmp_path / "vault", PASSPHRASE)
    client = vault.clients.add("Acme Plumbing", emails=["acme@example.com"])
    entry = vault.entries.log(client.id, EntryFields("call", now_utc(), "Shouted", "He would not pay."))
    import io

    attachment = vault.attachments.add_stream(entry.id, io.BytesIO(b"photo bytes"), "photo.jpg")
    folder = vault.path
    assert _mode(folder) == 0o700
    for name in ("vault.db", "vault.key", "vault.db-wal", "vault.db-shm"):  # -wal/-shm while open
        assert _mode(folder / name) == 0o600, name
    copy = tmp_path / "copy.jpg"
    vault.attachments.export_to(attachment.sha256, copy)
    assert _mode(copy) == 0o600
    vault.lock()

    path = folder
    usb = tmp_path / "usb"
    usb.mkdir()
    out, _ = _cli(path, passphrase_file, capsys, "backup", "--auto", str(usb))
    (backup,) = [p for p in usb.iterdir()]
    assert str(backup) in out and _mode(backup) == 0o700
    assert {p.name: _mode(p) for p in backup.iterdir()} == {"vault.db": 0o600, "vault.key": 0o600}

    out, err = _cli(path, passphrase_file, capsys, "export", "Acme", "--out", str(tmp_path / "out"))
    pdf, bundle = (Path(line) for line in out.splitlines()[:2])
    assert pdf.suffix == ".pdf" and bundle.suffix == ".zip"  # the CLI says where the export went
    assert _mode(pdf) == 0o600 and _mode(bundle) == 0o600

    for suffix in ("txt", "eml", "pdf"):
        letter = tmp_path / f"letter.{suffix}"
        _out, err = _cli(
            path, passphrase_file, capsys, "letter", "Acme", "--template", "not-right-fit", "--out", str(letter)
        )
        assert str(letter) in err and _mode(letter) == 0o600, err
    clause = tmp_path / "clause.txt"
    _cli(path, passphrase_file, capsys, "template", "conduct-clause", "Acme", "--out", str(clause))
    assert _mode(clause) == 0o600


def test_the_emergency_kit_is_0600(umask_022: None, tmp_path: Path) -> None:
    from ui.emergency_kit import write_emergency_kit

    kit = write_emergency_kit(tmp_path / "kit.pdf", tmp_path / "vault", "ABCD-EFGH-IJKL-MNOP")
    assert _mode(kit) == 0o600


def _holding(root: Path, needle: bytes, skip: set[Path]) -> list[Path]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink() and not any(path.is_relative_to(s) for s in skip):
            data = path.read_bytes()
            if needle in data or needle.decode().encode("utf-16-le") in data:
                found.append(path)
    return found


def test_no_record_content_leaks_outside_the_vault_through_a_whole_cli_session(tmp_path: Path) -> None:
    """A marker in a client, an entry and an imported file, through a CLI session with
    CASEFILE_DEBUG=1 and HOME, TMPDIR and the caches pointed into the test's folder: it
    appears only in the exports (and never in the vault's own files, the backup, stderr)."""
    home, tmp, exports, usb = (tmp_path / n for n in ("home", "tmp", "exports", "usb"))
    for folder in (home, tmp, usb):
        folder.mkdir()
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n")
    cli = CliRunner(tmp_path / "vault", secret, tmp_path)
    env = {
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
        "CASEFILE_DEBUG": "1",
    }
    evidence = tmp_path / "evidence" / "note.txt"
    evidence.parent.mkdir()
    evidence.write_text(f"The client wrote: {MARKER} in a message.\n")
    errors = []
    name = f"Client {MARKER}"
    for argv in (
        ("init",),
        ("client", "add", name),
        ("log", name, "--kind", "call", "--title", f"Call {MARKER}", "--body", f"Body {MARKER}"),
        ("import", name, str(evidence)),
        ("export", name, "--out", str(exports)),
        ("backup", "--auto", str(usb)),
    ):
        result = cli.ok(*argv, **env)
        errors.append(result.err)
    backup = next(usb.iterdir())
    result = cli.ok("restore", "--check", str(backup), **env)
    assert MARKER not in "".join(errors) + result.err
    needle = MARKER.encode()
    assert _holding(exports, needle, set())  # the marker is findable where it is meant to be
    assert _holding(tmp_path, needle, {exports, evidence.parent}) == []
