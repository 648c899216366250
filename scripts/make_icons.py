"""Draw resources/icons/sendesk.png and sendesk.ico from sendesk.svg (run after editing it).

Why generated files are committed: the app's window icon (Qt) and the Windows executable's
icon (PyInstaller) need raster images, and neither the app nor the build should depend on
an SVG renderer being present. Qt's own SVG renderer draws the PNG; Pillow packs the sizes
Windows asks for into the .ico.

    QT_QPA_PLATFORM=offscreen python scripts/make_icons.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

ICONS = Path(__file__).resolve().parents[1] / "resources" / "icons"
SIZE = 256
ICO_SIZES = [(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)]


def main() -> int:
    _app = QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(ICONS / "sendesk.svg"))
    if not renderer.isValid():
        print("make_icons: sendesk.svg could not be read as SVG.", file=sys.stderr)
        return 1
    image = QImage(SIZE, SIZE, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    png = ICONS / "sendesk.png"
    if not image.save(str(png), "PNG"):
        print(f"make_icons: {png} could not be written.", file=sys.stderr)
        return 1
    with Image.open(png) as picture:
        picture.save(ICONS / "sendesk.ico", sizes=ICO_SIZES)
    print(f"make_icons: wrote {png.name} and sendesk.ico in {ICONS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
