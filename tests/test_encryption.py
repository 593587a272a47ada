"""Nothing readable leaves the encrypted store."""

from __future__ import annotations

import os
from pathlib import Path

from tests.helpers.cli import CliRunner

MARKER = "ZEBRA-MARKER-7741"


def _files_under(*roots: Path) -> list[Path]:
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]


def test_database_file_is_not_plain_sqlite(vault) -> None:  # type: ignore[no-untyped-def]
    vault.clients.add("Anyone")
    header = (vault.path / "vault.db").read_bytes()[:16]
    assert header != b"SQLite format 3\x00"


def test_marker_never_appears_in_the_clear(cli: CliRunner, tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"  # where the user keeps the original file; not scanned
    scratch.mkdir()
    temp, config, data = tmp_path / "tmp", tmp_path / "config", tmp_path / "data"
    for folder in (temp, config, data):
        folder.mkdir()
    env = {"TMPDIR": str(temp), "XDG_CONFIG_HOME": str(config), "XDG_DATA_HOME": str(data), "HOME": str(tmp_path)}

    cli.ok("init", **env)
    cli.ok("client", "add", f"Client {MARKER}", "--email", f"{MARKER.lower()}@example.com", **env)
    entry = cli.ok(
        "log",
        "Client",
        "--kind",
        "note",
        "--title",
        f"Title {MARKER}",
        "--body",
        f"Body {MARKER} " * 100,
        "--json",
        **env,
    ).json()
    original = scratch / f"evidence-{MARKER}.txt"
    original.write_text(f"attachment content {MARKER}\n" * 1000)
    cli.ok("attach", str(entry["id"]), str(original), **env)
    cli.ok("edit", str(entry["id"]), "--body", f"Edited {MARKER}", **env)
    cli.ok("search", MARKER, **env)
    cli.ok("verify", **env)
    cli.ok("backup", str(tmp_path / "backup"), **env)

    needles = [MARKER.encode(), MARKER.lower().encode(), MARKER.encode("utf-16-le")]
    scanned = _files_under(cli.vault, tmp_path / "backup", temp, config, data)
    assert any(p.name == "vault.db" for p in scanned)
    leaks = [str(p) for p in scanned for needle in needles if needle in p.read_bytes()]
    assert leaks == []
    assert not list(temp.iterdir()), "nothing should be written to the temp dir"
    assert all(MARKER not in p.name for p in scanned)


def test_vault_files_are_private_to_the_user(vault) -> None:  # type: ignore[no-untyped-def]
    if os.name != "posix":
        return
    assert (vault.path.stat().st_mode & 0o077) == 0
    assert ((vault.path / "vault.key").stat().st_mode & 0o077) == 0


def test_core_dumps_are_disabled() -> None:
    import ctypes
    import resource

    from app.hardening import disable_core_dumps

    disable_core_dumps()
    assert resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)
    if Path("/proc/self/status").exists():
        assert ctypes.CDLL(None).prctl(3, 0, 0, 0, 0) == 0  # PR_GET_DUMPABLE
