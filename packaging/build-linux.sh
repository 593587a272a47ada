#!/usr/bin/env bash
# `make bundle`: a PyInstaller one-folder build of Casefile for Linux, packed as a tarball an
# owner unpacks and double-clicks (or runs ./install.sh once for a menu entry).
# Output: dist/Casefile-<version>-linux-<arch>.tar.gz; prints its size and the build time.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
start=$(date +%s)

"$PY" -m pip install --quiet "pyinstaller>=6.10,<7"
QT_QPA_PLATFORM=offscreen "$PY" packaging/make_icons.py build/icons
"$PY" -m PyInstaller --noconfirm --log-level WARN \
  --distpath build/bundle/dist --workpath build/bundle/work packaging/casefile.spec

version=$("$PY" -c "from app.about import version; print(version())")
name="Casefile-$version-linux-$(uname -m)"
stage="build/bundle/$name"
rm -rf "$stage" && mkdir -p "$stage/icons"
cp -a build/bundle/dist/casefile "$stage/casefile"
cp resources/desktop/io.github.casefile.Casefile.desktop resources/desktop/io.github.casefile.Casefile.metainfo.xml "$stage/"
cp resources/desktop/casefile.svg "$stage/icons/io.github.casefile.Casefile.svg"
for png in build/icons/casefile-*.png; do
  size=${png##*-}; size=${size%.png}
  cp "$png" "$stage/icons/io.github.casefile.Casefile-$size.png"
done
cp packaging/linux/Casefile packaging/linux/install.sh packaging/linux/README.txt "$stage/"
chmod +x "$stage/Casefile" "$stage/install.sh"

mkdir -p dist
tar -C build/bundle -czf "dist/$name.tar.gz" "$name"
end=$(date +%s)
echo "bundle: dist/$name.tar.gz, $(du -h "dist/$name.tar.gz" | cut -f1) packed, $(du -sh "$stage" | cut -f1) unpacked, built in $((end - start)) s"
