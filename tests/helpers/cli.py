"""Run ``casefile`` as a separate process, exactly as a user or a script would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


class CliRunner:
    def __init__(self, vault: Path, passphrase_file: Path, home: Path) -> None:
        self.vault = vault
        self.passphrase_file = passphrase_file
        self.home = home

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            CASEFILE_VAULT=str(self.vault),
            CASEFILE_PASSPHRASE_FILE=str(self.passphrase_file),
            CASEFILE_KDF_PROFILE="minimum",
            PYTHONPATH=str(ROOT),
        )
        env.update(extra)
        return env

    def __call__(self, *args: str, input: str | None = None, timeout: float = 120, **env: str) -> Result:
        proc = subprocess.run(
            [sys.executable, str(ROOT / "main.py"), *args],
            input=input,
            capture_output=True,
            text=True,
            env=self.env(**env),
            timeout=timeout,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def ok(self, *args: str, **kw: Any) -> Result:
        result = self(*args, **kw)
        assert result.code == 0, f"casefile {' '.join(args)} failed ({result.code}): {result.err}"
        return result
