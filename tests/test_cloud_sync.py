"""A vault inside a cloud-synced folder gets a one-time warning (CLI and app)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.vault import Vault
from app.vault.cloud import sync_service
from tests.conftest import PASSPHRASE
from tests.helpers.cli import CliRunner


@pytest.mark.parametrize(
    ("parts", "service"),
    [
        (("Dropbox", "Casefile"), "Dropbox"),
        (("OneDrive - Contoso Ltd", "Documents"), "OneDrive"),
        (("Library", "Mobile Documents", "com~apple~CloudDocs"), "iCloud Drive"),
        (("GoogleDrive-owner@example.com", "My Drive"), "Google Drive"),
        (("Nextcloud",), "Nextcloud"),
        (("Documents", "Work"), None),
    ],
)
def test_synced_folders_are_recognised_by_name(tmp_path: Path, parts: tuple[str, ...], service: str | None) -> None:
    assert sync_service(tmp_path.joinpath(*parts, "vault")) == service


@pytest.mark.parametrize(
    ("marker", "content", "service"),
    [
        (".dropbox", b"{}", "Dropbox"),
        ("desktop.ini", b"IconResource=C:\\OneDrive\\icon.ico", "OneDrive"),
        (".sync_1a2b3c.db", b"", "Nextcloud"),
    ],
)
def test_synced_folders_are_recognised_by_marker_files(
    tmp_path: Path, marker: str, content: bytes, service: str
) -> None:
    (tmp_path / "Synced").mkdir()
    (tmp_path / "Synced" / marker).write_bytes(content)
    assert sync_service(tmp_path / "Synced" / "vault") == service


def test_the_warning_is_given_once_on_the_cli(tmp_path: Path, passphrase_file: Path) -> None:
    path = tmp_path / "Dropbox" / "vault"
    Vault.create(path, PASSPHRASE)[0].lock()
    cli = CliRunner(path, passphrase_file, tmp_path)
    first = cli("unlock")
    assert first.code == 0
    (line,) = first.err.splitlines()
    assert line.startswith(f"casefile: warning: The vault folder {path} is inside a Dropbox folder:")
    assert "`casefile backup`" in line
    assert cli("unlock").err == ""  # once
    assert cli("verify").code == 0


def test_the_app_shows_the_unlock_notices(demo_session) -> None:  # type: ignore[no-untyped-def]
    demo_session.vault.notices = ["The vault folder is inside a Dropbox folder: sync tools can corrupt it."]
    box = demo_session._show_notices(demo_session.vault)
    assert box.isVisible() and "Dropbox" in box.text()
    box.done(0)
