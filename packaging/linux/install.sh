#!/bin/sh
# Adds Casefile to your applications menu (for you only; nothing needs root).
# The program stays in this folder: move the folder first if you want it elsewhere.
set -eu
here=$(dirname "$(readlink -f "$0")")
apps="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
icons="${XDG_DATA_HOME:-$HOME/.local/share}/icons/hicolor"
mkdir -p "$apps" "$icons/scalable/apps"
cp "$here/icons/io.github.casefile.Casefile.svg" "$icons/scalable/apps/"
for png in "$here"/icons/io.github.casefile.Casefile-*.png; do
  size=${png##*-}; size=${size%.png}
  mkdir -p "$icons/${size}x${size}/apps"
  cp "$png" "$icons/${size}x${size}/apps/io.github.casefile.Casefile.png"
done
sed "s|^Exec=.*|Exec=\"$here/Casefile\" %F|" "$here/io.github.casefile.Casefile.desktop" > "$apps/io.github.casefile.Casefile.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
echo "Casefile is in your applications menu. Your vault lives in ~/.local/share/Casefile/vault."
