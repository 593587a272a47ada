"""The core's platform-specific branches, exercised here with ``sys.platform`` patched.

Casefile ships for Linux, Windows and macOS; CI runs on Linux, so the Windows and macOS
branches are driven by patching ``sys.platform`` — what each branch decides is what a
real machine of that kind would do (the OS calls themselves cannot be faked honestly).
"""

from __future__ import annotations

import ctypes
import os
import sys
from pathlib import Path

import pytest

from app import hardening
from app.vault import fsutil


@pytest.mark.parametrize("platform", ["win32", "darwin", "linux"])
def test_atomic_write_replaces_the_file_on_every_platform(
    platform: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened_dirs: list[str] = []
    real_open = os.open

    def spy_open(path: object, flags: int, *args: int) -> int:
        if Path(str(path)).is_dir():
            opened_dirs.append(str(path))
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(os, "open", spy_open)
    target = tmp_path / "vault.key"
    target.write_bytes(b"old")
    fsutil.atomic_write(target, b"new")
    assert target.read_bytes() == b"new"
    assert [p.name for p in tmp_path.iterdir()] == ["vault.key"]  # no temp file left behind
    # Windows has no directory handles: the directory fsync is skipped there, done elsewhere.
    assert opened_dirs == ([] if platform == "win32" else [str(tmp_path)])


@pytest.mark.parametrize(("platform", "expects_prctl"), [("linux", True), ("darwin", False), ("win32", False)])
def test_no_core_dumps_uses_prctl_only_on_linux(
    platform: str, expects_prctl: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[int, ...]] = []

    class FakeLibc:
        def prctl(self, *args: int) -> int:
            calls.append(args)
            return 0

    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(ctypes, "CDLL", lambda *_a, **_k: FakeLibc())
    hardening.disable_core_dumps()
    assert bool(calls) is expects_prctl
    if expects_prctl:
        assert calls[0][:2] == (hardening.PR_SET_DUMPABLE, 0)


def test_the_default_vault_lives_in_each_platforms_user_data_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    from platformdirs.macos import MacOS
    from platformdirs.unix import Unix
    from platformdirs.windows import Windows

    monkeypatch.setenv("HOME", "/home/owner")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert Unix("Casefile", appauthor=False).user_data_dir == "/home/owner/.local/share/Casefile"
    assert MacOS("Casefile", appauthor=False).user_data_dir.endswith("Library/Application Support/Casefile")
    # On Windows, platformdirs asks the shell for the roaming/local AppData folder.
    monkeypatch.setattr(
        "platformdirs.windows.get_win_folder", lambda csidl: r"C:\Users\owner\AppData\Local", raising=False
    )
    path = Windows("Casefile", appauthor=False).user_data_dir
    assert path.replace("/", "\\").endswith(r"AppData\Local\Casefile")
