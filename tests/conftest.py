"""Shared fixtures: a real vault in tmp_path, the CLI run as a user would, offscreen Qt."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Tests run offscreen and with the floor Argon2id parameters (64 MiB, 1 pass): the
# floor is what the key file accepts, so this exercises the real code path, faster.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["CASEFILE_KDF_PROFILE"] = "minimum"
# Tests never reach a public time-stamping authority: only the local one (tests/helpers/tsa.py).
os.environ["CASEFILE_TSA_LOOPBACK_ONLY"] = "1"

from tests.helpers.cli import CliRunner  # noqa: E402

# The desktop app's fixtures (sessions, settings in a temp file, an unlocked demo vault).
pytest_plugins = ["tests.helpers.ui"]

PASSPHRASE = "correct horse battery staple"
# The sample corpus travels with the tests (tests/data/corpus, sources and licences in its
# README.md); CASEFILE_CORPUS may point at another copy with extra cases.
CORPUS = Path(os.environ.get("CASEFILE_CORPUS") or ROOT / "tests" / "data" / "corpus")


def pytest_configure(config: pytest.Config) -> None:
    if not (CORPUS / "email").is_dir():
        raise pytest.UsageError(f"The sample corpus is missing at {CORPUS}; it ships in tests/data/corpus, or set CASEFILE_CORPUS.")


@pytest.fixture
def vault_path(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def vault(vault_path: Path):  # type: ignore[no-untyped-def]
    from app.vault import Vault

    v, _recovery = Vault.create(vault_path, PASSPHRASE)
    yield v
    v.lock()


@pytest.fixture
def passphrase_file(tmp_path: Path) -> Path:
    path = tmp_path / "passphrase.txt"
    path.write_text(PASSPHRASE + "\n")
    return path


@pytest.fixture
def cli(tmp_path: Path, vault_path: Path, passphrase_file: Path) -> CliRunner:
    return CliRunner(vault_path, passphrase_file, tmp_path)


@pytest.fixture
def demo_vault(tmp_path: Path):  # type: ignore[no-untyped-def]
    """The demo vault, open. Built once per test (about 0.3 s)."""
    from app.demo import build_demo_vault
    from app.vault import Vault

    path = tmp_path / "demo"
    build_demo_vault(path, PASSPHRASE)
    v = Vault.open(path, PASSPHRASE)
    yield v
    v.lock()


class _Clock:
    def __init__(self) -> None:
        import time

        self._start = time.monotonic()

    def elapsed(self) -> float:
        import time

        return time.monotonic() - self._start


_SESSION_CLOCK = _Clock()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, exitstatus: int) -> None:
    """One closing line for `make test`: how many ran, how many were skipped and why, how long."""
    stats = terminalreporter.stats
    counts = {key: len(stats.get(key, [])) for key in ("passed", "failed", "error", "skipped")}
    ran = counts["passed"] + counts["failed"]
    seconds = _SESSION_CLOCK.elapsed()
    reasons = sorted({str(report.longrepr[-1]) for report in stats.get("skipped", []) if report.longrepr})
    line = (
        f"Casefile tests: {ran} ran, {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['error']} errors, {counts['skipped']} skipped, in {seconds:.0f} s"
    )
    terminalreporter.write_sep("=", line)
    for reason in reasons:
        terminalreporter.write_line(f"  skipped: {reason}")
