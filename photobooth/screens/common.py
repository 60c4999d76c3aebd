"""What every screen shares: the look (a stylesheet scaled to the window), touch-sized buttons, drawing helpers."""

from __future__ import annotations

import time

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QSizePolicy, QWidget

from photobooth.strings import Strings

TOUCH_MM = 15.0
#: The smallest text an attendee must read, in pixels at a 1080-pixel short side.
MIN_TEXT_PX = 32
BACKGROUND = "#10131c"
ACCENT = "#ffb347"
TEXT = "#f4f1ea"
MUTED = "#a9adbb"


def touch_px(widget: QWidget | None = None, millimetres: float = TOUCH_MM) -> int:
    """Pixels for a physical length on the screen the widget is on (logical DPI, so scaling is respected)."""
    screen = (widget.screen() if widget is not None else None) or QApplication.primaryScreen()
    dpi = screen.logicalDotsPerInch() if screen is not None else 96.0
    return max(1, round(millimetres / 25.4 * dpi))


def stylesheet(width: int, height: int, touch: int) -> str:
    """The app's look for a window size: text scales with the short side so portrait and landscape both fit.

    Sizes are for a 1080-pixel short side: nothing an attendee must read is under MIN_TEXT_PX there
    (legible from about 1.5 m), and grey text keeps a contrast of 8:1 on the background.
    """
    unit = max(0.45, min(width, height) / 1080)
    size = {"huge": 96, "title": 60, "big": 44, "body": 36, "small": MIN_TEXT_PX}
    px = {name: max(12, round(value * unit)) for name, value in size.items()}
    button = max(touch, round(96 * unit))
    return f"""
    QWidget {{ background: {BACKGROUND}; color: {TEXT}; font-size: {px["body"]}px; }}
    QLabel {{ background: transparent; }}
    QLabel[role="huge"] {{ font-size: {px["huge"]}px; font-weight: 700; color: {ACCENT}; }}
    QLabel[role="title"] {{ font-size: {px["title"]}px; font-weight: 700; }}
    QLabel[role="big"] {{ font-size: {px["big"]}px; font-weight: 600; }}
    QLabel[role="body"] {{ font-size: {px["body"]}px; }}
    QLabel[role="small"] {{ font-size: {px["small"]}px; color: {MUTED}; }}
    QLabel[role="field"] {{ font-size: {px["body"]}px; color: {MUTED}; }}
    QPushButton {{ min-height: {button}px; min-width: {button * 2}px; padding: 0 {round(36 * unit)}px;
        border-radius: {button // 2}px; font-size: {px["big"]}px; font-weight: 600;
        background: #2a3042; color: {TEXT}; border: 2px solid #3c4460; }}
    QPushButton:pressed {{ background: #3c4460; }}
    QPushButton[primary="true"] {{ background: {ACCENT}; color: #1b1204; border: none; }}
    QPushButton[primary="true"]:pressed {{ background: #e09a30; }}
    QPushButton[stepper="true"] {{ min-width: {touch}px; max-width: {touch}px; min-height: {touch}px;
        max-height: {touch}px; border-radius: {touch // 2}px; padding: 0; }}
    QPushButton[compact="true"] {{ min-height: {touch}px; max-height: {touch}px; border-radius: {touch // 2}px;
        font-size: {px["body"]}px; }}
    QPushButton[key="true"] {{ min-width: {round(touch * 0.8)}px; padding: 0; border-radius: {touch // 4}px; }}
    QPushButton:checked {{ background: {ACCENT}; color: #1b1204; border: none; }}
    QPushButton:disabled {{ color: #5c6276; }}
    QLineEdit, QSpinBox, QDoubleSpinBox, QComboBox {{ min-height: {touch}px; font-size: {px["body"]}px;
        background: #1c2130; border: 1px solid #3c4460; border-radius: 6px; padding: 0 8px; }}
    QComboBox::drop-down {{ width: {touch}px; border: none; }}
    QComboBox QAbstractItemView::item {{ min-height: {touch}px; }}
    QScrollArea {{ border: none; }}
    QScrollBar:vertical {{ width: {round(28 * unit)}px; background: #1c2130; border: none; }}
    QScrollBar::handle:vertical {{ background: #3c4460; border-radius: {round(10 * unit)}px; min-height: {touch}px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
    QProgressBar {{ min-height: {round(18 * unit)}px; max-height: {round(18 * unit)}px; border-radius: {round(9 * unit)}px;
        background: #2a3042; border: none; }}
    QProgressBar::chunk {{ background: {ACCENT}; border-radius: {round(9 * unit)}px; }}
    """


def make_label(
    text: str = "", role: str = "body", align=Qt.AlignmentFlag.AlignCenter, wrap: bool = True
) -> QLabel:
    label = QLabel(text)
    label.setProperty("role", role)
    label.setAlignment(align)
    label.setWordWrap(wrap)
    label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
    return label


