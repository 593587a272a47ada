"""Kill -9 torture: ``python bench/torture.py [--trials 500]``.

The same trials as tests/test_crash_safety.py, ten times as many: a child writing
entries and attachments, and a child changing the passphrase, each killed at random
instants; after every kill the vault must open (old or new passphrase, and the
recovery key), verify, and hold every change the child reported as committed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["CASEFILE_KDF_PROFILE"] = "minimum"

from app.vault import Vault
from tests.helpers.crash import PASSPHRASES, passwd_trials, write_trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "write"
        vault, _ = Vault.create(path, PASSPHRASES[0])
        vault.clients.add("Torture")
        vault.lock()
        start = time.perf_counter()
        committed = write_trials(path, PASSPHRASES[0], args.trials, seed=int(time.time()))
        print(
            f"write: {args.trials} kills, {committed} committed entries all present, verify ok"
            f" ({time.perf_counter() - start:.0f} s)"
        )

        path = Path(tmp) / "passwd"
        vault, recovery_key = Vault.create(path, PASSPHRASES[0])
        vault.lock()
        start = time.perf_counter()
        passwd_trials(path, recovery_key, args.trials, seed=int(time.time()))
        print(
            f"passwd: {args.trials} kills, vault always opened with the right passphrase and the recovery key"
            f" ({time.perf_counter() - start:.0f} s)"
        )


if __name__ == "__main__":
    main()
