#!/usr/bin/env bash
# Debian/Ubuntu packages Casefile needs: Qt's runtime libraries (offscreen and xcb),
# Xvfb for screenshots, poppler-utils (pdftotext/pdftoppm) for tests, DejaVu fonts,
# dovecot-imapd: the real IMAP server the mail tests start on 127.0.0.1 (tests/helpers/dovecot.py),
# openssl: the local RFC 3161 TSA in tests/helpers/tsa.py and the signature checks in tests/test_signed_bundle.py.
# fonts-droid-fallback and fonts-nanum: TrueType CJK and Hangul fonts the dossier embeds;
# fonts-symbola: monochrome TrueType emoji and symbols for the dossier (colour emoji fonts cannot be embedded)
# (reportlab embeds TrueType outlines, not the CFF of Noto CJK).
# Installs only what is missing; needs root (or sudo) the first time.
set -euo pipefail

packages=(
  libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xfixes0 libxcb-xkb1 libx11-xcb1
  xvfb xauth poppler-utils poppler-data fonts-dejavu-core fonts-droid-fallback fonts-nanum fonts-symbola
  dovecot-imapd openssl
)

if ! command -v dpkg >/dev/null 2>&1; then
  echo "Not a Debian-based system: install Qt 6's runtime libraries, Xvfb and poppler-utils yourself." >&2
  exit 0
fi

missing=()
for pkg in "${packages[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing system packages: ${missing[*]}"
if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
