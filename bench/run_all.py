"""Run every benchmark in turn (``make bench``). Each prints its own ratios against a
baseline measured in the same run; figures go in docs/performance.md."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = ["bench_core.py", "bench_ingest.py", "bench_dossier.py", "bench_ui.py", "bench_parting.py", "bench_mail.py"]


def main() -> int:
    failed = []
    for name in BENCHES:
        print(f"\n== {name}", flush=True)
        if subprocess.run([sys.executable, str(HERE / name)], check=False).returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
