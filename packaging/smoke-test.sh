#!/usr/bin/env bash
# `make bundle-test`: starts the bundled binary as an owner's machine would — no venv, no
# checkout on the path — and runs the record's story: version, demo vault, export, verify,
# verify-bundle, then the desktop app offscreen for a few seconds with no error output.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=$(readlink -f "$(ls -t dist/Casefile-*-linux-*.tar.gz | head -1)")
work=$(mktemp -d /tmp/casefile-bundle.XXXXXX)
trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$tarball"
cf=$(ls -d "$work"/Casefile-*/Casefile)
export HOME="$work/home" XDG_DATA_HOME="$work/home/.local/share" XDG_CONFIG_HOME="$work/home/.config"
export CASEFILE_VAULT="$work/vault" CASEFILE_PASSPHRASE_FILE="$work/pass" CASEFILE_KDF_PROFILE=minimum
export QT_QPA_PLATFORM=offscreen
unset PYTHONPATH VIRTUAL_ENV
mkdir -p "$HOME" "$work/out"
printf 'bundle smoke test passphrase\n' >"$work/pass"
cd "$work"

"$cf" --version
"$cf" demo >/dev/null
"$cf" export Gerald --out "$work/out" >/dev/null
# The app's path: the export in a spawned child process, which starts this same frozen
# executable (multiprocessing.freeze_support in packaging/casefile_entry.py).
# Its layout helper too (a grandchild, app/dossier/layout_helper.py), made to fail if it cannot run.
CASEFILE_LAYOUT_HELPER=require "$cf" export Gerald --out "$work/out-child" --separate-process >/dev/null
# The app's watched Inbox: a dropped e-mail read and imported by a spawned child (this executable).
mkdir -p "$work/inbox/Gerald Whitmore"
"$cf" watch --separate-process --inbox "$work/inbox" --settle 0.2 >"$work/watch.out" 2>"$work/watch.err" &
watcher=$!
printf 'From: Gerald Whitmore <gwhitmore@example.net>\nTo: owner@example.com\nSubject: Bundle smoke test\nDate: Tue, 03 Nov 2026 10:15:00 +0000\n\nThe tile is still cracked.\n' \
  >"$work/inbox/Gerald Whitmore/smoke.eml"
for _ in $(seq 1 150); do
  [ -n "$(find "$work/inbox/Imported" -name smoke.eml 2>/dev/null)" ] && break
  sleep 0.2
done
kill -TERM "$watcher"  # its clean stop (a background job of a script ignores SIGINT)
wait "$watcher" || { echo "bundle: watch --separate-process failed:" >&2; cat "$work/watch.err" >&2; exit 1; }
grep -q "smoke.eml" "$work/watch.out" || { echo "bundle: the Inbox child imported nothing:" >&2; cat "$work/watch.out" "$work/watch.err" >&2; exit 1; }
"$cf" verify
"$cf" verify-bundle "$work"/out/*.zip >/dev/null
"$cf" verify-bundle "$work"/out-child/*.zip >/dev/null
echo "bundle: demo, export (in process, and in a child process with its layout helper), the Inbox in a child, verify and verify-bundle passed"

# The desktop app on the demo vault for 5 s: still running at the end, nothing on stderr
# (the offscreen platform's own notices about raising windows aside).
set +e
timeout 5 "$cf" --demo 2>"$work/gui.err" >/dev/null
code=$?
set -e
errors=$(grep -v -E "This plugin does not support (raise|propagateSizeHints)" "$work/gui.err" || true)
if [ "$code" -ne 124 ] || [ -n "$errors" ]; then
  echo "bundle: the desktop app exited with $code or printed errors:" >&2
  printf '%s\n' "$errors" >&2
  exit 1
fi
echo "bundle: the desktop app ran 5 s offscreen without error output"
echo "bundle: $(du -h "$tarball" | cut -f1) packed ($tarball)"
