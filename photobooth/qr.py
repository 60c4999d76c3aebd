"""QR codes as QImages (from the qrcode package's module matrix; no PIL round trip)."""

from __future__ import annotations

import qrcode
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter


def qr_matrix(text: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(text)
    code.make(fit=True)
    return code.get_matrix()


def qr_image(text: str, module_px: int = 8) -> QImage:
    """Black modules on white, `module_px` pixels each, quiet zone included."""
    matrix = qr_matrix(text)
    size = len(matrix) * module_px
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    for row, line in enumerate(matrix):
        for column, dark in enumerate(line):
            if dark:
                painter.drawRect(column * module_px, row * module_px, module_px, module_px)
    painter.end()
    return image