def fit_one_line(label: QLabel, largest_px: int, width: int) -> None:
    """Shrink `label`'s text until it fits `width` on one line (never wrapping a short call to action)."""
    font = QFont(label.font())
    font.setBold(True)
    px = largest_px
    while px > 12:
        font.setPixelSize(px)
        if QFontMetrics(font).horizontalAdvance(label.text()) <= width:
            break
        px -= 2
    label.setStyleSheet(f"font-size: {px}px;")


def make_button(text: str, primary: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setProperty("primary", primary)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setCursor(Qt.CursorShape.PointingHandCursor)
    return button


def cover_source(image_size, target: QRect) -> QRectF:
    """The part of an image that, scaled, fills `target` exactly (centre crop), like CSS object-fit: cover."""
    iw, ih = image_size.width(), image_size.height()
    if iw <= 0 or ih <= 0 or target.width() <= 0 or target.height() <= 0:
        return QRectF(0, 0, max(iw, 1), max(ih, 1))
    scale = max(target.width() / iw, target.height() / ih)
    sw, sh = target.width() / scale, target.height() / scale
    return QRectF((iw - sw) / 2, (ih - sh) / 2, sw, sh)


def contain_rect(image_size, target: QRect) -> QRectF:
    """The largest rectangle with the image's aspect ratio centred inside `target`."""
    iw, ih = max(image_size.width(), 1), max(image_size.height(), 1)
    scale = min(target.width() / iw, target.height() / ih)
    w, h = iw * scale, ih * scale
    return QRectF(target.x() + (target.width() - w) / 2, target.y() + (target.height() - h) / 2, w, h)


def draw_cover(painter: QPainter, target: QRect, image: QImage | QPixmap) -> None:
    source = cover_source(image.size(), target)
    if isinstance(image, QImage):
        painter.drawImage(QRectF(target), image, source)
    else:
        painter.drawPixmap(QRectF(target), image, source)


def draw_text_box(
    painter: QPainter,
    rect: QRect,
    text: str,
    pixel_size: int,
    color: str = TEXT,
    bold: bool = True,
    flags=Qt.AlignmentFlag.AlignCenter,
) -> None:
    """Text with a soft dark band behind it, readable over any camera image."""
    font = QFont(painter.font())
    font.setPixelSize(max(8, pixel_size))
    font.setBold(bold)
    painter.save()
    painter.setFont(font)
    bounds = painter.boundingRect(rect, int(flags) | int(Qt.TextFlag.TextWordWrap), text)
    band = bounds.adjusted(-pixel_size // 2, -pixel_size // 4, pixel_size // 2, pixel_size // 4)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 150))
    painter.drawRoundedRect(band, pixel_size / 3, pixel_size / 3)
    painter.setPen(QColor(color))
    painter.drawText(rect, int(flags) | int(Qt.TextFlag.TextWordWrap), text)
    painter.restore()


class Screen(QWidget):
    """Base of every screen: knows its strings; `retranslate()` refreshes texts after a language change."""

    def __init__(self, strings: Strings, parent=None) -> None:
        super().__init__(parent)
        self.strings = strings
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

    def set_strings(self, strings: Strings) -> None:
        self.strings = strings
        self.retranslate()

    def retranslate(self) -> None:  # screens with fixed texts override this
        pass

    def enter(self, context) -> None:
        """The screen becomes the one shown; `context` is a ScreenContext. Start timers here."""

    def leave(self) -> None:
        """Another screen takes over: stop everything `enter` started."""

    def key_tap(self) -> bool:
        """Space or Enter (a USB arcade button) pressed: do what a tap on this screen does; False: no tap here."""
        return False

    def show_frame(self, image: QImage) -> None:
        """A new live camera frame, delivered while the state says the camera runs; camera screens paint it."""

    def unit(self) -> float:
        """1.0 on a 1080-pixel short side; drawing code scales with it."""
        window = self.window()
        return max(0.45, min(window.width(), window.height()) / 1080)


class StaffCorner:
    """5 quick taps in the top-left corner (staff only know) open the PIN pad; `tap` says if one counted."""

    TAPS = 5
    WINDOW_S = 4.0

    def __init__(self) -> None:
        self._taps: list[float] = []

    def tap(self, widget: QWidget, point) -> tuple[bool, bool]:
        """(in the corner, gesture complete) for a press at `point` on `widget`."""
        corner = touch_px(widget) * 2
        if point.x() >= corner or point.y() >= corner:
            return False, False
        now = time.monotonic()
        self._taps = [t for t in self._taps if now - t < self.WINDOW_S] + [now]
        if len(self._taps) >= self.TAPS:
            self._taps.clear()
            return True, True
        return True, False


class PictureView(QWidget):
    """One still picture, scaled to fit (never cropped), centred."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._pixmap: QPixmap | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(100, 100)

    def set_image(self, image: QImage | QPixmap | None) -> None:
        self._pixmap = QPixmap.fromImage(image) if isinstance(image, QImage) else image
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        if self._pixmap is None or self._pixmap.isNull():
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawPixmap(
            contain_rect(self._pixmap.size(), self.rect()), self._pixmap, QRectF(self._pixmap.rect())
        )
        painter.end()
