"""Pictures for the attract loop: sample strips from assets/app/samples if any, else a drawn demo face.

The drawn demo needs no files and no model, so a fresh install still shows what the booth does.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen

from booth_core.ages import DEFAULT_AGES

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "assets" / "app" / "samples"


def _mix(young: QColor, old: QColor, t: float) -> QColor:
    return QColor(
        *(round(a + (b - a) * t) for a, b in zip(young.getRgb()[:3], old.getRgb()[:3], strict=True))
    )


def demo_face(age: int, size: int = 512) -> QImage:
    """A friendly drawn face: hair greys, the hairline recedes and lines appear as `age` grows."""
    t = max(0.0, min(1.0, (age - 20) / 60))
    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(_mix(QColor("#3b5b8c"), QColor("#5d4a6e"), t))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = size / 512
    hair = _mix(QColor("#3a2416"), QColor("#e8e6e3"), t)
    skin = _mix(QColor("#f1c7a3"), QColor("#e2b796"), t)
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#2b3550"))
    p.drawEllipse(QRectF(96 * s, 400 * s, 320 * s, 240 * s))  # shoulders
    p.setBrush(hair)
    top = (120 + 40 * t) * s
    p.drawEllipse(QRectF(138 * s, top - 30 * s, 236 * s, (220 - 40 * t) * s))  # hair
    p.setBrush(skin)
    p.drawEllipse(QRectF(156 * s, 110 * s, 200 * s, 260 * s))  # face
    p.setBrush(hair)
    fringe = QPainterPath()
    fringe.moveTo(150 * s, (200 + 10 * t) * s)
    fringe.cubicTo(170 * s, top, 340 * s, top, 362 * s, (200 + 10 * t) * s)
    fringe.lineTo(362 * s, top - 10 * s)
    fringe.lineTo(150 * s, top - 10 * s)
    fringe.closeSubpath()
    p.drawPath(fringe)
    p.setBrush(QColor("#2d2d2d"))
    for x in (214, 298):
        p.drawEllipse(QPointF(x * s, 232 * s), 11 * s, 11 * s)  # eyes
    line = QPen(QColor(90, 60, 50, round(60 + 150 * t)), max(1.0, 3 * s))
    line.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(line)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.drawArc(QRectF(216 * s, 270 * s, 80 * s, 50 * s), 200 * 16, 140 * 16)  # smile
    if t > 0.25:  # forehead lines and crow's feet
        for row in range(1 + round(3 * t)):
            y = (165 + 12 * row) * s
            p.drawArc(QRectF(200 * s, y, 112 * s, 20 * s), 30 * 16, 120 * 16)
        for x, sign in ((186, -1), (326, 1)):
            for k in (-1, 0, 1):
                p.drawLine(
                    QPointF(x * s, (232 + 6 * k) * s), QPointF((x + sign * 14) * s, (232 + 12 * k) * s)
                )
    if t > 0.6:  # glasses
        p.setPen(QPen(QColor("#222"), max(1.0, 4 * s)))
        for x in (214, 298):
            p.drawEllipse(QPointF(x * s, 232 * s), 30 * s, 24 * s)
        p.drawLine(QPointF(244 * s, 232 * s), QPointF(268 * s, 232 * s))
    p.end()
    return image


def attract_frames(ages=DEFAULT_AGES, samples_dir: Path = SAMPLES_DIR) -> list[tuple[str | None, QImage]]:
    """(label, image) pairs for the attract loop, at the configured ages: it must promise what the booth
    makes. Sample files are named like `anyname_age35.jpg`; those at a configured age are shown, and when
    fewer than two match, the drawn demo face at every configured age is shown instead."""
    wanted = {int(age) for age in ages}
    frames: list[tuple[str | None, QImage]] = []
    if samples_dir.is_dir():
        for path in sorted(samples_dir.glob("*.jpg")) + sorted(samples_dir.glob("*.png")):
            age = path.stem.rpartition("_age")[2]
            if not age.isdigit() or int(age) not in wanted:
                continue
            image = QImage(str(path))
            if not image.isNull():
                frames.append((age, image))
    frames.sort(key=lambda item: int(item[0]))
    if len(frames) < 2:
        frames = [(str(age), demo_face(age)) for age in sorted(wanted)]
    return frames
