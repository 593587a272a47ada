"""The app icon in every size a desktop asks for, drawn from resources/desktop/casefile.svg:
hicolor PNGs (Linux), .ico (Windows) and .icns (macOS) into build/icons/."""

from __future__ import annotations

import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def main(out: Path) -> None:
    from PIL import Image
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    source = Path(__file__).resolve().parent.parent / "resources" / "desktop" / "casefile.svg"
    renderer = QSvgRenderer(str(source))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {source}")
    out.mkdir(parents=True, exist_ok=True)
    pngs = []
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        path = out / f"casefile-{size}.png"
        image.save(str(path))
        pngs.append(path)
    biggest = Image.open(pngs[-1])
    biggest.save(out / "casefile.ico", sizes=[(s, s) for s in SIZES if s <= 256])
    biggest.save(out / "casefile.icns")
    print(f"icons: {len(pngs)} PNGs, casefile.ico, casefile.icns in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("build/icons"))
